"""IVR over FastAGI under load: sessions/s and p99 from a DTMF reply to the next command.

The simulated Asterisk (``pbx.sim.agi_client.run_fastagi``) runs ``--concurrency``
callers at a time in this process; the FastAGI server with the IVR runs in a separate
process (its own core), as in production. Every caller: language 1 (zh), main menu 2
(support) → routing request → channel variables → the handler returns.

Latency is measured on the client (Asterisk) side: from writing a reply that carries a
digit (STREAM FILE / WAIT FOR DIGIT / GET DATA) to receiving the next AGI command.

Peer: panoramisk's own FastAGI server (``panoramisk.fast_agi.Application``, its reply
parsing) running the same menus and interpreter, loaded once. A naive handler that
re-reads and re-validates the YAML file for every call (a script-per-call AGI) is printed
beside it.

Three runs per side: throughput with prompts played 1000x faster than real (sessions/s);
the target latency with 200 concurrent calls in real time (prompts at their real
length: p99 from DTMF reply to next command); and the same at 20x as a stress figure
(200 calls at 20x behave like 4,000 concurrent calls).

    python bench/ivr.py [--sessions 2000] [--latency-sessions 400] [--concurrency 200] [--full]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import random
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from acd.requests import CallbackRequest, RoutingRequest  # noqa: E402
from ivr.directory import StaticDirectory  # noqa: E402
from ivr.handler import IvrHandler  # noqa: E402
from ivr.loader import load_menus  # noqa: E402
from pbx.agi.base import BaseAgiSession  # noqa: E402
from pbx.agi.protocol import Reply  # noqa: E402
from pbx.sim.agi_client import SimCaller, run_fastagi  # noqa: E402

MENU = Path(__file__).resolve().parents[1] / "ivr" / "menus" / "default.yaml"
THROUGHPUT_SPEED = 1000.0  # prompts 1000x faster than real: the server is the bottleneck
RAMP_S = 8.0  # about one IVR call (prompts + key presses) in simulated seconds
STRESS_SPEED = 20.0  # 200 calls at 20x behave like 4,000 real concurrent calls
ENV = {"agi_callerid": "13800138000", "agi_calleridname": "张安娜", "agi_arg_1": "lang=zh"}
# One bench day: a Wednesday 10:00 in Shanghai (open hours).
OPEN_TS = 1794967200.0


class _Clock:
    def now(self) -> float:
        return OPEN_TS

    def monotonic(self) -> float:
        return time.monotonic()


class _Sink:
    def __init__(self) -> None:
        self.rows = 0

    def log(self, call_id: str, kind: str, *, ts: float | None = None, **kw: Any) -> None:
        self.rows += 1


class _Enqueuer:
    def __init__(self) -> None:
        self.n = 0

    def enqueue(self, request: RoutingRequest) -> None:
        self.n += 1

    def request_callback(self, request: CallbackRequest) -> None:
        pass

    def estimated_wait(self, queue: str) -> float | None:
        return None

    def agents_logged_in(self, queue: str) -> int:
        return 1


def _handler(per_call_reload: bool) -> IvrHandler:
    menus = load_menus(MENU)
    get = (lambda: load_menus(MENU)) if per_call_reload else (lambda: menus)
    return IvrHandler(menus=get, directory=StaticDirectory(), enqueuer=_Enqueuer(), events=_Sink(),
                      clock=_Clock(), prompts_dir=Path("/var/lib/hotline/prompts"))


# --- the naive peer: a line reader per command, YAML re-read per call ---------------------

class _LineSession(BaseAgiSession):
    def __init__(self, env: dict[str, str], reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        super().__init__(env)
        self.reader, self.writer = reader, writer

    async def _send_and_receive(self, line: str) -> Reply:
        self.writer.write(line.encode() + b"\n")
        await self.writer.drain()
        while True:
            raw = (await self.reader.readline()).decode().rstrip("\n")
            if raw == "HANGUP":
                self.hangup_seen = True
                continue
            if not raw:
                raise ConnectionError("peer closed")
            code = int(raw[:3]) if raw[:3].isdigit() else 500
            return Reply(code=code, text=raw[4:], body=())


async def _naive_serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    env: dict[str, str] = {}
    while (line := (await reader.readline()).decode().rstrip("\n")):
        k, _, v = line.partition(": ")
        env[k] = v
    try:
        await _handler(per_call_reload=True).ivr(_LineSession(env, reader, writer))
    except Exception:
        pass
    writer.close()


# --- the peer: panoramisk's own FastAGI server running the same menus ---------------------

class _PanoramiskSession(BaseAgiSession):
    """Our interpreter over panoramisk's ``Request.send_command`` (its reply parsing)."""

    def __init__(self, request: Any) -> None:
        super().__init__(dict(request.headers))
        self.request = request

    async def _send_and_receive(self, line: str) -> Reply:
        r = await self.request.send_command(line)
        err = r.get("error")
        if err == "AGIResultHangup":
            self.hangup_seen = True
            return Reply(code=200, text="result=-1")
        if err == "AGIAppError":
            return Reply(code=200, text="result=-1")
        if err is not None:
            return Reply(code=510 if err == "AGIInvalidCommand" else 520, text=str(r.get("msg", "")))
        parts = []
        for key, val in r.items():
            if key in ("status_code", "msg"):
                continue
            value, data = val
            parts.append(f"{key}={value}" + (f" ({data})" if data else ""))
        return Reply(code=int(r["status_code"]), text=" ".join(parts))


