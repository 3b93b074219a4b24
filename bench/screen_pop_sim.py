"""``bench/screen_pop.py --sim``: the screen pop through the whole backend.

Three processes, so no side shares our GIL: the simulated Asterisk (speed 1, 500
agents' phones that answer, callers placed at 50/s through the IVR over FastAGI), the
backend (``hotline.app.runtime.Runtime``: AMI -> tracker -> ACD, FastAGI + IVR, console hub,
CRM on N customers), and 500 agent + 50 supervisor websocket consoles.

Latency = from the simulator's AMI ``Timestamp`` of ``AGIExecStart`` for the IVR's last
command before the enqueue (``SET VARIABLE IVR_PATH``: the caller's menu choice is
complete in Asterisk) to the pop frame at the console of the agent the ACD chose. It
includes the AGI round trip, the IVR, the router, the originate bookkeeping, the CRM
lookup and the websocket. Fan-out: ``AgentStateChanged`` from the live ACD (offers,
answers, hang-ups, wrap-ups) to each of the 50 supervisors.

Peer, same run, same simulator, same backend: the hub replaced by a bare ``websockets``
server on the runtime's bus (no auth, scopes or per-connection queues; same lookup).

Each side also prints the backend's garbage-collector pauses during the calls: a full
collection of the started backend's heap stalls the loop for ~200 ms, which is most of
the p99 on both sides. ``--gc-freeze`` freezes the heap once started (both sides).
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing as mp
import random
import shutil
import time
from pathlib import Path
from typing import Any

from screen_pop import AGENTS, _bench_crm, client_main, pct, seed, start_peer

from acd.admin.schemas import AgentIn, QueueIn
from acd.admin.store import save_agent, save_queue
from hotline.app.runtime import DEFAULT_MENU, Runtime, screen_pop_lookup
from hotline.db import make_engine, make_sessionmaker
from hotline.settings import Settings

QUEUES = ("general", "sales", "support", "complaints", "vip")
MARK = "SET VARIABLE IVR_PATH"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- the simulated Asterisk (its own process) ------------------------------------------
def sim_main(ami_port: int, agi_port: int, callers: list[tuple[str, bool]], rate: float, pipe: Any) -> None:
    gc.disable()  # a long GC pause here would be charged to the backend
    try:
        asyncio.run(_sim(ami_port, agi_port, callers, rate, pipe))
    except BaseException as exc:
        import traceback

        traceback.print_exc()
        pipe.send(f"the simulator failed: {exc!r}")
        raise


async def _sim(ami_port: int, agi_port: int, callers: list[tuple[str, bool]], rate: float, pipe: Any) -> None:
    from pbx.sim import AgentPhone, CallerScript, SimAsterisk, SimConfig

    sim = SimAsterisk(SimConfig(ami_port=ami_port, agi_port=agi_port, speed=1.0, seed=1))
    for i in range(AGENTS):
        sim.add_agent_phone(AgentPhone(endpoint=f"agent{1000 + i}", answer_delay_s=1.0))
    marks: dict[str, float] = {}
    sink = sim.emit.sink

    def tap(fields: list[tuple[str, Any]]) -> None:
        if fields[0] == ("Event", "AGIExecStart"):
            d = dict(fields)
            if str(d.get("Command", "")).startswith(MARK):
                marks[str(d["CallerIDNum"])] = float(d["Timestamp"])
        sink(fields)

    sim.emit.sink = tap  # type: ignore[method-assign]
    await sim.start()
    loop = asyncio.get_running_loop()
    pipe.send("ready")
    await loop.run_in_executor(None, pipe.recv)  # "go"
    t0 = time.perf_counter()
    for i, (number, known) in enumerate(callers):
        # known callers: the main menu (1 = sales; VIPs skip it); unknown: language 1, then 1
        await sim.place_call(CallerScript(caller_num=number, caller_name="", dtmf=["1"] if known else ["1", "1"],
                                          patience_s=120.0, talk_time_s=3.0, lang="zh"))
        await asyncio.sleep(max(0.0, t0 + (i + 1) / rate - time.perf_counter()))
    await asyncio.sleep(12.0)  # the last callers finish the IVR and are offered
    pipe.send(marks)
    await loop.run_in_executor(None, pipe.recv)
    await sim.stop()


# --- the backend --------------------------------------------------------------------------
async def seed_acd(url: str, agents: list[tuple[str, str]]) -> None:
    engine = make_engine(url)
    async with make_sessionmaker(engine)() as s, s.begin():
        for q in QUEUES:
            await save_queue(s, q, QueueIn(skills=[q], wrap_up_s=2.0, ring_timeout_s=15), time.time())
        for agent, _ in agents:
            await save_agent(s, agent, AgentIn(name=f"agent {agent}", endpoint=f"PJSIP/agent{agent}",
                                               skills={q: 5 for q in QUEUES}, languages=["zh", "en"],
                                               queues={q: {"weight": 1.0} for q in QUEUES}))
    await engine.dispose()


async def measure_sim(name: str, db: Path, tmp: Path, agents: list[tuple[str, str]], sups: list[str],
                      callers: list[tuple[str, bool]], rate: float, gc_freeze: bool = False) -> dict[str, Any]:
    from hotline.app.demo_seed import demo_menu

    ami_port, agi_port, http_port = free_port(), free_port(), free_port()
    ctx = mp.get_context("spawn")
    sim_pipe, sim_child = ctx.Pipe()
    sim_proc = ctx.Process(target=sim_main, args=(ami_port, agi_port, callers, rate, sim_child))
    sim_proc.start()
    loop = asyncio.get_running_loop()
    assert await loop.run_in_executor(None, sim_pipe.recv) == "ready"
    peer = name == "peer"
    settings = Settings(database_url=f"sqlite+aiosqlite:///{db}", data_dir=tmp / name, recordings_dir=tmp / name / "rec",
                        prompts_dir=tmp / name / "prompts", ami_port=ami_port, agi_port=agi_port,
                        http_port=http_port, ivr_menu_file=demo_menu(DEFAULT_MENU, tmp / "menu.yaml"))
    rt = Runtime(settings, http=not peer)
    await rt.start()
    stop_peer = None
    if peer:
        # the runtime's own lookup (its engine and pool), as the hub uses it
        _, stop_peer, _ = await start_peer(f"sqlite+aiosqlite:///{db}", http_port, bus=rt.bus,
                                           lookup=screen_pop_lookup(rt.crm_reader))
    for agent, _ in agents:
        await rt.acd.login(agent, "")
        await rt.acd.set_ready(agent)
    cl_pipe, cl_child = ctx.Pipe()
    cl_proc = ctx.Process(target=client_main, args=(f"ws://127.0.0.1:{http_port}", agents, sups, cl_child, not peer))
    cl_proc.start()
    assert await loop.run_in_executor(None, cl_pipe.recv) == "ready"
    print(f"[{name}] backend up, {len(agents)} agents ready, consoles connected; "
          f"{len(callers)} calls at {rate:g}/s", flush=True)
    if gc_freeze:  # what a backend can do once started: long-lived objects leave the GC's scans
        gc.collect()
        gc.freeze()
    pauses = GcPauses()
    sim_pipe.send("go")
    marks: dict[str, float] = await loop.run_in_executor(None, sim_pipe.recv)
    pauses.close()
    gc.unfreeze()
    cl_pipe.send("stop")
    res = await loop.run_in_executor(None, cl_pipe.recv)
    cl_proc.join(30)
    if stop_peer is not None:
        await stop_peer()
    # the backend first: its ACD drains its AMI actions, which hang once Asterisk is gone
    await asyncio.wait_for(rt.stop(), 60)
    sim_pipe.send("stop")
    sim_proc.join(30)

    known = dict(callers)
    lags, wrong = [], 0
    for _lag, right, _cid, is_known, number, recv_at in res["pops"]:
        if not right or known.get(number) != is_known:
            wrong += 1
        if number in marks:
            lags.append((recv_at - marks[number]) * 1000)
    fan = [f * 1000 for f in res["fan"]]
    out = {"pop_p50": pct(lags, 50), "pop_p99": pct(lags, 99), "pops": len(res["pops"]), "calls": len(callers),
           "measured": len(lags), "marks": len(marks), "wrong": wrong,
           "fan_p50": pct(fan, 50), "fan_p99": pct(fan, 99), "fan_frames": len(fan)}
    print(f"[{name}] screen pop: {out['pops']}/{out['calls']} popped ({out['marks']} enqueued), {wrong} wrong, "
          f"p50 {out['pop_p50']:.1f} ms, p99 {out['pop_p99']:.1f} ms; fan-out: {out['fan_frames']} frames, "
          f"p50 {out['fan_p50']:.1f} ms, p99 {out['fan_p99']:.1f} ms; {pauses}", flush=True)
    return out


class GcPauses:
    """The backend's garbage-collector pauses while calls run (they stall the event loop)."""

    def __init__(self) -> None:
        self.pauses: list[tuple[int, float]] = []
        self._t0 = 0.0
        gc.callbacks.append(self._cb)

    def _cb(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._t0 = time.perf_counter()
        else:
            self.pauses.append((int(info["generation"]), (time.perf_counter() - self._t0) * 1000))

    def close(self) -> None:
        gc.callbacks.remove(self._cb)

    def __str__(self) -> str:
        full = [ms for gen, ms in self.pauses if gen == 2]
        return (f"GC: {len(self.pauses)} collections, {sum(ms for _, ms in self.pauses):.0f} ms in all, "
                f"{len(full)} full (max {max(full, default=0.0):.0f} ms)")


async def run_sim(customers: int, seconds: float, rate: float, tmp: Path,
                  only: str | None = None, gc_freeze: bool = False) -> list[dict[str, Any]]:
    base = tmp / "base.db"
    agents, sups, _ = await seed(f"sqlite+aiosqlite:///{base}", customers)
    await seed_acd(f"sqlite+aiosqlite:///{base}", agents)
    crm_bench = _bench_crm()
    rng = random.Random(5)
    n = int(rate * seconds)
    picks = rng.sample(range(customers), min(customers, n))
    callers = [(crm_bench.number_of(i), True) if rng.random() < 0.9 else (f"186{j:08d}", False)
               for j, i in enumerate(picks)]  # 9 in 10 are customers; every number calls once
    results = {}
    nan: dict[str, Any] = {"pop_p50": float("nan"), "pop_p99": float("nan"), "fan_p99": float("nan"),
                           "wrong": 0, "measured": 0, "marks": 0}
    for name in ("ours", "peer"):
        if only not in (None, name):
            results[name] = nan
            continue
        db = tmp / f"{name}.db"
        shutil.copy(base, db)
        results[name] = await measure_sim(name, db, tmp, agents, sups, callers, rate, gc_freeze)
    ours, peer = results["ours"], results["peer"]
    peer_name = "bare websockets server on the same runtime's bus (no auth/scope/queues), same lookup" + (
        " (both gc.freeze()d after start)" if gc_freeze else "")
    lines = []
    for metric, o, p, target, ok in [
        ("sim_pop_p50_ms", ours["pop_p50"], peer["pop_p50"], "p50 < 25 ms", ours["pop_p50"] < 25),
        ("sim_pop_p99_ms", ours["pop_p99"], peer["pop_p99"], "p99 < 50 ms, every enqueued call popped at the right console",
         ours["pop_p99"] < 50 and ours["wrong"] == 0 and ours["measured"] == ours["marks"]),
        ("sim_fanout_p99_ms", ours["fan_p99"], peer["fan_p99"], "p99 < 100 ms", ours["fan_p99"] < 100),
    ]:
        lines.append({"bench": "screen_pop", "metric": metric, "ours": round(o, 2), "peer": round(p, 2),
                      "peer_name": peer_name, "ratio": round(o / p, 3) if p else None, "target": target,
                      "ok": bool(ok)})
    return lines
