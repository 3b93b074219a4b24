"""Screen pop and supervisor fan-out over real websockets.

Ours: the console app (``agent_console.create_app``) under uvicorn, with the real CRM
lookup (``crm.cards.card`` through ``crm.reader.CrmReader``, as the runtime runs it) on a SQLite database of N customers (default
100,000; ``--full`` for 1,000,000). 500 agent consoles and 50 supervisor consoles are
real websocket clients in a separate process (so client work does not share our GIL).

1. Screen pop: 50 calls/s, each a ``CallOffered`` published on the bus for a random
   agent (9 in 10 callers are CRM customers, in mixed number formats); latency = from
   the publish to the pop frame arriving at that agent's console, CRM lookup included.
   Every pop is checked: right console, right customer (known / unknown).
2. Supervisor fan-out: ``AgentStateChanged`` for the 500 agents at 100/s; lag = from
   the publish to the frame at each of the 50 supervisors.

Peer, same run, same clients, same frames, same lookup: a bare ``websockets`` server
with no auth, no scopes, no per-connection queues: it awaits the lookup and sends to
the agent's socket, and ``websockets.broadcast``s state changes to every supervisor.
It is the floor a hub can reach in Python; ratio = what our hub costs over it.

Scope: here the publish of ``CallOffered`` stands in for "the AMI event that makes the
offer". ``--sim`` measures the whole path instead: the simulated Asterisk places 50
calls/s through the IVR, the ACD offers them to 500 agents whose phones answer, and the
latency runs from the simulator's AMI event to the pop frame (see screen_pop_sim.py).

    .venv/bin/python bench/screen_pop.py [--sim] [--full] [--customers N] [--seconds S]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib.util
import json
import multiprocessing as mp
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import uvicorn  # noqa: E402
import websockets  # noqa: E402
from websockets.asyncio.server import serve  # noqa: E402

from acd.events import AgentStateChanged, CallOffered  # noqa: E402
from acd.ports import AgentStatus, CenterSnapshot, ContactCenterError, QueueStatus  # noqa: E402
from agent_console.app import create_app  # noqa: E402
from agent_console.config import ConsoleConfig  # noqa: E402
from agent_console.hub import dumps  # noqa: E402
from agent_console.models import User  # noqa: E402
from agent_console.popcard import build_pop  # noqa: E402
from agent_console.security import hash_password  # noqa: E402
from agent_console.store import open_session  # noqa: E402
from hotline.app.migrate import upgrade  # noqa: E402
from hotline.clock import SystemClock  # noqa: E402
from hotline.db import make_engine, make_sessionmaker  # noqa: E402
from hotline.events import EventBus  # noqa: E402
from hotline.settings import Settings  # noqa: E402

AGENTS, SUPERVISORS = 500, 50
QUEUES = ("sales", "support", "billing", "vip", "english")


def _bench_crm() -> Any:
    """bench/crm.py's customer generator (loaded by path: ``crm`` is also our package)."""
    spec = importlib.util.spec_from_file_location("bench_crm", REPO / "bench" / "crm.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class BenchCenter:
    """Just enough ``ContactCenter`` for consoles to connect: a static snapshot."""

    def __init__(self) -> None:
        now = time.time()
        self._snap = CenterSnapshot(at=now, queues=tuple(
            QueueStatus(queue=q, waiting=0, longest_wait_s=0.0, offered_today=0, answered_today=0,
                        abandoned_today=0, service_level=None) for q in QUEUES),
            agents=tuple(AgentStatus(agent=f"{1000 + i}", name=f"agent {i}", state="ready", since=now,
                                     queues=(QUEUES[i % len(QUEUES)],)) for i in range(AGENTS)))

    async def snapshot(self) -> CenterSnapshot:
        return self._snap

    def reason_codes(self) -> list[Any]:
        return []

    def disposition_codes(self) -> list[Any]:
        return []

    def __getattr__(self, name: str) -> Any:
        async def refuse(*_: Any, **__: Any) -> None:
            raise ContactCenterError("The benchmark center does no call control.")
        return refuse


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


# --- the client process --------------------------------------------------------------
def client_main(url: str, agents: list[tuple[str, str]], sups: list[str], pipe: Any,
                expect_snapshot: bool = False) -> None:
    """``expect_snapshot``: a console counts as connected once its first frame (the
    hub's snapshot) arrived, so no snapshot backlog spills into the measurement."""
    # The harness's own cyclic GC pauses (550 clients' frames) would show up as server lag
    # (100+ ms spikes); the client process is short-lived, so it runs without it.
    gc.disable()
    asyncio.run(_clients(url, agents, sups, pipe, expect_snapshot))


async def _clients(url: str, agents: list[tuple[str, str]], sups: list[str], pipe: Any,
                   expect_snapshot: bool = False) -> None:
    pops: list[tuple[float, bool, str, bool, str, float]] = []  # lag, right console, call id, known, number, at
    fan: list[float] = []
    stop = asyncio.Event()

    async def console(token: str, agent: str | None) -> None:
        q = f"?agent={agent}" if agent else "?sup=1"
        async with websockets.connect(f"{url}/ws{q}", additional_headers={"Authorization": f"Bearer {token}"},
                                      max_queue=None, open_timeout=60) as ws:
            if expect_snapshot:
                await ws.recv()
            ready.append(1)
            while not stop.is_set():
                try:
                    raw = await asyncio.wait_for(ws.recv(), 0.5)
                except TimeoutError:
                    continue
                now = time.time()
                data = json.loads(raw)  # one frame, or several (a JSON array) arriving together
                for m in data if isinstance(data, list) else (data,):
                    if m["type"] == "screen_pop":
                        pops.append((now - m["offered_at"], m["agent"] == agent, m["call_id"], m["known"],
                                     m["caller_num"], now))
                    elif agent is None and m["type"] == "agent_state" and "state" in m:
                        fan.append(now - m["since"])

    ready: list[int] = []
    tasks = [asyncio.create_task(console(tok, ag)) for ag, tok in agents]
    tasks += [asyncio.create_task(console(tok, None)) for tok in sups]
    while len(ready) < len(tasks):
        await asyncio.sleep(0.05)
        for t in tasks:
            if t.done() and t.exception():
                raise t.exception()  # type: ignore[misc]
    pipe.send("ready")
    await asyncio.get_running_loop().run_in_executor(None, pipe.recv)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    pipe.send({"pops": pops, "fan": fan})


# --- the servers -----------------------------------------------------------------------
async def seed(url: str, customers: int) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    crm_bench = _bench_crm()
    from crm.csvio import import_customers

    engine = make_engine(url)
    await upgrade(engine)
    maker = make_sessionmaker(engine)
    t0 = time.perf_counter()
    async with maker() as s:
        await import_customers(s, crm_bench.make_csv(customers, random.Random(42)), actor="bench",
                               now=time.time(), batch_size=5000)
    print(f"seeded {customers:,} customers in {time.perf_counter() - t0:.1f} s", flush=True)
    rng = random.Random(1)
    known = [crm_bench.mixed_format(crm_bench.number_of(rng.randrange(customers)), rng) for _ in range(5000)]
    pw = hash_password("bench-password")
    agents: list[tuple[str, str]] = []
    sups: list[str] = []
    async with maker() as s:
        users = [User(username=f"agent{i}", display_name=f"agent {i}", password_hash=pw, role="agent",
                      agent_id=f"{1000 + i}", language="zh", active=True, created_at=0.0) for i in range(AGENTS)]
        users += [User(username=f"sup{i}", display_name=f"sup {i}", password_hash=pw, role="supervisor",
                       language="zh", active=True, created_at=0.0) for i in range(SUPERVISORS)]
        s.add_all(users)
        await s.flush()
        for u in users:
            token, _ = await open_session(s, u, now=time.time(), ttl_s=86400, ip="bench")
            if u.agent_id:
                agents.append((u.agent_id, token))
            else:
                sups.append(token)
        await s.commit()
    await engine.dispose()
    return agents, sups, known


def crm_lookup(engine: Any) -> Any:
    """The runtime's screen-pop lookup (crm.reader.CrmReader running crm.cards.card)."""
    from crm.reader import CrmReader
    from hotline.app.runtime import screen_pop_lookup

    return screen_pop_lookup(CrmReader(engine))


async def start_ours(db_url: str, port: int) -> tuple[EventBus, Any, Any]:
    engine = make_engine(db_url)
    bus = EventBus()
    app = create_app(Settings(), engine, bus, BenchCenter(), crm_lookup(engine), SystemClock(),
                     config=ConsoleConfig(ws_queue_size=1024))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           ws="websockets-sansio", lifespan="on", ws_max_queue=1024))
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 (uvicorn offers no event for this)
        await asyncio.sleep(0.02)

    async def stop() -> None:
        server.should_exit = True
        await task
        await engine.dispose()

    return bus, stop, None