def _panoramisk_app() -> Any:
    from panoramisk.fast_agi import Application

    handler = _handler(per_call_reload=False)
    app = Application()

    async def ivr(request: Any) -> None:
        await handler.ivr(_PanoramiskSession(request))
    app.add_route("ivr", ivr)
    return app


# --- server process ------------------------------------------------------------------------

def _server_main(kind: str, conn: Any) -> None:
    async def main() -> None:
        if kind == "ours":
            from pbx.agi.server import FastAgiServer

            h = _handler(per_call_reload=False)
            server = FastAgiServer("127.0.0.1", 0, {"ivr": h.ivr})
            await server.start()
            port = server.port
        elif kind == "panoramisk":
            srv = await asyncio.start_server(_panoramisk_app().handler, "127.0.0.1", 0, backlog=1024)
            port = srv.sockets[0].getsockname()[1]
        else:
            srv = await asyncio.start_server(_naive_serve, "127.0.0.1", 0, backlog=1024)
            port = srv.sockets[0].getsockname()[1]
        conn.send(port)
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # wait for "stop"

    asyncio.run(main())


async def _drive(port: int, sessions: int, concurrency: int, speed: float) -> tuple[float, list[float], int]:
    lat: list[float] = []
    ok = 0
    # ``concurrency`` lines, each running its calls back to back. Line k starts at a
    # random moment within RAMP_S of call time: 200 identical scripts started in the same
    # millisecond would press their keys in the same millisecond for the whole run, which
    # is a burst, not 200 concurrent calls. (A semaphore with staggered sleeps does not do
    # this: the callers without a sleep take every slot at t=0.)
    rng = random.Random(7)
    offsets = [rng.uniform(0.0, RAMP_S / speed) for _ in range(concurrency)]
    todo = iter(range(sessions))

    async def one(i: int) -> None:
        nonlocal ok
        mark: list[float] = []

        def on_exec(cmd: str, reply: str) -> None:
            m = re.match(r"200 result=(\d+)", reply)
            digit = m is not None and (cmd.startswith("GET DATA") or int(m.group(1)) >= 35)
            mark[:] = [time.perf_counter()] if digit else []

        def on_start(cmd: str) -> None:
            if mark:
                lat.append(time.perf_counter() - mark.pop())

        env = ENV | {"agi_uniqueid": f"1795354545.{i}", "agi_channel": f"PJSIP/hotline-trunk-{i:08x}"}
        out = await run_fastagi("127.0.0.1", port, "ivr", env, SimCaller(dtmf=["1", "2"]), {},
                                on_exec=on_exec, on_start=on_start, speed=speed)
        ok += out.status == "SUCCESS" and out.commands[-1].startswith("SET VARIABLE IVR_PATH")

    async def line(offset: float) -> None:
        await asyncio.sleep(offset)
        for i in todo:
            await one(i)

    t0 = time.perf_counter()
    await asyncio.gather(*(line(o) for o in offsets))
    return time.perf_counter() - t0, lat, ok


