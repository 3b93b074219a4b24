"""Offered / answered / abandoned per queue, read back from the call-event log."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline import kinds
from hotline.db import CallEvent


@dataclass(frozen=True, slots=True)
class QueueTotals:
    queue: str
    offered: int
    answered: int
    abandoned: int
    other_exits: int

    @property
    def abandon_rate(self) -> float:
        return self.abandoned / self.offered if self.offered else 0.0


async def totals_by_queue(engine: AsyncEngine, since: float | None = None,
                          until: float | None = None) -> list[QueueTotals]:
    """Counts distinct calls per queue: offered = entered the queue; answered = connected
    to an agent at least once; abandoned = hung up while waiting or ringing."""
    wanted = (kinds.ENTERQUEUE, kinds.CONNECT, kinds.ABANDON, kinds.EXITWITHTIMEOUT,
              kinds.EXITWITHKEY, kinds.EXITEMPTY)
    stmt = (select(CallEvent.queue, CallEvent.kind, func.count(func.distinct(CallEvent.call_id)))
            .where(CallEvent.kind.in_(wanted), CallEvent.queue.is_not(None))
            .group_by(CallEvent.queue, CallEvent.kind))
    if since is not None:
        stmt = stmt.where(CallEvent.ts >= since)
    if until is not None:
        stmt = stmt.where(CallEvent.ts < until)
    counts: dict[str, dict[str, int]] = {}
    async with engine.connect() as conn:
        for queue, kind, n in (await conn.execute(stmt)).all():
            if queue is not None:  # excluded by the query; narrows the type
                counts.setdefault(queue, {})[kind] = int(n)
    out = []
    for queue in sorted(counts):
        c = counts[queue]
        out.append(QueueTotals(
            queue=queue,
            offered=c.get(kinds.ENTERQUEUE, 0),
            answered=c.get(kinds.CONNECT, 0),
            abandoned=c.get(kinds.ABANDON, 0),
            other_exits=sum(c.get(k, 0) for k in (kinds.EXITWITHTIMEOUT, kinds.EXITWITHKEY,
                                                  kinds.EXITEMPTY)),
        ))
    return out
