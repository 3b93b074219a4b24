import datetime as dt
import importlib.util
from pathlib import Path

import pytest

from reports import forecast

BENCH = Path(__file__).resolve().parents[2] / "bench" / "forecast.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_forecast_under_test", BENCH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_same_weekday_is_kept_without_three_weeks_of_history():
    hist = {(dt.date(2026, 12, 7) - dt.timedelta(days=7 * w)).isoformat(): [10.0] * 48 for w in (1, 2)}
    c = forecast.choose(hist, "2026-12-07")
    assert c.method == "same_weekday" and c.forecast == [10.0] * 48
    assert forecast.holt_winters(hist, "2026-12-07") is None


def test_holt_winters_is_chosen_when_it_wins_on_the_week_before():
    bench = _bench()
    hist = bench.history(10, 20_000, seed=4)  # weekly pattern with a +0.4 %/day trend
    day = (dt.date.fromisoformat(max(hist)) + dt.timedelta(days=1)).isoformat()
    c = forecast.choose(hist, day)
    assert c.days == 7
    assert c.method == "holt_winters", c.wape
    assert c.wape["holt_winters"] < c.wape["same_weekday"] < c.wape["day_before"]
    assert sum(c.forecast) == pytest.approx(20_000 * bench.WEEKDAY[dt.date.fromisoformat(day).weekday()]
                                            * (1 + 0.004 * 70), rel=0.05)


def test_a_flat_history_keeps_same_weekday_on_a_tie_or_loss():
    hist = {(dt.date(2026, 12, 7) - dt.timedelta(days=k)).isoformat(): [5.0] * 48 for k in range(1, 36)}
    c = forecast.choose(hist, "2026-12-07")
    assert c.forecast == pytest.approx([5.0] * 48)
    assert c.method in ("same_weekday", "holt_winters")
    if c.method == "holt_winters":
        assert c.wape["holt_winters"] < c.wape["same_weekday"]


def test_the_bench_runs_and_reports_three_methods(capsys):
    res = _bench().main(["--weeks", "5", "--holdout", "1", "--per-day", "2000"])
    assert set(res) == {"ours", "peer", "naive", "product"} and all(v >= 0 for v in res.values())
    assert "best on held-out weeks" in capsys.readouterr().out
