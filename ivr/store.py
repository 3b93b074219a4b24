"""Storage of the IVR's own records: after-hours work items and survey answers.

``list_work_items`` is what agents see next morning: open voicemails and callback
requests, oldest first, each with the caller's number.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from ivr.models import IvrSurveyAnswer, IvrWorkItem


@dataclass(frozen=True, slots=True)
class WorkItem:
    id: int
    kind: str  # voicemail | callback
    call_id: str
    caller_num: str
    caller_name: str | None
    number: str
    queue: str
    language: str | None
    customer_id: int | None
    path: str | None
    duration_s: float | None
    created_at: float
    done_at: float | None
    done_by: str | None


class IvrStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def add_work_item(self, *, kind: str, call_id: str, caller_num: str, number: str,
                            queue: str, created_at: float, uniqueid: str | None = None,
                            caller_name: str | None = None, language: str | None = None,
                            customer_id: int | None = None, path: str | None = None,
                            duration_s: float | None = None) -> int:
        if kind not in ("voicemail", "callback"):
            raise ValueError(f"unknown work item kind {kind!r}; use voicemail or callback")
        async with self.engine.begin() as conn:
            res = await conn.execute(insert(IvrWorkItem).values(
                kind=kind, call_id=call_id, uniqueid=uniqueid, caller_num=caller_num,
                caller_name=caller_name, number=number, queue=queue, language=language,
                customer_id=customer_id, path=path, duration_s=duration_s, created_at=created_at,
            ).returning(IvrWorkItem.id))
            return int(res.scalar_one())

    async def list_work_items(self, *, open_only: bool = True, queue: str | None = None,
                              since: float | None = None, limit: int = 500) -> list[WorkItem]:
        q = select(*IvrWorkItem.__table__.c).order_by(IvrWorkItem.created_at, IvrWorkItem.id).limit(limit)
        if open_only:
            q = q.where(IvrWorkItem.done_at.is_(None))
        if queue is not None:
            q = q.where(IvrWorkItem.queue == queue)
        if since is not None:
            q = q.where(IvrWorkItem.created_at >= since)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(q)).mappings().all()
        names = [f.name for f in fields(WorkItem)]
        return [WorkItem(**{k: r[k] for k in names}) for r in rows]

    async def mark_done(self, item_id: int, *, by: str, at: float) -> bool:
        """Close a work item. False when it does not exist or was already done."""
        async with self.engine.begin() as conn:
            res = await conn.execute(update(IvrWorkItem)
                                     .where(IvrWorkItem.id == item_id, IvrWorkItem.done_at.is_(None))
                                     .values(done_at=at, done_by=by))
            return bool(res.rowcount)

    async def add_survey_answer(self, *, call_id: str, agent: str | None, question: str,
                                score: int, answered_at: float) -> None:
        if not 1 <= score <= 5:
            raise ValueError(f"a survey score is 1 to 5, not {score}")
        async with self.engine.begin() as conn:
            await conn.execute(insert(IvrSurveyAnswer).values(
                call_id=call_id, agent=agent, question=question, score=score, answered_at=answered_at))

    async def survey_answers(self, call_id: str) -> dict[str, int]:
        q = (select(IvrSurveyAnswer.question, IvrSurveyAnswer.score)
             .where(IvrSurveyAnswer.call_id == call_id).order_by(IvrSurveyAnswer.id))
        async with self.engine.connect() as conn:
            return {q_: s for q_, s in (await conn.execute(q)).all()}

    async def agent_scores(self, agent: str, since: float | None = None) -> dict[str, tuple[float, int]]:
        """Per question: (average score, number of answers) for one agent."""
        q = (select(IvrSurveyAnswer.question, func.avg(IvrSurveyAnswer.score), func.count())
             .where(IvrSurveyAnswer.agent == agent).group_by(IvrSurveyAnswer.question))
        if since is not None:
            q = q.where(IvrSurveyAnswer.answered_at >= since)
        async with self.engine.connect() as conn:
            return {qn: (float(avg), int(n)) for qn, avg, n in (await conn.execute(q)).all()}
