"""AMI ingest throughput: our full pipeline vs bare panoramisk parsing, over loopback TCP.

The stream repeats the event blocks of the recorded call transcripts
(``../shared/asterisk/ami-*.txt``) with Uniqueids, Linkedids, bridge ids, ActionIDs and
channel-name suffixes renumbered per repetition, so every repetition is a new, coherent
set of calls. Measured, from the first byte to the end (EOF), best of ``--runs``:

* peer: ``panoramisk.ami_protocol.AMIProtocol`` with no event handlers (its parsing
  into ``Message`` objects and dispatch only);
* ours: ``HotlineAmiProtocol`` -> ``AmiClient`` dispatch -> ``CallTracker`` -> ``EventBus``
  -> ``CallLogWriter`` -> ``CallEventLog`` batching into a SQLite file, final flush included.

Run: ``python bench/ami_ingest.py`` (200,000 events) or ``--full`` (1,000,000).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from panoramisk.ami_protocol import AMIProtocol  # noqa: E402
from panoramisk.manager import Manager  # noqa: E402

from hotline.app.migrate import upgrade  # noqa: E402
from hotline.clock import SystemClock  # noqa: E402
from hotline.db import make_engine  # noqa: E402
from hotline.eventlog import CallEventLog  # noqa: E402
from hotline.events import EventBus  # noqa: E402
from hotline.settings import Settings  # noqa: E402
from pbx.ami.client import AmiClient  # noqa: E402
from pbx.ami.codec import AmiDecoder, AmiMessage  # noqa: E402
from pbx.ami.protocol import HotlineAmiProtocol  # noqa: E402
from pbx.calllog import CallLogWriter  # noqa: E402
from pbx.tracker import CallTracker  # noqa: E402
from pbx.transcripts import received_stream  # noqa: E402

TRANSCRIPTS = ROOT.parent / "shared" / "asterisk"
BANNER = b"Asterisk Call Manager/11.0.0\r\n"
# Call scenarios replayed (each one or more whole calls, all legs ending).
SCENARIOS = ("ami-02a", "ami-02b", "ami-02c", "ami-03-", "ami-03b", "ami-04", "ami-05", "ami-06-",
             "ami-06b", "ami-07a", "ami-07b", "ami-07c-", "ami-08-", "ami-12", "ami-13")
_MARK = "@R@"
_ID_KEYS = ("Uniqueid", "Linkedid", "UniqueID", "LinkedID", "ActionID")
_CHAN_SUFFIX = re.compile(r"-([0-9a-f]{8})(?=;|$|,)")
# Control events that would disturb a replay (Shutdown ends every call).
_SKIP = {"FullyBooted", "Shutdown", "SuccessfulAuth"}


def _template(prefix: str) -> tuple[bytes, int]:
    """One scenario's events with a renumbering mark in every id; (bytes, events)."""
    (path,) = [p for p in TRANSCRIPTS.glob("ami-*.txt") if p.name.startswith(prefix)]
    blocks: list[str] = []
    for msg in AmiDecoder().feed(received_stream(path)):
        if not isinstance(msg, AmiMessage) or "Event" not in msg or msg["Event"] in _SKIP:
            continue
        if "ActionID" in msg and msg["Event"] != "OriginateResponse":
            continue  # list items of our own actions (CoreShowChannel, Status)
        lines = []
        for key, value in msg.items():
            if key.endswith(_ID_KEYS) and value and value != "<unknown>":
                value = f"r{_MARK}-{value}"
            elif "/" in value:
                value = _CHAN_SUFFIX.sub(lambda m: f"-{_MARK}x{m.group(1)}", value)
            lines.append(f"{key}: {value}")
        blocks.append("\r\n".join(lines) + "\r\n\r\n")
    return "".join(blocks).encode(), len(blocks)


def templates() -> list[tuple[bytes, int]]:
    return [_template(p) for p in SCENARIOS]


def generate(total_events: int) -> Iterator[bytes]:
    """Chunks of the stream (banner first) until at least ``total_events`` events."""
    yield BANNER
    tpls, done, rep = templates(), 0, 0
    while done < total_events:
        for data, n in tpls:
            yield data.replace(_MARK.encode(), str(rep).encode())
            done += n
            rep += 1


