"""The sampling job: the recorded calls of a period become evaluations assigned to QA
evaluators with a due date (``qa_evaluations.status = assigned``, ``rule`` the reason).

Candidates are the recordings started in ``[since, until)`` that have an agent, files on
disk and no evaluation yet. What the targeted rules read comes from where it is kept:
automatic-QA flags from ``qa_audio_metrics``, hold time from the call-event log
(``HOLD`` .. ``UNHOLD``), the lowest post-call survey score from ``ivr_survey_answers``,
complaints from the CRM tickets of the call's interactions. The picking itself is
:mod:`qa.sampling` (pure, randomness injected).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from crm.models import Interaction, Ticket
from crm.sla import TicketType
from hotline.db import CallEvent
from ivr.models import IvrSurveyAnswer
from qa import evaluations as evs
from qa.forms import FormError
from qa.models import QaAudioMetrics, QaEvaluation
from qa.sampling import Assignment, Candidate, Rules, assign, pick
from recordings.models import MISSING, Recording


@dataclass(frozen=True, slots=True)
class Sampled:
    assignments: tuple[Assignment, ...]
    evaluation_ids: tuple[int, ...]
    errors: tuple[str, ...]


def hold_seconds(events: Sequence[tuple[float, str]]) -> float:
    """Total time on hold from (ts, kind) rows in time order; a hold never released
    counts up to the last event of the call."""
    total, since = 0.0, None
    for ts, kind in events:
        if kind == "HOLD" and since is None:
            since = ts
        elif kind == "UNHOLD" and since is not None:
            total += ts - since
            since = None
    if since is not None and events:
        total += events[-1][0] - since
    return total


async def candidates(session: AsyncSession, since: float, until: float) -> list[Candidate]:
    evaluated = select(QaEvaluation.recording_id)
    recs = (await session.execute(select(Recording).where(
        Recording.started_at >= since, Recording.started_at < until, Recording.agent.is_not(None),
        Recording.status != MISSING, Recording.purged_at.is_(None),
        Recording.id.not_in(evaluated)).order_by(Recording.id))).scalars().all()
    if not recs:
        return []
    ids, calls = [r.id for r in recs], sorted({r.call_id for r in recs})
    flags: dict[int, list[str]] = dict((await session.execute(select(QaAudioMetrics.recording_id, QaAudioMetrics.flags)
                                        .where(QaAudioMetrics.recording_id.in_(ids)))).all())
    events: dict[str, list[tuple[float, str]]] = {}
    for call, ts, kind in (await session.execute(
            select(CallEvent.call_id, CallEvent.ts, CallEvent.kind)
            .where(CallEvent.call_id.in_(calls)).order_by(CallEvent.call_id, CallEvent.ts, CallEvent.id))).all():
        events.setdefault(call, []).append((ts, kind))
    survey = dict((await session.execute(select(IvrSurveyAnswer.call_id, func.min(IvrSurveyAnswer.score))
                                         .where(IvrSurveyAnswer.call_id.in_(calls))
                                         .group_by(IvrSurveyAnswer.call_id))).all())
    complaints = set((await session.execute(
        select(Interaction.call_id).join(Ticket, Ticket.interaction_id == Interaction.id)
        .where(Ticket.type == TicketType.COMPLAINT.value, Interaction.call_id.in_(calls)))).scalars())
    return [Candidate(r.id, r.call_id, r.agent or "", r.duration_s or 0.0, tuple(flags.get(r.id) or ()),
                      hold_seconds(events.get(r.call_id, [])), survey.get(r.call_id), r.call_id in complaints)
            for r in recs]


async def sample(engine: AsyncEngine, *, since: float, until: float, evaluators: Sequence[str],
                 form_key: str, now: float, rng: random.Random, rules: Rules | None = None) -> Sampled:
    """Picks and assigns the period's calls; each becomes an evaluation with the version of
    ``form_key`` in force at the call's start (a call before any version is reported)."""
    rules = rules or Rules()
    async with AsyncSession(engine) as session, session.begin():
        cands = await candidates(session, since, until)
        started = {c.recording_id: r for c, r in zip(cands, (await session.execute(
            select(Recording.started_at).where(Recording.id.in_([c.recording_id for c in cands]))
            .order_by(Recording.id))).scalars(), strict=True)}
        plan = assign(pick(cands, rules, rng), evaluators, now=now, rules=rules)
        ids, errors = [], []
        for a in plan:
            try:
                ev = await evs.create(session, recording_id=a.recording_id, call_id=a.call_id, agent=a.agent,
                                      call_started_at=started[a.recording_id], form_key=form_key,
                                      evaluator=a.evaluator, now=now, rule=a.rule, due_at=a.due_at)
            except FormError as e:
                errors.append(f"recording {a.recording_id}: {e}")
                continue
            ids.append(ev.id)
    return Sampled(tuple(plan), tuple(ids), tuple(errors))
