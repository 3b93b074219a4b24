from __future__ import annotations

import random

from qa.sampling import Candidate, Rules, assign, pick


def _cands() -> list[Candidate]:
    out = [Candidate(i, f"c{i}", "1001" if i < 10 else "1002", 120.0) for i in range(20)]
    out[3] = Candidate(3, "c3", "1001", 120.0, ("dead_air",))
    out[12] = Candidate(12, "c12", "1002", 5.0)
    out[15] = Candidate(15, "c15", "1002", 3000.0, ("talk_ratio",))  # flag not targeted
    return out


def test_targeted_calls_plus_k_random_per_agent() -> None:
    got = pick(_cands(), Rules(per_agent=2), random.Random(1))
    rules = {c.recording_id: r for c, r in got}
    assert rules[3] == "flag:dead_air" and rules[12] == "short_talk" and rules[15] == "long_talk"
    randoms = [c for c, r in got if r == "random"]
    assert sorted(c.agent for c in randoms) == ["1001", "1001", "1002", "1002"]
    assert not {3, 12, 15} & {c.recording_id for c in randoms}
    assert got == pick(_cands(), Rules(per_agent=2), random.Random(1))  # seeded: reproducible


def test_assignment_round_robin_with_due_date_and_never_self() -> None:
    picked = pick(_cands(), Rules(per_agent=1, due_days=2), random.Random(2))
    out = assign(picked, ["qa1", "1001"], now=1000.0, rules=Rules(due_days=2))
    assert all(a.due_at == 1000.0 + 2 * 86400 for a in out)
    assert all(a.evaluator != a.agent for a in out)
    assert {a.evaluator for a in out} == {"qa1", "1001"}


def test_hold_time_from_hold_and_unhold_events() -> None:
    from qa.assignment import hold_seconds

    assert hold_seconds([(0, "CONNECT"), (10, "HOLD"), (40, "UNHOLD"), (50, "HOLD"), (55, "UNHOLD")]) == 35
    assert hold_seconds([(0, "CONNECT"), (10, "HOLD"), (25, "HANGUP")]) == 15  # never released
    assert hold_seconds([]) == 0


async def test_the_sampling_job_assigns_targeted_and_random_calls_from_the_database(sqlite_engine) -> None:
    from sqlalchemy import insert, select
    from sqlalchemy.ext.asyncio import AsyncSession

    from crm.models import Interaction, Ticket
    from hotline.db import CallEvent
    from ivr.models import IvrSurveyAnswer
    from qa.assignment import sample
    from qa.evaluations import publish_form
    from qa.models import QaAudioMetrics, QaEvaluation
    from recordings.models import Recording
    from tests.test_qa_evaluations import form

    day = 1_800_000_000.0
    async with AsyncSession(sqlite_engine) as s, s.begin():
        await publish_form(s, form(1, day - 86400), now=day)
    async with sqlite_engine.begin() as conn:
        await conn.execute(insert(Recording), [
            {"id": i, "call_id": f"c{i}", "uniqueid": f"u{i}", "agent": "1001", "queue": "q", "path": f"{i}.wav",
             "started_at": day + i * 60, "policy": "all", "duration_s": 180.0, "status": "ok"} for i in range(1, 9)]
            + [{"id": 9, "call_id": "c9", "uniqueid": "u9", "agent": "1001", "queue": "q", "path": "9.wav",
                "started_at": day - 10, "policy": "all", "duration_s": 5.0, "status": "ok"},  # before the period
               {"id": 10, "call_id": "c10", "uniqueid": "u10", "agent": "1001", "queue": "q", "path": "10.wav",
                "started_at": day + 900, "policy": "all", "duration_s": 5.0, "status": "missing"}])
        await conn.execute(insert(QaAudioMetrics).values(
            recording_id=1, call_id="c1", agent="1001", analysed_at=day, duration_s=180, agent_talk_s=60,
            caller_talk_s=60, talk_ratio=0.5, dead_air_s=30, longest_dead_air_s=30, overtalk_s=0,
            longest_monologue_s=10, first_words_s=1, flags=["dead_air"]))
        await conn.execute(insert(CallEvent), [
            {"ts": day + 120 + off, "call_id": "c2", "kind": k, "data": {}}
            for off, k in ((0, "CONNECT"), (10, "HOLD"), (200, "UNHOLD"))])
        await conn.execute(insert(IvrSurveyAnswer).values(call_id="c3", agent="1001", question="q1", score=1,
                                                          answered_at=day + 400))
        await conn.execute(insert(Interaction).values(id=1, call_id="c4", direction="in", started_at=day))
        await conn.execute(insert(Ticket).values(
            type="complaint", priority="normal", status="open", title="rude", interaction_id=1, created_by="1001",
            created_at=day, updated_at=day, response_due=day, resolution_due=day))
    out = await sample(sqlite_engine, since=day, until=day + 86400, evaluators=["qa", "qa2"], form_key="inbound",
                       now=day + 86400, rng=random.Random(7), rules=Rules(per_agent=1, short_talk_s=None))
    assert out.errors == ()
    rules = {a.recording_id: a.rule for a in out.assignments}
    assert rules.pop(1) == "flag:dead_air" and rules.pop(2) == "long_hold"
    assert rules.pop(3) == "low_survey" and rules.pop(4) == "complaint"
    assert list(rules.values()) == ["random"] and set(rules) <= {5, 6, 7, 8}  # 9: outside, 10: file missing
    async with sqlite_engine.connect() as conn:
        evs = (await conn.execute(select(QaEvaluation).order_by(QaEvaluation.recording_id))).all()
    assert [e.id for e in evs] == sorted(out.evaluation_ids) and len(evs) == 5
    assert {e.status for e in evs} == {"assigned"} and {e.evaluator for e in evs} == {"qa", "qa2"}
    assert all(e.due_at == day + 86400 + 3 * 86400 and e.form_version == 1 for e in evs)
    again = await sample(sqlite_engine, since=day, until=day + 86400, evaluators=["qa"], form_key="inbound",
                         now=day + 86400, rng=random.Random(7), rules=Rules(per_agent=1, short_talk_s=None))
    assert {a.recording_id for a in again.assignments} <= {5, 6, 7, 8} - set(rules)  # never twice
