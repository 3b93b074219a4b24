"""A simulated day of calls through the AMI pipeline: is memory flat?

20,000 calls (the recorded scenarios of ``bench/ami_ingest.py`` repeated with fresh ids,
about 2.4 M events, generated lazily) stream over loopback TCP through decode ->
tracker -> bus -> call-event log (SQLite file). RSS (psutil) is sampled before, after a
warm-up of ``--warmup`` calls, at the peak and at the end. OK when the growth from the
warm-up to the end (after the last flush) stays under 30 MB (the "peer" column of the
JSON line is that budget) and the tracker ends with no channels, calls or bridges left.

The peak is printed too: it is dominated by call-event rows waiting for SQLite while
the stream runs ~1000x faster than a real day (a day's 2.4 M events in about a minute).

Run: ``python bench/memory_day.py`` (20,000 calls) or ``--calls N``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ami_ingest import BANNER, Pipeline, serve, templates  # noqa: E402

LIMIT_MB = 30.0


def day(calls: int) -> tuple[Iterator[bytes], int]:
    """(lazy chunks, number of events) for ``calls`` scenario repetitions."""
    tpls = templates()

    def gen() -> Iterator[bytes]:
        yield BANNER
        for rep in range(calls):
            data, _n = tpls[rep % len(tpls)]
            yield data.replace(b"@R@", str(rep).encode())

    return gen(), sum(tpls[r % len(tpls)][1] for r in range(calls))


async def measure(calls: int, warmup: int, tmp: str) -> dict[str, float]:
    proc = psutil.Process()
    rss = lambda: proc.memory_info().rss / 1e6  # noqa: E731
    before = rss()
    chunks, expected = day(calls)
    warmup_events = day(warmup)[1]
    server, port = await serve(lambda: chunks)
    pipe = Pipeline(f"sqlite+aiosqlite:///{tmp}/day.db")
    await pipe.open()
    samples = {"warm": 0.0, "peak": before}

    async def watch() -> None:
        while True:
            mb = rss()
            samples["peak"] = max(samples["peak"], mb)
            if not samples["warm"] and pipe.proto is not None and pipe.proto.events_received >= warmup_events:
                samples["warm"] = mb
            await asyncio.sleep(0.05)

    watcher = asyncio.create_task(watch())
    secs, seen = await pipe.ingest(port)
    watcher.cancel()
    tracker = pipe.tracker
    left = len(tracker.channels) + len(tracker.calls) + len(tracker.bridges)
    rows = pipe.log.written
    await pipe.close()
    server.close()
    gc.collect()
    after = rss()
    warm = samples["warm"] or before
    return {"before": before, "warm": warm, "peak": max(samples["peak"], after), "after": after,
            "growth": after - warm, "events": seen, "expected": expected,
            "left": left, "rows": rows, "secs": secs}


async def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--calls", type=int, default=20_000)
    ap.add_argument("--warmup", type=int, default=2_000)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        r = await measure(args.calls, args.warmup, tmp)
    print(f"{args.calls:,} calls, {r['events']:,} events in {r['secs']:.1f} s, {r['rows']:,} call_events rows")
    print(f"RSS before {r['before']:.1f} MB, after warm-up {r['warm']:.1f} MB, peak {r['peak']:.1f} MB, "
          f"after {r['after']:.1f} MB: growth after warm-up {r['growth']:.1f} MB; "
          f"tracker objects left {r['left']}")
    ok = r["growth"] < LIMIT_MB and r["left"] == 0 and r["events"] == r["expected"]
    print(json.dumps({"bench": "memory_day", "metric": "rss_growth_after_warmup_mb",
                      "ours": round(r["growth"], 1), "peer": LIMIT_MB, "peer_name": "budget (30 MB)",
                      "ratio": round(r["growth"] / LIMIT_MB, 3),
                      "target": "< 30 MB RSS growth after warm-up over 20,000 calls, nothing left",
                      "ok": ok}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