async def start_peer(db_url: str, port: int, bus: EventBus | None = None,
                     lookup: Any = None) -> tuple[EventBus, Any, Any]:
    engine = make_engine(db_url)
    lookup = lookup or crm_lookup(engine)
    agents: dict[str, Any] = {}
    sups: set[Any] = set()

    async def handler(ws: Any) -> None:
        query = ws.request.path.partition("?")[2]
        key, _, value = query.partition("=")
        if key == "agent":
            agents[value] = ws
        else:
            sups.add(ws)
        try:
            await ws.wait_closed()
        finally:
            sups.discard(ws)

    bus = bus or EventBus()
    tasks: set[asyncio.Task[Any]] = set()

    async def pop(ev: CallOffered) -> None:
        frame = dumps(build_pop(ev, await lookup(ev.caller_num)))
        ws = agents.get(ev.agent)
        if ws is not None:
            await ws.send(frame)

    def on_offer(ev: CallOffered) -> None:
        t = asyncio.get_running_loop().create_task(pop(ev))
        tasks.add(t)
        t.add_done_callback(tasks.discard)

    def on_state(ev: AgentStateChanged) -> None:
        websockets.broadcast(sups, dumps({"type": "agent_state", "agent": ev.agent, "state": ev.state,
                                          "previous": ev.previous, "since": ev.at, "reason": ev.reason,
                                          "current_call": ev.call_id}))

    bus.subscribe(CallOffered, on_offer)
    bus.subscribe(AgentStateChanged, on_state)
    server = await serve(handler, "127.0.0.1", port, max_queue=None)

    async def stop() -> None:
        server.close()
        await server.wait_closed()
        await engine.dispose()

    return bus, stop, None


