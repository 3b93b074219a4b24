import datetime as dt
import random

import pytest

from hotline.eventlog import CallEventLog
from reports import facts, staffing
from reports.erlang import erlang_a
from reports.staffing import IntervalHistory, backtest, forecast_same_weekday, plan, what_if
from tests.reports.daydata import TZ, abandoned, answered, at

DAY = "2026-12-07"  # a Monday
WEEKDAY = [2.0, 1.0, 1.0, 1.0, 1.2, 0.5, 0.3]  # Monday twice a Tuesday; quiet weekends
SHAPE = [0] * 8 + [40, 80, 100, 90, 60, 70, 90, 80, 60, 40, 20] + [0] * 5  # per hour


def synthetic(weeks: int, noise: float = 0.0, seed: int = 3) -> dict[str, list[float]]:
    rng = random.Random(seed)
    out = {}
    end = dt.date.fromisoformat(DAY)
    for k in range(1, 7 * weeks + 1):
        d = end - dt.timedelta(days=k)
        out[d.isoformat()] = [max(0.0, s * WEEKDAY[d.weekday()] * (1 + rng.uniform(-noise, noise)))
                              for s in SHAPE]
    return out


def test_the_same_weekday_forecast_finds_a_known_weekly_pattern():
    hist = synthetic(5)
    assert forecast_same_weekday(hist, DAY) == pytest.approx([s * 2.0 for s in SHAPE])
    tuesday = (dt.date.fromisoformat(DAY) - dt.timedelta(days=6)).isoformat()
    assert forecast_same_weekday(hist, tuesday, weeks=2) == pytest.approx(SHAPE)
    assert forecast_same_weekday({}, DAY) is None


def test_backtest_beats_the_day_before_on_a_weekly_pattern():
    hist = synthetic(6, noise=0.1)
    held = [(dt.date.fromisoformat(DAY) - dt.timedelta(days=k)).isoformat() for k in range(1, 8)]
    b = backtest(hist, held, weeks=4)
    assert b.days == 7
    assert b.wape_same_weekday < 0.08 < b.wape_day_before  # noise 10 % vs the weekly swing


def _hist(offered: int, aht: float, abandons: int = 0, waits: float = 0.0, slots: int = 48, at_slot: int = 20):
    rows = [IntervalHistory()] * slots
    rows[at_slot] = IntervalHistory(offered, offered - abandons, abandons, aht * (offered - abandons), waits)
    return rows


def test_plan_erlang_c_published_example_and_shrinkage():
    # 100 calls per half hour, AHT 180 s: 80 % in 20 s needs 14 agents (published tables)
    hist = {(dt.date.fromisoformat(DAY) - dt.timedelta(days=7 * w)).isoformat(): _hist(100, 180.0)
            for w in (1, 2, 3, 4)}
    p = plan(DAY, hist, 30, target_sl=0.8, target_s=20, shrinkage=0.3)
    row = p.rows[20]
    assert (row.slot, row.forecast, row.aht, row.erlang_c) == ("10:00", 100.0, 180.0, 14)
    assert p.model == "erlang_c" and row.erlang_a is None and p.patience is None
    assert row.required == 20  # ceil(14 / 0.7)
    assert p.rows[0].required == 0 and len(p.rows) == 48
    assert len(p.days_used) == 4
    with pytest.raises(ValueError, match="shrinkage"):
        plan(DAY, hist, 30, shrinkage=1.0)


def test_plan_erlang_a_uses_the_measured_patience():
    # 10 abandons over waits summing 1,200 s: mean patience 120 s (exponential MLE)
    hist = {(dt.date.fromisoformat(DAY) - dt.timedelta(days=7)).isoformat(): _hist(100, 180.0, 10, 1200.0)}
    p = plan(DAY, hist, 30, shrinkage=0.0)
    assert p.patience == 120.0 and p.model == "erlang_a"
    row = p.rows[20]
    rate = 100 / 1800
    assert erlang_a(rate, 180, row.erlang_a, 120, 20).service_level >= 0.8
    assert erlang_a(rate, 180, row.erlang_a - 1, 120, 20).service_level < 0.8
    assert row.erlang_a <= row.erlang_c and row.required == row.erlang_a


