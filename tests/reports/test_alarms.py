import datetime as dt

import pytest
from sqlalchemy import insert

from hotline.clock import ManualClock
from hotline.eventlog import CallEventLog
from reports import alarms, facts
from reports.alarms import (
    AlarmRuleRow,
    AlarmWatch,
    QueueFigures,
    Rule,
    evaluate,
    figures_from_rows,
    value_of,
)
from tests.reports.daydata import TZ, abandoned, answered, at

NOW = at(10, 0)


def rows(*specs):
    return [(cid, ts, kind, q, data) for cid, ts, kind, q, data in specs]


def test_figures_from_the_log_rows():
    figs = figures_from_rows(rows(
        ("w1", NOW - 90, "ENTERQUEUE", "support", {}),  # still waiting, 90 s
        ("w2", NOW - 30, "ENTERQUEUE", "support", {}),
        ("a1", NOW - 600, "ENTERQUEUE", "support", {}), ("a1", NOW - 590, "CONNECT", "support", {"holdtime": 10}),
        ("a2", NOW - 700, "ENTERQUEUE", "support", {}), ("a2", NOW - 640, "CONNECT", "support", {"holdtime": 60}),
        ("x1", NOW - 400, "ENTERQUEUE", "support", {}), ("x1", NOW - 300, "ABANDON", "support", {"waittime": 100}),
        ("old", NOW - 3000, "ENTERQUEUE", "support", {}), ("old", NOW - 2900, "ABANDON", "support", {}),
        ("stale", NOW - 5 * 3600, "ENTERQUEUE", "support", {}),  # beyond the waiting horizon
        ("future", NOW + 5, "ENTERQUEUE", "sales", {}),
    ), NOW, [20.0, 60.0])
    s = figs["support"]
    assert (s.waiting, s.longest_wait) == (2, 90.0)
    assert (s.decided, s.abandoned, s.arrivals) == (3, 1, 5)  # 'old' decided before the window
    assert s.answered_within == {20.0: 1, 60.0: 2}
    assert "sales" not in figs


def test_rules_fire_by_their_comparison_and_min_calls():
    f = {"support": QueueFigures(12, 75.0, 10, {20.0: 6}, 3, 40, 25.0),
         "sales": QueueFigures(1, 5.0, 2, {20.0: 0}, 2, 2, None)}
    rs = [Rule(1, "too many waiting", "*", "waiting", 10), Rule(2, "long", "support", "longest_wait", 60),
          Rule(3, "sl", "*", "sl_30min", 0.8), Rule(4, "ab", "*", "abandon_rate_30min", 0.2),
          Rule(5, "surge", "*", "arrivals_over_forecast", 50), Rule(6, "off", "*", "waiting", 0, enabled=False)]
    got = {k: round(a.value, 4) for k, a in evaluate(rs, f).items()}
    assert got == {(1, "support"): 12, (2, "support"): 75.0, (3, "support"): 0.6,
                   (4, "support"): 0.3, (5, "support"): 60.0}
    # sales: 2 decided calls < min_calls 5, no forecast: SL, abandon rate and surge not judged
    assert value_of(rs[2], f["sales"]) is None and value_of(rs[4], f["sales"]) is None
    with pytest.raises(ValueError, match="Unknown metric"):
        Rule(9, "x", "*", "calls", 1)


async def test_the_watch_stores_rises_peaks_and_clears_and_survives_a_restart(engine):
    clock = ManualClock(NOW)
    async with engine.begin() as conn:
        await conn.execute(insert(AlarmRuleRow).values(name="排队过多", queue="*", metric="waiting",
                                                       threshold=1, threshold_s=20, min_calls=0,
                                                       enabled=True, created_at=NOW))
    log = CallEventLog(engine, clock=clock)
    for i in range(3):
        log.log(f"c{i}", "ENTERQUEUE", ts=NOW - 10 - i, queue="support")
    await log.flush()
    seen = []
    watch = AlarmWatch(engine, clock, TZ, on_change=lambda r, c: seen.append((len(r), len(c))))
    raised, cleared = await watch.tick()
    assert [(a.queue, a.value) for a in raised] == [("support", 3.0)] and cleared == []
    log.log("c3", "ENTERQUEUE", ts=NOW + 1, queue="support")
    await log.flush()
    clock.advance(15)
    assert await watch.tick() == ([], [])  # still up: no new alarm, the peak goes to 4
    again = AlarmWatch(engine, clock, TZ)  # a restarted backend knows the open alarm
    assert await again.tick() == ([], [])
    for i in range(4):
        log.log(f"c{i}", "CONNECT", ts=NOW + 20, queue="support", data={"holdtime": 25})
    await log.flush()
    clock.advance(15)
    raised, cleared = await again.tick()
    assert raised == [] and [a.queue for a in cleared] == ["support"]
    hist = await alarms.history_of(engine, NOW - 60, NOW + 60)
    assert len(hist) == 1
    h = hist[0]
    assert (h["rule"], h["value"], h["peak"], h["raised_at"], h["cleared_at"]) == ("排队过多", 3.0, 4.0, NOW, NOW + 30)
    assert seen == [(1, 0)]


async def test_arrivals_over_the_same_weekday_forecast(engine):
    day = dt.date(2026, 12, 5)
    log = CallEventLog(engine)
    for w in (1, 2):  # 4 calls at 10:00-10:30 on the two Saturdays before
        d = (day - dt.timedelta(days=7 * w)).isoformat()
        for i in range(4):
            answered(log, f"{d}-{i}", at(10, i, day=d), "support", None, "a1", wait=2, talk=30)
    for i in range(8):  # today 8 in the last half hour: +100 %
        abandoned(log, f"t{i}", at(9, 40 + i), "support", None, wait=5)
    await log.flush()
    for w in (1, 2):
        d = day - dt.timedelta(days=7 * w)
        await facts.rebuild(engine, *facts.day_bounds(d, TZ), TZ)
    rule = Rule(1, "surge", "support", "arrivals_over_forecast", 50, min_calls=2)
    figs = await alarms.live_figures(engine, at(10, 5), TZ, [rule])
    assert figs["support"].forecast == 4.0 and figs["support"].arrivals == 8
    assert value_of(rule, figs["support"]) == 100.0
