import re

import pytest

from hotline.eventlog import CallEventLog
from reports import facts, kpi
from reports.kpi import KPIS, SL_VARIANTS, Counts, KpiRow, formulas, kpi_table, leaderboard
from tests.reports.daydata import DAY, TZ, at, write_day


async def _day(engine, clock):
    log = CallEventLog(engine, clock=clock)
    write_day(log)
    await log.flush()
    since, until = facts.day_bounds(__import__("datetime").date.fromisoformat(DAY), TZ)
    assert await facts.rebuild(engine, since, until, TZ) == 6


async def test_the_hand_computed_day(engine, clock):
    await _day(engine, clock)
    rows = await kpi_table(engine, [DAY], period="15", thresholds={"support": 20, "sales": 30})
    assert [(r.period, r.key) for r in rows] == [(f"{DAY} 09:00", "all")]
    c = rows[0].counts
    assert (c.offered, c.answered, c.abandoned, c.short_abandoned) == (5, 3, 2, 1)
    # c1 (10 s <= 20) and c5 (25 s <= 30 in sales) within; c2 waited 30 s > 20
    assert (c.answered_within, c.abandoned_within) == (2, 1)
    assert (c.wait_answered, c.max_wait) == (65, 40)
    assert (c.talk, c.hold, c.wrap, c.transferred) == (360, 10, 20, 1)
    assert (c.repeat, c.with_number) == (1, 5)  # c4 called again after c3
    fig = rows[0].figures("offered")
    assert fig["service_level"] == pytest.approx(2 / 5)
    assert fig["asa"] == pytest.approx(65 / 3)
    assert fig["aht"] == pytest.approx(130)
    assert fig["abandon_rate"] == pytest.approx(2 / 5)
    assert fig["transfer_rate"] == pytest.approx(1 / 3)
    assert fig["repeat_rate"] == pytest.approx(1 / 5)
    assert fig["longest_wait"] == 40
    expected = {"answered": 2 / 3, "offered": 2 / 5, "offered_no_short": 2 / 4,
                "abandon_within_ok": 3 / 5, "abandon_excluded": 2 / 4}
    assert set(expected) == set(SL_VARIANTS)
    for variant, value in expected.items():
        assert rows[0].figures(variant)["service_level"] == pytest.approx(value), variant


async def test_one_threshold_for_all_and_periods_add_up(engine, clock):
    await _day(engine, clock)
    r20 = (await kpi_table(engine, [DAY], period="day"))[0]
    assert r20.period == DAY and r20.counts.answered_within == 1  # only c1 within 20 s
    by_queue = {r.key: r.counts for r in await kpi_table(engine, [DAY], period="60", by="queue")}
    assert set(by_queue) == {"support", "sales", "—"}  # the IVR abandon has no queue
    assert by_queue["support"].offered == 4 and by_queue["sales"].answered == 1
    week = await kpi_table(engine, [DAY], period="week")
    month = await kpi_table(engine, [DAY], period="month", by="agent")
    assert week[0].period == "2026-W49" and week[0].counts.offered == 5
    assert {r.key: r.counts.answered for r in month} == {"a1": 2, "a2": 1, "—": 0}
    with pytest.raises(ValueError, match="period must be one of"):
        await kpi_table(engine, [DAY], period="7")


async def test_leaderboard_ranks_agents(engine, clock):
    await _day(engine, clock)
    rows = [r for r in await kpi_table(engine, [DAY], period="day", by="agent") if r.key != "—"]
    board = leaderboard(rows, "answered")
    assert [(b["rank"], b["key"], b["value"]) for b in board] == [(1, "a1", 2), (2, "a2", 1)]
    aht = leaderboard(rows, "aht", reverse=False)
    assert [b["key"] for b in aht] == ["a1", "a2"]  # (100+10+20+60)/2 = 95 s < 200 s


# The formula text is evaluated with the counts it names and must give the figure.
PHRASES = {
    "sum of waits of answered calls": "wait_answered", "answered calls transferred": "transferred",
    "calls from a number that called within the repeat window before": "repeat",
    "calls with a number": "with_number", "answered within T s": "answered_within",
    "abandoned within T s": "abandoned_within", "short abandons": "short_abandoned",
    "wrap-up": "wrap", "talk": "talk", "hold": "hold", "answered": "answered",
    "offered": "offered", "abandoned": "abandoned", "logged-in time": "logged_s",
    "break time": "paused_s", "sum of survey scores": "survey_sum", "survey answers": "survey_n",
}


def _eval(formula: str, c: Counts) -> float:
    expr = formula
    order = sorted(PHRASES, key=len, reverse=True)
    for i, phrase in enumerate(order):  # markers first, so a name never matches inside another
        expr = expr.replace(phrase, f"@{i}@")
    for i, phrase in enumerate(order):
        expr = expr.replace(f"@{i}@", f"c.{PHRASES[phrase]}")
    assert re.fullmatch(r"[c.\w\s()+/-]+", expr), expr
    return eval(expr, {"c": c})  # noqa: S307 - our own formula text, checked above


