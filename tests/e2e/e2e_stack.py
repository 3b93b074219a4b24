"""The whole backend against the simulated Asterisk, for end-to-end tests.

``start_stack`` starts a :class:`SimAsterisk` (agents' phones that answer) and a real
:class:`hotline.app.runtime.Runtime` (database, bus, call-event log, AMI client, tracker,
ACD, FastAGI + IVR, console over uvicorn) on free loopback ports, seeded with a small
contact center. The runtime's clock *is* the simulator's clock and ``time_scale`` its
speed, so ring and wrap-up timers run ``SPEED`` times faster without any test sleeping
on a fixed delay. ``StackThread`` runs the same stack on a loop in a thread, for
Playwright's synchronous API.

Nothing here is faked: consoles log in over HTTP and read the real websocket.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import websockets
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from acd.admin.schemas import AgentIn, QueueIn
from acd.admin.store import save_agent, save_queue
from agent_console.store import create_user
from crm.customers import create_customer
from crm.schemas import CustomerIn, TicketIn
from crm.sla import TicketType
from crm.tickets import open_ticket
from hotline.app.commands import ATXFER_FEATURE
from hotline.app.demo_seed import demo_menu
from hotline.app.migrate import upgrade
from hotline.app.runtime import DEFAULT_MENU, Runtime
from hotline.db import CallEvent, make_engine, make_sessionmaker
from hotline.settings import Settings
from pbx.sim import AgentPhone, CallerScript, SimAsterisk, SimClock, SimConfig
from tests.console.wsutil import frames_of

T = TypeVar("T")
SPEED = 10.0
PASSWORD = "e2e-pass-2026"
ANNA = "13800138000"
ANNA_TICKET = "发票没收到 / invoice missing"
# agent id -> (extension, user name, display name)
AGENTS = {"a1001": ("1001", "agent1001", "李娜"), "a1002": ("1002", "agent1002", "王强")}




def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def seed_small(sessions: async_sessionmaker[AsyncSession], now: float) -> int:
    """Queues sales (+ general, the IVR's fallback), two sales agents with console users,
    a supervisor, and the known customer 张安娜 with one open ticket. Her customer id."""
    async with sessions() as s, s.begin():
        for name, label in (("sales", "销售"), ("general", "综合")):
            await save_queue(s, name, QueueIn(label_en=name.title(), label_zh=label, skills=[name],
                                              wrap_up_s=300, ring_timeout_s=15), now)
        for agent, (ext, _, display) in AGENTS.items():
            await save_agent(s, agent, AgentIn(name=display, endpoint=f"PJSIP/agent{ext}",
                                               skills={"sales": 5, "general": 5}, languages=["zh", "en"],
                                               queues={"sales": {"weight": 1.0}, "general": {"weight": 1.0}}))
    async with sessions() as s, s.begin():
        for agent, (ext, user, display) in AGENTS.items():
            await create_user(s, username=user, password=PASSWORD, role="agent", now=now,
                              display_name=display, agent_id=agent, extension=ext)
        await create_user(s, username="supervisor", password=PASSWORD, role="supervisor", now=now,
                          display_name="值班主管", language="zh")
        anna = await create_customer(s, CustomerIn(name="张安娜", phones=[ANNA], segment="retail"),
                                     actor="e2e", now=now)
        await open_ticket(s, TicketIn(type=TicketType.COMPLAINT, title=ANNA_TICKET, customer_id=anna.id),
                          actor="e2e", now=now)
        return anna.id


@dataclass
class Stack:
    sim: SimAsterisk
    rt: Runtime
    url: str
    customer_id: int
    http: httpx.AsyncClient = field(init=False)
    consoles: list[Console] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.http = httpx.AsyncClient(base_url=self.url, timeout=10)

    async def login(self, username: str) -> str:
        r = await self.http.post("/api/auth/login", json={"username": username, "password": PASSWORD})
        assert r.status_code == 200, r.text
        return str(r.json()["token"])

    async def post(self, token: str, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        return await self.http.post(path, json=body, headers={"Authorization": f"Bearer {token}"})

    async def console(self, token: str) -> Console:
        c = Console(self, token)
        await c.open()
        self.consoles.append(c)
        return c

    async def call(self, script: CallerScript) -> str:
        return await self.sim.place_call(script)

    async def log_rows(self, call_id: str, *, until: str, timeout: float = 10.0) -> list[Any]:  # noqa: ASYNC109
        """The call's rows in the call-event log once a row of kind ``until`` is written
        (the log writes in batches, in the background)."""
        q = select(CallEvent).where(CallEvent.call_id == call_id).order_by(CallEvent.id)
        async with asyncio.timeout(timeout):
            while True:
                async with self.rt.engine.connect() as conn:
                    rows = list((await conn.execute(q)).all())
                if any(r.kind == until for r in rows):
                    return rows
                await asyncio.sleep(0.05)

    async def stop(self) -> None:
        for c in self.consoles:
            with contextlib.suppress(Exception):
                await c.close()
        await self.http.aclose()
        await self.rt.stop()
        await self.sim.stop()


class Console:
    """A console's websocket, read into ``frames`` by a background task. ``on_frame``
    hooks run as each frame arrives (to look at the simulator at that very moment)."""

    def __init__(self, stack: Stack, token: str) -> None:
        self.stack = stack
        self.token = token
        self.frames: list[dict[str, Any]] = []
        self.on_frame: list[Callable[[dict[str, Any]], None]] = []
        self._new = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._ws: Any = None

    async def open(self) -> None:
        ws_url = self.stack.url.replace("http://", "ws://") + "/ws"
        self._ws = await websockets.connect(ws_url, additional_headers={"Authorization": f"Bearer {self.token}"})
        self._task = asyncio.create_task(self._read())
        await self.wait_for(lambda f: f["type"] == "snapshot")

    async def _read(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for raw in self._ws:
                for frame in frames_of(raw):  # one frame, or several (a JSON array) in order
                    for hook in self.on_frame:
                        hook(frame)
                    self.frames.append(frame)
                self._new.set()

    async def wait_for(self, pred: Callable[[dict[str, Any]], bool], timeout: float = 10.0) -> dict[str, Any]:  # noqa: ASYNC109
        """The first frame (seen so far or arriving) matching ``pred``."""
        async with asyncio.timeout(timeout):
            seen = 0
            while True:
                for f in self.frames[seen:]:
                    if pred(f):
                        return f
                seen = len(self.frames)
                self._new.clear()
                await self._new.wait()

    def states(self, agent: str) -> list[str]:
        """The agent's state changes as pushed to this console, in order."""
        return [f["state"] for f in self.frames if f["type"] == "agent_state" and f["agent"] == agent
                and "state" in f]

    def index(self, pred: Callable[[dict[str, Any]], bool]) -> int:
        return next(i for i, f in enumerate(self.frames) if pred(f))

    async def close(self) -> None:
        await self._ws.close()
        if self._task is not None:
            await self._task


async def start_stack(tmp: Path, database_url: str | None = None, *, speed: float = SPEED,
                      phones: list[AgentPhone] | None = None, menu: Path | None = None,
                      epoch: float | None = None) -> Stack:
    """``menu``: the IVR menu file (default: the default menus open around the clock);
    ``epoch``: the simulated clock's start (default: now)."""
    url = database_url or f"sqlite+aiosqlite:///{tmp / 'e2e.db'}"
    agi_port, http_port = free_port(), free_port()
    sim = SimAsterisk(SimConfig(ami_port=0, agi_host="127.0.0.1", agi_port=agi_port, speed=speed, seed=1,
                                recordings_dir=str(tmp / "rec"), epoch=epoch, atxfer_featuremap=ATXFER_FEATURE))
    for p in phones if phones is not None else [
            AgentPhone(endpoint=f"agent{ext}", answer_delay_s=2.0) for ext, _, _ in AGENTS.values()]:
        sim.add_agent_phone(p)
    await sim.start()
    settings = Settings(
        database_url=url, data_dir=tmp / "var", recordings_dir=tmp / "rec", prompts_dir=tmp / "prompts",
        pbx_mode="sim", ami_host="127.0.0.1", ami_port=sim.ami_port, agi_host="127.0.0.1",
        agi_port=agi_port, agi_public_host="127.0.0.1", http_host="127.0.0.1", http_port=http_port,
        ivr_menu_file=menu or demo_menu(DEFAULT_MENU, tmp / "menu.yaml"))
    engine = make_engine(url)
    await upgrade(engine)
    customer_id = await seed_small(make_sessionmaker(engine), sim.now())
    await engine.dispose()
    rt = Runtime(settings, clock=SimClock(sim), time_scale=speed)
    try:
        await rt.start()
    except BaseException:
        await sim.stop()
        raise
    return Stack(sim, rt, f"http://127.0.0.1:{http_port}", customer_id)


async def wait_until(pred: Callable[[], bool | Awaitable[bool]], timeout: float = 10.0) -> None:  # noqa: ASYNC109
    async with asyncio.timeout(timeout):
        while True:
            got = pred()
            if isinstance(got, Awaitable):
                got = await got
            if got:
                return
            await asyncio.sleep(0.02)


class StackThread:
    """The stack on its own event loop in a thread (Playwright's sync API owns the main one)."""

    def __init__(self, tmp: Path, **kw: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="e2e-stack", daemon=True)
        self.thread.start()
        self.stack: Stack = self.run(lambda: start_stack(tmp, **kw), timeout=60)

    def run(self, fn: Callable[[], Awaitable[T]], timeout: float = 20) -> T:
        return asyncio.run_coroutine_threadsafe(fn(), self.loop).result(timeout)  # type: ignore[arg-type]

    def close(self) -> None:
        try:
            self.run(self.stack.stop, timeout=30)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)
            self.loop.close()


ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def login(page: Any, url: str, username: str, password: str = PASSWORD) -> None:
    """Sign in on the console's login page (by default the stack's seeded password)."""
    page.goto(f"{url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#sign-in")


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def expect_state(page: Any, state: str, timeout: int = 15_000) -> None:
    page.wait_for_selector(f'#state-badge[data-state="{state}"]', timeout=timeout)