async def measure(name: str, start: Any, db_url: str, agents: list[tuple[str, str]], sups: list[str],
                  known: list[str], seconds: float) -> dict[str, Any]:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    bus, stop, _ = await start(db_url, port)
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=client_main, args=(f"ws://127.0.0.1:{port}", agents, sups, child))
    proc.start()
    loop = asyncio.get_running_loop()
    t0 = time.perf_counter()
    msg = await loop.run_in_executor(None, parent.recv)
    assert msg == "ready", msg
    print(f"[{name}] {len(agents)} agent + {len(sups)} supervisor consoles connected in "
          f"{time.perf_counter() - t0:.1f} s", flush=True)
    rng = random.Random(7)
    expected: dict[str, tuple[str, bool]] = {}
    calls = int(50 * seconds)
    start_t = time.perf_counter()
    for i in range(calls):  # 50 calls/s
        agent = agents[rng.randrange(len(agents))][0]
        is_known = rng.random() < 0.9
        number = known[i % len(known)] if is_known else f"0{rng.randrange(10**9, 10**10)}"
        call_id = f"{name}-{i}"
        expected[call_id] = (agent, is_known)
        bus.publish(CallOffered(at=time.time(), call_id=call_id, queue="sales", agent=agent, caller_num=number,
                                caller_name="", customer_id=None, skills=("sales",), ivr_path=("main", "1"),
                                waited_s=3.0))
        await asyncio.sleep(max(0.0, start_t + (i + 1) / 50 - time.perf_counter()))
    await asyncio.sleep(2)
    changes = int(100 * seconds)
    start_t = time.perf_counter()
    for i in range(changes):  # 100 state changes/s
        agent = agents[rng.randrange(len(agents))][0]
        bus.publish(AgentStateChanged(at=time.time(), agent=agent, state="not_ready" if i % 2 else "ready",
                                      previous="ready", reason="bench"))
        await asyncio.sleep(max(0.0, start_t + (i + 1) / 100 - time.perf_counter()))
    await asyncio.sleep(2)
    parent.send("stop")
    res = await loop.run_in_executor(None, parent.recv)
    proc.join(30)
    await stop()
    pops = res["pops"]
    wrong = sum(1 for lag, right, cid, kn, *_ in pops if not right or expected.get(cid, ("", not kn))[1] != kn)
    lags = [p[0] * 1000 for p in pops]
    fan = [f * 1000 for f in res["fan"]]
    out = {"pop_p50": pct(lags, 50), "pop_p99": pct(lags, 99), "pops": len(pops), "calls": calls,
           "wrong": wrong, "fan_p50": pct(fan, 50), "fan_p99": pct(fan, 99), "fan_frames": len(fan),
           "fan_expected": changes * len(sups)}
    print(f"[{name}] screen pop: {out['pops']}/{calls} delivered, {wrong} wrong, p50 {out['pop_p50']:.1f} ms, "
          f"p99 {out['pop_p99']:.1f} ms; fan-out: {out['fan_frames']}/{out['fan_expected']} frames, "
          f"p50 {out['fan_p50']:.1f} ms, p99 {out['fan_p99']:.1f} ms", flush=True)
    return out