def test_the_formula_text_is_the_computation():
    c = Counts(offered=50, answered=40, abandoned=8, short_abandoned=3, answered_within=30,
               abandoned_within=5, wait_answered=400, max_wait=90, talk=6000, hold=300,
               wrap=900, transferred=4, repeat=6, with_number=45, logged_s=28800, paused_s=3600,
               survey_sum=170, survey_n=40)
    for k in KPIS:
        if k.key in ("offered", "answered", "abandoned", "longest_wait"):
            continue  # counts, not formulas
        assert _eval(k.formula_en, c) == pytest.approx(k.fn(c)), k.key
    for name, (zh, en, fn) in SL_VARIANTS.items():
        assert _eval(en, c) == pytest.approx(fn(c)), name
        assert zh.count("/") == en.count("/") == 1
    texts = {f["key"]: f for f in formulas("offered_no_short", "20")}
    assert texts["service_level"]["formula_en"] == "answered within 20 s / (offered - short abandons)"
    assert texts["service_level"]["formula_zh"].startswith("20 秒内接通")
    assert all(f["zh"] and f["formula_zh"] for f in texts.values())


def test_empty_counts_give_none_not_zero_division():
    fig = KpiRow("p", "all", Counts()).figures("answered")
    assert fig["service_level"] is None and fig["asa"] is None and fig["offered"] == 0


def test_periods_are_labelled():
    assert kpi._period(DAY, 37, "15") == f"{DAY} 09:15"
    assert kpi._period(DAY, 9, "60") == f"{DAY} 09:00"
    assert kpi._period(DAY, 0, "month") == "2026-12"
    assert at(9, 0) < at(9, 15)


async def test_occupancy_utilisation_and_survey_per_agent(engine, clock):
    from sqlalchemy import insert

    from ivr.models import IvrSurveyAnswer
    log = CallEventLog(engine, clock=clock)
    write_day(log)
    for agent in ("a1", "a2"):
        log.log("NONE", "ADDMEMBER", ts=at(8, 30), queue="support", agent=agent)
    log.log("NONE", "ADDMEMBER", ts=at(8, 30), queue="sales", agent="a1")  # two queues: still one agent
    log.log("NONE", "PAUSE", ts=at(9, 20), queue="support", agent="a1")
    log.log("NONE", "UNPAUSE", ts=at(9, 30), queue="support", agent="a1")
    log.log("NONE", "REMOVEMEMBER", ts=at(9, 45), queue="support", agent="a2")
    await log.flush()
    async with engine.begin() as conn:
        for cid, agent, score in (("c1", "a1", 5), ("c5", "a1", 3), ("c2", "a2", 2)):
            await conn.execute(insert(IvrSurveyAnswer).values(call_id=cid, agent=agent, question="q1",
                                                              score=score, answered_at=at(9, 30)))
    since, until = facts.day_bounds(__import__("datetime").date.fromisoformat(DAY), TZ)
    await facts.rebuild(engine, since, until, TZ)
    rows = {(r.period, r.key): r for r in await kpi_table(engine, [DAY], "60", "agent", tz=TZ)}
    a1 = rows[(f"{DAY} 09:00", "a1")]
    # a1: in from 08:30 (never out), 10 min on break 09:20-09:30; c1 130 s + c5 60 s of handling
    assert (a1.counts.logged_s, a1.counts.paused_s) == (3600, 600)
    fig = a1.figures()
    assert fig["occupancy"] == pytest.approx(190 / 3000) and fig["utilisation"] == pytest.approx(190 / 3600)
    assert fig["survey"] == 4.0
    assert rows[(f"{DAY} 08:00", "a1")].counts.logged_s == 1800
    a2 = rows[(f"{DAY} 09:00", "a2")].counts
    assert (a2.logged_s, a2.paused_s, a2.survey_n) == (2700, 0, 1)  # out at 09:45
    day_all = (await kpi_table(engine, [DAY], "day", "all", tz=TZ))[0].counts
    assert day_all.logged_s == 86400 - 8.5 * 3600 + 4500  # a1 to midnight + a2 08:30-09:45
    queue = {r.key: r for r in await kpi_table(engine, [DAY], "day", "queue", tz=TZ)}
    assert queue["support"].figures()["occupancy"] is None  # agents' time is not split by queue
    assert queue["support"].counts.survey_n == 2


async def test_kpis_per_skill_count_a_call_under_each_of_its_skills(engine, clock):
    log = CallEventLog(engine, clock=clock)
    t = at(11, 0)
    for cid, skills, fate in (("s1", ["billing", "zh"], "a"), ("s2", ["billing"], "x"), ("s3", [], "a")):
        log.log(cid, "ENTERQUEUE", ts=t, queue="support", data={"callerid": "", "skills": skills})
        if fate == "a":
            log.log(cid, "CONNECT", ts=t + 4, queue="support", agent="a1", data={"holdtime": 4})
        else:
            log.log(cid, "ABANDON", ts=t + 30, queue="support", data={"waittime": 30})
    await log.flush()
    since, until = facts.day_bounds(__import__("datetime").date.fromisoformat(DAY), TZ)
    await facts.rebuild(engine, since, until, TZ)
    rows = {r.key: r.counts for r in await kpi_table(engine, [DAY], "day", "skill")}
    assert {k: (c.offered, c.answered, c.abandoned) for k, c in rows.items()} == {
        "billing": (2, 1, 1), "zh": (1, 1, 0), "—": (1, 1, 0)}
