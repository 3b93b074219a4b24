"""bench/reports.py runs end to end at a small size: the simulated month loads, the facts
are rebuilt, and our KPI table equals the pandas peer's cell by cell (the bench asserts
it); the timings themselves are not tested."""

from __future__ import annotations

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "reports.py"


def _load():
    spec = importlib.util.spec_from_file_location("bench_reports_under_test", BENCH)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_a_small_month_agrees_with_the_peer(capsys):
    bench = _load()
    [r] = bench.main(["--days", "2", "--calls-per-day", "300"])
    assert r["calls"] > 400 and r["rows"] > r["calls"] * 5
    assert r["cells"] > 0 and r["lost_day"][0] > 0
    out = capsys.readouterr().out
    assert "counts equal to the peer's cell by cell" in out


def test_the_profile_has_a_mean_of_one_and_two_peaks():
    bench = _load()
    assert abs(sum(bench.PROFILE) / 24 - 1) < 1e-9
    assert max(bench.PROFILE[9:12]) > 2 and max(bench.PROFILE[14:17]) > 1.8