async def serve(chunks: Callable[[], Iterator[bytes]]) -> tuple[asyncio.AbstractServer, int]:
    async def handle(_r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        for chunk in chunks():
            w.write(chunk)
            await w.drain()
        w.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, int(server.sockets[0].getsockname()[1])


class _Sink:
    """panoramisk's factory interface, minus reconnecting."""

    def __init__(self) -> None:
        self.done = asyncio.get_running_loop().create_future()
        self.forgetable_actions = ()
        self.awaiting_actions: deque[object] = deque()
        self.manager = Manager()
        self.events = 0

    def dispatch(self, message: object) -> None:
        self.events += 1
        self.manager.dispatch(message)  # no handlers registered: matching only

    def connection_lost(self, _exc: object) -> None:
        if not self.done.done():
            self.done.set_result(None)


async def run_peer(port: int) -> tuple[float, int]:
    loop = asyncio.get_running_loop()
    sink = _Sink()

    t0 = time.perf_counter()
    _t, proto = await loop.create_connection(AMIProtocol, "127.0.0.1", port)
    proto.factory, proto.encoding = sink, "utf8"
    await sink.done
    return time.perf_counter() - t0, sink.events


class Pipeline:
    """decode -> client dispatch -> tracker -> bus -> call-event log (SQLite)."""

    def __init__(self, db_url: str) -> None:
        self.db_url = db_url
        self.proto: HotlineAmiProtocol | None = None

    async def open(self) -> None:
        self.engine = make_engine(self.db_url)
        await upgrade(self.engine)
        self.bus = EventBus()
        clock = SystemClock()
        self.tracker = CallTracker(self.bus, clock)
        self.log = CallEventLog(self.engine, clock, flush_interval=0.2, max_batch=5000)
        self.writer = CallLogWriter(self.bus, self.log, self.tracker)
        self.client = AmiClient(Settings(), self.bus, clock, on_event=self.tracker.feed)

    async def ingest(self, port: int) -> tuple[float, int]:
        loop = asyncio.get_running_loop()
        sink = _Sink()
        flusher = loop.create_task(self._flush_every(0.05, sink.done))
        t0 = time.perf_counter()
        _t, proto = await loop.create_connection(
            lambda: HotlineAmiProtocol(self.client._dispatch, sink), "127.0.0.1", port)
        self.proto = proto
        await sink.done
        await flusher
        await self.log.flush()  # final flush, inside the timing
        return time.perf_counter() - t0, proto.events_received

    async def _flush_every(self, seconds: float, until: asyncio.Future[None]) -> None:
        # CallEventLog.stop() cancels its task and loses a batch that is being written
        # (hotline/eventlog.py restores rows on Exception only), so flush explicitly.
        while not until.done():
            await asyncio.wait([until], timeout=seconds)
            await self.log.flush()

    async def close(self) -> None:
        self.writer.close()
        await self.engine.dispose()


async def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", type=int, default=200_000)
    ap.add_argument("--full", action="store_true", help="1,000,000 events")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    total = 1_000_000 if args.full else args.events
    print(f"building a stream of >= {total:,} events from {len(SCENARIOS)} recorded scenarios ...")
    stream = b"".join(generate(total))
    server, port = await serve(lambda: iter([stream]))
    peer_best = ours_best = 0.0
    rows = 0
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):
            peer_secs, n = await run_peer(port)
            peer_best = max(peer_best, n / peer_secs)
            pipe = Pipeline(f"sqlite+aiosqlite:///{tmp}/bench-{run}.db")
            await pipe.open()
            secs, m = await pipe.ingest(port)
            rows = pipe.log.written
            ours_best = max(ours_best, m / secs)
            print(f"run {run + 1}: peer {n:,} events {n / peer_secs:,.0f}/s | "
                  f"ours {m:,} events {m / secs:,.0f}/s, {rows:,} call_events rows, "
                  f"{len(pipe.tracker.channels)} channels left")
            await pipe.close()
    server.close()
    ratio = ours_best / peer_best
    ok = ratio >= 0.7 and ours_best >= 20_000
    print(f"peer (panoramisk AMIProtocol, no handlers): {peer_best:,.0f} events/s")
    print(f"ours (decode+tracker+bus+SQLite log):       {ours_best:,.0f} events/s  ratio {ratio:.2f}")
    print(json.dumps({"bench": "ami_ingest", "metric": "events_per_s", "ours": round(ours_best),
                      "peer": round(peer_best), "peer_name": "panoramisk 1.4 AMIProtocol, no handlers",
                      "ratio": round(ratio, 3), "target": "ours >= 0.7x peer and >= 20000 events/s",
                      "ok": ok}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