async def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    tmp = tempfile.TemporaryDirectory(prefix="hotline-bench-pop-")
    url = f"sqlite+aiosqlite:///{tmp.name}/pop.db"
    agents, sups, known = await seed(url, args.customers)
    ours = await measure("ours", start_ours, url, agents, sups, known, args.seconds)
    peer = await measure("peer", start_peer, url, agents, sups, known, args.seconds)
    peer_name = "bare websockets server (no auth/scope/queues), same lookup"
    lines = []
    for metric, o, p, target, ok_extra in [
        ("pop_p50_ms", ours["pop_p50"], peer["pop_p50"], "p50 < 25 ms", ours["pop_p50"] < 25),
        ("pop_p99_ms", ours["pop_p99"], peer["pop_p99"], "p99 < 50 ms, every pop at the right console",
         ours["pop_p99"] < 50 and ours["wrong"] == 0 and ours["pops"] == ours["calls"]),
        ("fanout_p99_ms", ours["fan_p99"], peer["fan_p99"], "p99 < 100 ms, no frame lost",
         ours["fan_p99"] < 100 and ours["fan_frames"] == ours["fan_expected"]),
    ]:
        lines.append({"bench": "screen_pop", "metric": metric, "ours": round(o, 2), "peer": round(p, 2),
                      "peer_name": peer_name, "ratio": round(o / p, 3) if p else None, "target": target,
                      "ok": bool(ok_extra)})
    tmp.cleanup()
    return lines


def _dump_tasks_on_sigusr1() -> None:
    """``kill -USR1 <pid>`` prints where every asyncio task of the backend waits (a hung run)."""
    import signal

    def dump(*_: Any) -> None:
        loop = asyncio.get_event_loop()
        for task in asyncio.all_tasks(loop):
            task.print_stack(limit=8, file=sys.stderr)

    signal.signal(signal.SIGUSR1, dump)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--full", action="store_true", help="1,000,000 customers, 30 s per phase")
    ap.add_argument("--customers", type=int, default=None)
    ap.add_argument("--seconds", type=float, default=None, help="length of each phase (default 10; --sim 15)")
    ap.add_argument("--sim", action="store_true", help="offers from the simulated Asterisk through the whole backend")
    ap.add_argument("--rate", type=float, default=50.0, help="--sim: new calls per second")
    ap.add_argument("--only", choices=("ours", "peer"), help="--sim: measure one side only (while tuning)")
    ap.add_argument("--gc-freeze", action="store_true",
                    help="--sim: gc.freeze() the backend once started (both sides), so full collections skip it")
    args = ap.parse_args()
    _dump_tasks_on_sigusr1()
    args.customers = args.customers or (1_000_000 if args.full else 100_000)
    if args.sim:
        from screen_pop_sim import run_sim

        seconds = args.seconds or (30.0 if args.full else 15.0)
        with tempfile.TemporaryDirectory(prefix="hotline-bench-popsim-") as tmp:
            lines = asyncio.run(run_sim(args.customers, seconds, args.rate, Path(tmp), args.only,
                                       args.gc_freeze))
    else:
        args.seconds = args.seconds or (30.0 if args.full else 10.0)
        lines = asyncio.run(run(args))
    for line in lines:
        print(json.dumps(line, ensure_ascii=False))


if __name__ == "__main__":
    main()
