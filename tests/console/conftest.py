"""Console fixtures: a seeded database (built once, copied per test), the fake ACD,
and a Starlette TestClient running the real app (lifespan, hub, websockets)."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from agent_console.app import create_app
from agent_console.config import ConsoleConfig
from agent_console.models import Team, TeamMember
from agent_console.store import create_user, open_session
from hotline.app.migrate import upgrade
from hotline.clock import ManualClock
from hotline.db import make_engine, make_sessionmaker
from hotline.events import EventBus
from hotline.settings import Settings
from tests.console.fake_center import FakeCenter

T = TypeVar("T")
PASSWORD = "secret-pass-1"
START = 1_800_000_000.0

# username -> (role, agent id, extension, display name)
USERS: dict[str, tuple[str, str | None, str | None, str]] = {
    "admin": ("admin", None, None, "Admin"),
    "sup": ("supervisor", None, "PJSIP/sup1", "Supervisor Sun"),
    "manager": ("team_lead", None, "PJSIP/mgr", "Manager Ma"),
    "lead": ("team_lead", None, "PJSIP/lead1", "Lead Li"),
    "alice": ("agent", "1001", "PJSIP/agent1001", "张安娜"),
    "bob": ("agent", "1002", "PJSIP/agent1002", "Bob"),
    "carol": ("agent", "1003", "PJSIP/agent1003", "Carol"),
    "qa": ("qa", None, None, "QA Qi"),
}
# agent id -> queues
AGENT_QUEUES = {"1001": ("sales",), "1002": ("sales",), "1003": ("support",)}


async def _seed(url: str) -> dict[str, str]:
    """Users, a team tree (Center <- Sales <- Sales-A; Support beside it) and a token each.

    manager leads "Center" (sees everyone below); lead leads "Sales" (sees alice, bob).
    """
    engine = make_engine(url)
    await upgrade(engine)
    tokens: dict[str, str] = {}
    async with make_sessionmaker(engine)() as s:
        users = {}
        for name, (role, agent, ext, display) in USERS.items():
            users[name] = await create_user(s, username=name, password=PASSWORD, role=role, now=START,
                                            display_name=display, agent_id=agent, extension=ext)
        center = Team(name="Center", level="manager", leader_id=users["manager"].id)
        s.add(center)
        await s.flush()
        sales = Team(name="Sales", parent_id=center.id, level="team_lead", leader_id=users["lead"].id)
        support = Team(name="Support", parent_id=center.id, level="team_lead")
        s.add_all([sales, support])
        await s.flush()
        sales_a = Team(name="Sales-A", parent_id=sales.id, level="group_lead")
        s.add(sales_a)
        await s.flush()
        s.add_all([TeamMember(team_id=sales_a.id, user_id=users["alice"].id),
                   TeamMember(team_id=sales.id, user_id=users["bob"].id),
                   TeamMember(team_id=support.id, user_id=users["carol"].id)])
        for name, u in users.items():
            tokens[name], _ = await open_session(s, u, now=START, ttl_s=30 * 86400, ip="seed")
        await s.commit()
    await engine.dispose()
    return tokens


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    path = tmp_path_factory.mktemp("console-seed") / "seed.db"
    tokens = asyncio.run(_seed(f"sqlite+aiosqlite:///{path}"))
    return path, tokens


async def fake_lookup(number: str) -> dict[str, Any]:
    if number == "13800000001":
        return {"customer": {"id": 7, "name": "张安娜", "vip": True, "phone": number},
                "open_tickets": [{"id": 42, "subject": "发票没收到 / invoice missing", "status": "open"}],
                "interactions": [{"at": START - 86400 * i, "kind": "call", "summary": f"call {i}"}
                                 for i in range(1, 8)]}
    return {"customer": None, "open_tickets": [], "interactions": []}


@dataclass
class Console:
    app: FastAPI
    client: TestClient
    center: FakeCenter
    clock: ManualClock
    bus: EventBus
    tokens: dict[str, str]
    engine: Any
    extra: dict[str, Any] = field(default_factory=dict)

    def auth(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[username]}"}

    def run(self, fn: Callable[[], Awaitable[T]]) -> T:
        """Run a coroutine function on the app's event loop (where the hub lives)."""
        portal = self.client.portal
        assert portal is not None
        return portal.call(fn)


def staffed_center() -> tuple[ManualClock, EventBus, FakeCenter]:
    """A fake center one hour after START with every agent of USERS in its queues."""
    clock = ManualClock(START + 3600)
    bus = EventBus()
    center = FakeCenter(bus, clock)
    for _, agent, _, display in USERS.values():
        if agent:
            center.add_agent(agent, display, AGENT_QUEUES[agent])
    return clock, bus, center

def make_console(db: Path, tokens: dict[str, str], config: ConsoleConfig | None = None,
                 lookup: Callable[[str], Awaitable[dict[str, Any]]] = fake_lookup,
                 lookup_factory: Callable[[Any], Callable[[str], Awaitable[dict[str, Any]]]] | None = None,
                 ) -> Iterator[Console]:
    clock, bus, center = staffed_center()
    engine = make_engine(f"sqlite+aiosqlite:///{db}")
    if lookup_factory is not None:
        lookup = lookup_factory(engine)
    app = create_app(Settings(), engine, bus, center, lookup, clock,
                     config=config or ConsoleConfig(refresh_interval_s=3600))
    with TestClient(app) as client:
        yield Console(app, client, center, clock, bus, tokens, engine)
        client.portal.call(engine.dispose)  # type: ignore[union-attr]


@pytest.fixture
def console(seeded_db: tuple[Path, dict[str, str]], tmp_path: Path) -> Iterator[Console]:
    src, tokens = seeded_db
    db = tmp_path / "console.db"
    shutil.copy(src, db)
    yield from make_console(db, tokens)