def measure(kind: str, sessions: int, concurrency: int, speed: float) -> tuple[float, float, float]:
    parent, child = mp.Pipe()
    proc = mp.Process(target=_server_main, args=(kind, child), daemon=True)
    proc.start()
    port = parent.recv()
    try:
        wall, lat, ok = asyncio.run(_drive(port, sessions, concurrency, speed))
    finally:
        parent.send("stop")
        proc.join(5)
        if proc.is_alive():
            proc.terminate()
    if ok != sessions:
        raise SystemExit(f"{kind}: only {ok} of {sessions} sessions reached the queue")
    lat.sort()
    p99 = lat[int(len(lat) * 0.99) - 1] * 1000
    return sessions / wall, p99, statistics.median(lat) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", type=int, default=2000)
    ap.add_argument("--peer-sessions", type=int, default=400, help="the peer is ~100x slower")
    ap.add_argument("--concurrency", type=int, default=200)
    ap.add_argument("--latency-sessions", type=int, default=400,
                    help="sessions of the real-time latency run (2 waves of --concurrency)")
    ap.add_argument("--full", action="store_true", help="10,000 sessions (2,000 for the peer)")
    args = ap.parse_args()
    n, n_peer = (10_000, 2_000) if args.full else (args.sessions, args.peer_sessions)
    c = args.concurrency
    peer_name = "panoramisk.fast_agi.Application running the same menus"
    res = {}
    for kind, sessions in (("ours", n), ("panoramisk", n), ("naive", n_peer)):
        tp = measure(kind, sessions, c, THROUGHPUT_SPEED)
        real = measure(kind, args.latency_sessions, c, 1.0)
        stress = measure(kind, sessions, c, STRESS_SPEED)
        res[kind] = (tp[0], real[1], stress[1])
        print(f"{kind:10}: {c} concurrent: {tp[0]:8.1f} sessions/s over {sessions} (prompts at "
              f"{THROUGHPUT_SPEED:.0f}x); DTMF->next command in real time: p50 {real[2]:.2f} ms, "
              f"p99 {real[1]:.2f} ms over {args.latency_sessions}; at {STRESS_SPEED:.0f}x: "
              f"p50 {stress[2]:.2f} ms, p99 {stress[1]:.2f} ms")
    print(f"peer: {peer_name}; naive: a line-reader FastAGI that re-reads the YAML per call")
    ours, peer, naive = res["ours"], res["panoramisk"], res["naive"]
    for metric, o, p, nv, target, ok in (
        ("sessions_per_s", ours[0], peer[0], naive[0], "higher is better", ours[0] >= peer[0]),
        ("dtmf_to_next_command_p99_ms", ours[1], peer[1], naive[1], "< 5 ms at 200 concurrent calls",
         ours[1] < 5.0),
        ("dtmf_to_next_command_p99_ms_stress20x", ours[2], peer[2], naive[2], "stress figure, no target",
         ours[2] <= peer[2]),
    ):
        print(json.dumps({"bench": "ivr", "metric": metric, "ours": round(o, 3), "peer": round(p, 3),
                          "peer_name": peer_name, "naive_yaml_per_call": round(nv, 3),
                          "ratio": round(o / p, 4), "target": target, "ok": ok}))

if __name__ == "__main__":
    main()
