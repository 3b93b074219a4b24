"""Evaluations in the database (SQLite and PostgreSQL): the form in force at the call's
start, stored answers re-scored the same way, the status table, calibration, rates."""

from __future__ import annotations

import pytest

from hotline.db import make_sessionmaker
from qa import evaluations as evs
from qa.forms import FormError
from qa.scoring import AnswerError

T0 = 1_800_000_000.0
DAY = 86400.0


def form(version: int, effective_from: float, *, extra: bool = False) -> dict:
    items = [{"id": "greet", "text": "Standard greeting", "weight": 2},
             {"id": "verify", "text": "Verified identity", "fatal": True},
             {"id": "tone", "text": "Tone 0-4", "kind": "scale", "max": 4, "pass_at": 3},
             {"id": "close", "text": "Standard closing"}]
    if extra:
        items.append({"id": "upsell", "text": "Offered the plan"})
    return {"key": "inbound", "version": version, "effective_from": effective_from,
            "sections": [{"title": "Call", "items": items}]}


# Hand-computed: non-fatal 3 failed of 8 evaluated; fatal 1 of 2; scores 80, 0 (raw 12.5), 93.75.
ANSWERS = [
    ("1001", {"greet": "yes", "verify": "yes", "tone": 4, "close": "no"}),
    ("1001", {"greet": "no", "verify": "no", "tone": "2", "close": "na"}),
    ("1002", {"greet": "yes", "verify": "na", "tone": 3, "close": "yes"}),
]


async def _scored_three(s):
    await evs.publish_form(s, form(1, T0 - 10 * DAY), T0)
    out = []
    for i, (agent, answers) in enumerate(ANSWERS):
        ev = await evs.create(s, recording_id=i + 1, call_id=f"c{i}", agent=agent, call_started_at=T0,
                              form_key="inbound", evaluator="qa", now=T0)
        await evs.submit(s, ev, answers, T0 + i * DAY)
        out.append(ev)
    await s.commit()
    return out


async def test_the_form_in_force_at_the_call_start_is_used(engine):
    async with make_sessionmaker(engine)() as s:
        await evs.publish_form(s, form(1, T0 - 10 * DAY), T0)
        await evs.publish_form(s, form(2, T0, extra=True), T0)
        with pytest.raises(FormError, match="already has a version 2"):
            await evs.publish_form(s, form(2, T0 + DAY), T0)
        old = await evs.create(s, recording_id=1, call_id="c1", agent="1001", call_started_at=T0 - 1,
                               form_key="inbound", evaluator="qa", now=T0 + DAY)
        new = await evs.create(s, recording_id=2, call_id="c2", agent="1001", call_started_at=T0,
                               form_key="inbound", evaluator="qa", now=T0 + DAY)
        assert (old.form_version, new.form_version) == (1, 2)
        with pytest.raises(FormError, match="No version of form 'inbound' was in force"):
            await evs.create(s, recording_id=3, call_id="c3", agent="1001", call_started_at=T0 - 20 * DAY,
                             form_key="inbound", evaluator="qa", now=T0)
        with pytest.raises(AnswerError, match="missing"):  # v1's answers lack v2's item
            await evs.submit(s, new, ANSWERS[0][1], T0)
        assert new.status == "assigned"


async def test_submit_scores_and_stored_answers_rescore_the_same(engine):
    async with make_sessionmaker(engine)() as s:
        a, b, c = await _scored_three(s)
        assert (a.score, b.score, b.raw_score, c.score) == (80.0, 0.0, 12.5, 93.75)
        assert (a.fatal_failed, b.fatal_failed, c.fatal_failed) == (False, True, False)
        again = await evs.scored_of(s, [a, b, c])
        assert [again[e.id].score for e in (a, b, c)] == [80.0, 0.0, 93.75]


