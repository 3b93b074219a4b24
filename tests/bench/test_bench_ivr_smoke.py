"""bench/ivr.py runs end to end at a small size (the figures themselves are not tested)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "ivr.py"


def _load():
    spec = importlib.util.spec_from_file_location("bench_ivr_under_test", BENCH)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_every_session_reaches_the_queue_and_latencies_are_measured():
    bench = _load()
    sessions_per_s, p99_ms, p50_ms = bench.measure("ours", 30, 10, 1000.0)
    assert sessions_per_s > 0
    assert 0 < p50_ms <= p99_ms


def test_the_driver_runs_exactly_concurrency_lines_of_calls(monkeypatch):
    bench = _load()
    live = peak = 0
    real = bench.run_fastagi

    async def counting(*args, **kw):
        nonlocal live, peak
        live += 1
        peak = max(peak, live)
        try:
            return await real(*args, **kw)
        finally:
            live -= 1

    monkeypatch.setattr(bench, "run_fastagi", counting)
    monkeypatch.setattr(bench, "RAMP_S", 0.0)
    bench.measure("ours", 24, 6, 1000.0)
    assert peak == 6