def test_what_if_runs_the_real_router_and_more_agents_help():
    hist = {(dt.date.fromisoformat(DAY) - dt.timedelta(days=7)).isoformat(): _hist(100, 180.0, 10, 1200.0)}
    p = plan(DAY, hist, 30)
    row = p.rows[20]
    few, many = (what_if(row, n, 30, p.patience, seed=5) for n in (10, 16))
    assert 0 <= few.service_level < many.service_level <= 1
    assert few.abandon_rate > many.abandon_rate


async def test_staffing_from_the_database_with_logged_in_agents(engine, clock):
    log = CallEventLog(engine, clock=clock)
    days = []
    for w in (1, 2):
        d = (dt.date.fromisoformat(DAY) - dt.timedelta(days=7 * w)).isoformat()
        days.append(d)
        for i in range(6):
            answered(log, f"{d}-a{i}", at(10, i, day=d), "support", None, "a1", wait=5, talk=170, wrap=10)
        abandoned(log, f"{d}-x", at(10, 20, day=d), "support", None, wait=60)
    days.append(DAY)
    log.log("NONE", "ADDMEMBER", ts=at(9, 0, day=DAY), queue="support", agent="a1")
    log.log("NONE", "ADDMEMBER", ts=at(9, 0, day=DAY), queue="support", agent="a2")
    answered(log, "today", at(10, 0, day=DAY), "support", None, "a1", wait=1, talk=100)
    await log.flush()
    for d in days:
        await facts.rebuild(engine, *facts.day_bounds(dt.date.fromisoformat(d), TZ), TZ)
    p = await staffing.staffing(engine, DAY, TZ, interval_min=30, shrinkage=0.25)
    row = p.rows[20]  # 10:00-10:30
    assert row.forecast == 7.0 and row.aht == 180.0  # (170 + 10) per answered call
    assert p.patience == pytest.approx((6 * 5 + 60) * 2 / 2)  # waits 90 per day / 1 abandon
    assert row.logged_in == 2 and p.rows[10].logged_in == 0  # 05:00 nobody yet
    assert row.actual == 1 and row.gap == 2 - row.required
    assert p.as_dict()["rows"][20]["slot"] == "10:00"
    with pytest.raises(ValueError, match="15, 30 or 60"):
        await staffing.staffing(engine, DAY, TZ, interval_min=20)


def test_what_if_on_a_skills_matrix_through_the_router():
    from reports.staffing import parse_groups, parse_mix, what_if_matrix

    assert parse_groups("billing:5,zh:3=4; billing=8") == (((("billing", 5), ("zh", 3)), 4), ((("billing", 5),), 8))
    assert parse_mix("billing=0.7\nzh,billing=0.3") == ((("billing",), 0.7), (("billing", "zh"), 0.3))
    for bad, why in (("billing:5", "write skill:level"), ("billing:11=2", "level from 1 to 10"), ("", "at least one")):
        with pytest.raises(ValueError, match=why):
            parse_groups(bad)
    with pytest.raises(ValueError, match="skill,skill=share"):
        parse_mix("billing=lots")
    mix = "billing=0.7; billing,zh=0.3"
    few = what_if_matrix(200, 180, 120, "billing:5=11; billing:5,zh:5=1", mix, seed=3)
    more = what_if_matrix(200, 180, 120, "billing:5=8; billing:5,zh:5=4", mix, seed=3)
    assert few["agents"] == more["agents"] == 12  # the same head count, skills moved
    zh = {r["type"]: r for r in few["by_type"]}["billing+zh"]
    zh_more = {r["type"]: r for r in more["by_type"]}["billing+zh"]
    assert zh_more["service_level"] > zh["service_level"] + 0.2  # one zh agent cannot keep up
    assert sum(r["offered"] for r in more["by_type"]) == more["offered"]