async def test_status_table_ack_dispute_resolve(engine):
    async with make_sessionmaker(engine)() as s:
        a, b, c = await _scored_three(s)
        await evs.respond(s, a, agent="1001", kind="acknowledge", text=None, now=T0)
        assert a.status == "acknowledged"
        with pytest.raises(evs.EvaluationError, match="acknowledged cannot be disputed"):
            await evs.respond(s, a, agent="1001", kind="dispute", text="no", now=T0)
        with pytest.raises(evs.EvaluationError, match="needs a reason"):
            await evs.respond(s, b, agent="1001", kind="dispute", text=" ", now=T0)
        assert b.status == "scored"
        await evs.respond(s, b, agent="1001", kind="dispute", text="I did verify", now=T0)
        await evs.resolve(s, b, by="lead", resolution="Checked the recording: upheld", now=T0 + 5)
        assert b.status == "resolved"
        with pytest.raises(evs.EvaluationError, match="resolved cannot be submitted"):
            await evs.submit(s, b, ANSWERS[1][1], T0)


async def test_calibration_spread_per_item(engine):
    async with make_sessionmaker(engine)() as s:
        await evs.publish_form(s, form(1, T0 - DAY), T0)
        for who, tone, close in (("qa", 4, "yes"), ("sup", 2, "yes"), ("lead", 3, "na")):
            ev = await evs.create(s, recording_id=9, call_id="c9", agent="1001", call_started_at=T0,
                                  form_key="inbound", evaluator=who, now=T0)
            await evs.submit(s, ev, {"greet": "yes", "verify": "yes", "tone": tone, "close": close}, T0)
        await evs.create(s, recording_id=9, call_id="c9", agent="1001", call_started_at=T0,
                         form_key="inbound", evaluator="late", now=T0)  # not scored: left out
        scored, spreads = await evs.calibrate(s, 9)
        assert [e.evaluator for e in scored] == ["qa", "sup", "lead"]
        by = {x.item_id: (x.low, x.high, x.spread) for x in spreads}
        assert by["tone"] == (0.5, 1.0, 0.5)
        assert by["greet"] == by["close"] == (1.0, 1.0, 0.0)
        assert spreads[0].item_id == "score" and spreads[1].item_id == "tone"


async def test_rates_per_agent_team_and_period_by_hand(engine):
    async with make_sessionmaker(engine)() as s:
        a, b, c = await _scored_three(s)
        scored = await evs.scored_of(s, [a, b, c])
    rows3 = [(e.agent, e.scored_at, scored[e.id]) for e in (a, b, c)]
    [centre] = evs.rate_table(rows3, "all", lambda _a: ["centre"])
    r = centre.rates
    assert (r.non_fatal_failed, r.non_fatal_evaluated, r.fatal_failed, r.fatal_evaluated) == (3, 8, 1, 2)
    assert r.non_fatal_item_rate == 0.375 and r.fatal_item_rate == 0.5
    assert r.fatal_evaluation_rate == pytest.approx(1 / 3)
    assert r.average_score == pytest.approx((80 + 0 + 93.75) / 3)
    per_agent = {x.group: x.rates for x in evs.rate_table(rows3, "all", lambda ag: [ag or ""])}
    assert per_agent["1001"].non_fatal_item_rate == 0.6 and per_agent["1001"].fatal_item_rate == 0.5
    assert per_agent["1002"].non_fatal_item_rate == 0.0 and per_agent["1002"].fatal_item_rate is None
    days = [(x.group, x.period) for x in evs.rate_table(rows3, "day", lambda _a: ["c"])]
    assert days == [("c", "2027-01-15"), ("c", "2027-01-16"), ("c", "2027-01-17")]


def test_periods_are_utc_day_iso_week_monday_and_month():
    ts = 1_800_000_000.0  # 2027-01-15 (a Friday) 08:00 UTC
    assert evs.period_of(ts, "day") == "2027-01-15"
    assert evs.period_of(ts, "week") == "2027-01-11"
    assert evs.period_of(ts, "month") == "2027-01"
    assert evs.period_of(ts, "all") == "all"
