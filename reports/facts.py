"""One row per call (``report_call_facts``), derived from the call-event log only.

Reports read this table, not the raw log: a month of calls is 600,000 facts instead of
some five million events. The table is a cache, never a source: :func:`rebuild` deletes
the facts of a time range and derives them again from ``call_events``, so it can be run
at any time (the daily job rebuilds yesterday; ``hotline reports rebuild`` any range),
and the result does not depend on the order the events were written in
(:func:`reports.fates.fate_of` sorts itself; everything else here is a sum, a min or a
max over the call's rows).

A call belongs to the range its **first** row falls in; all its rows are read, also
those after the range's end (a call that started at 23:59 and ended after midnight
belongs to the day it started, as in every contact-centre report).

=============  ==============================================================
column         how it is derived
=============  ==============================================================
start          ts of the call's first row
local_day      ``start`` in the centre's time zone, ``YYYY-MM-DD``
local_minute   minutes since local midnight of ``start`` (0..1439)
queue          the queue of the fate (last queue verdict), else the first ENTERQUEUE's
fate / lost    :func:`reports.fates.fate_of`; lost = not in :data:`NOT_LOST`
entered        ts of the first ENTERQUEUE (NULL: never queued, not offered)
answered_at    ts of the first CONNECT / TAKECALL
agent          the agent of that CONNECT
wait           CONNECT ``holdtime`` for answered, the exit's ``waittime`` for a
               queue exit, else NULL
talk / hold    sum of ``calltime`` / ``hold_s`` over COMPLETE*, *TRANSFER, TAKECOMPLETE
wrap           WRAPUP ts minus the end of talk (the COMPLETE or TRANSFER row), >= 0
caller         ENTERQUEUE ``callerid``, else the first CHAN_START ``caller``
node           the IVR node of the fate, else the last IVR_NODE
transferred    a BLINDTRANSFER or ATTENDEDTRANSFER row
disposition    the WRAPUP's disposition
skills         the skills the first ENTERQUEUE asked for, as ``,billing,zh,``
prev_start     start of the same caller's call before this one (any day), for
               the repeat-call rate; set by :func:`rebuild`, which reads the
               facts of earlier days, so days are rebuilt in order
=============  ==============================================================
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Boolean, Float, Index, Integer, String, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.orm import Mapped, mapped_column

from hotline import kinds
from hotline.db import Base, CallEvent
from reports.fates import Row, fate_of, join_calls, join_ids

# A call that did not reach an agent is lost (呼损) unless it was sent on on purpose.
NOT_LOST = frozenset({"answered", "transferred_out", "blacklisted"})
ABANDON_FATES = frozenset({"short_abandon", "ring_abandon", "queue_abandon"})
_END_KINDS = frozenset({kinds.COMPLETEAGENT, kinds.COMPLETECALLER, kinds.BLINDTRANSFER,
                        kinds.ATTENDEDTRANSFER, "TAKECOMPLETE"})
_TRANSFERS = frozenset({kinds.BLINDTRANSFER, kinds.ATTENDEDTRANSFER})


class CallFactRow(Base):
    __tablename__ = "report_call_facts"

    call_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    start: Mapped[float] = mapped_column(Float, nullable=False)
    local_day: Mapped[str] = mapped_column(String(10), nullable=False)
    local_minute: Mapped[int] = mapped_column(Integer, nullable=False)
    queue: Mapped[str | None] = mapped_column(String(64))
    fate: Mapped[str] = mapped_column(String(24), nullable=False)
    lost: Mapped[bool] = mapped_column(Boolean, nullable=False)
    entered: Mapped[float | None] = mapped_column(Float)
    answered_at: Mapped[float | None] = mapped_column(Float)
    agent: Mapped[str | None] = mapped_column(String(64))
    wait: Mapped[float | None] = mapped_column(Float)
    talk: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    hold: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    wrap: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    caller: Mapped[str | None] = mapped_column(String(32))
    node: Mapped[str | None] = mapped_column(String(64))
    transferred: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    disposition: Mapped[str | None] = mapped_column(String(64))
    prev_start: Mapped[float | None] = mapped_column(Float)  # the caller's call before
    skills: Mapped[str | None] = mapped_column(String(255))  # ",billing,zh," as requested

    __table_args__ = (
        Index("ix_report_call_facts_day", "local_day", "local_minute"),
        Index("ix_report_call_facts_start", "start"),
        Index("ix_report_call_facts_caller_start", "caller", "start"),
    )


@dataclass(frozen=True, slots=True)
class CallFact:
    call_id: str
    start: float
    local_day: str
    local_minute: int
    queue: str | None
    fate: str
    lost: bool
    entered: float | None = None
    answered_at: float | None = None
    agent: str | None = None
    wait: float | None = None
    talk: float = 0.0
    hold: float = 0.0
    wrap: float = 0.0
    caller: str | None = None
    node: str | None = None
    transferred: bool = False
    disposition: str | None = None
    prev_start: float | None = None
    skills: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _num(v: Any) -> float:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else 0.0


def local_day_minute(ts: float, tz: ZoneInfo) -> tuple[str, int]:
    t = dt.datetime.fromtimestamp(ts, tz)
    return t.date().isoformat(), t.hour * 60 + t.minute


def fact_of(call_id: str, rows: Iterable[Row], tz: ZoneInfo, short_s: float = 5.0) -> CallFact:
    """The fact of one call from all its rows, in any order."""
    rs = sorted(rows, key=lambda r: (r.ts, r.id))
    f = fate_of(rs, short_s)
    start = rs[0].ts
    entered = answered = ended = wrapped = None
    first_queue = caller = chan_caller = last_node = disposition = agent = skills = None
    talk = hold = 0.0
    transferred = False
    for r in rs:
        k = r.kind
        if k == kinds.ENTERQUEUE and entered is None:
            entered, first_queue = r.ts, r.queue
            caller = r.data.get("callerid") or None
            asked = r.data.get("skills")
            if isinstance(asked, list) and asked:
                skills = "," + ",".join(sorted(str(x) for x in asked)) + ","
        elif k in (kinds.CONNECT, "TAKECALL") and answered is None:
            answered, agent = r.ts, r.agent
        elif k in _END_KINDS:
            talk += _num(r.data.get("calltime"))
            hold += _num(r.data.get("hold_s"))
            ended = r.ts if ended is None else max(ended, r.ts)
            transferred = transferred or k in _TRANSFERS
        elif k == "WRAPUP":
            wrapped = r.ts
            disposition = r.data.get("disposition") or disposition
        elif k == "CHAN_START" and chan_caller is None:
            chan_caller = r.data.get("caller") or None
        elif k == "IVR_NODE":
            last_node = r.data.get("node") or last_node
    day, minute = local_day_minute(start, tz)
    wrap = max(0.0, wrapped - ended) if wrapped is not None and ended is not None else 0.0
    return CallFact(
        call_id=call_id, start=start, local_day=day, local_minute=minute,
        queue=f.queue or first_queue, fate=f.fate, lost=f.fate not in NOT_LOST,
        entered=entered, answered_at=answered, agent=agent or f.agent, wait=f.wait,
        talk=talk, hold=hold, wrap=round(wrap, 3), caller=str(caller or chan_caller or "") or None,
        node=f.node or last_node, transferred=transferred, disposition=disposition,
        skills=skills[:255] if skills else None)


def facts_of(rows: Iterable[Any], tz: ZoneInfo, short_s: float = 5.0) -> Iterator[CallFact]:
    """Facts of every call in ``rows`` (``call_events`` rows, or objects with its fields);
    a channel's own id is folded into its call (:func:`reports.fates.join_calls`)."""
    pairs = [(e.call_id, Row(e.id, e.ts, e.kind, e.queue, e.agent, e.uniqueid, e.data or {}))
             for e in rows if e.call_id != "NONE"]
    calls = join_calls(pairs)
    for cid in sorted(calls):
        yield fact_of(cid, calls[cid], tz, short_s)


async def rebuild(engine: AsyncEngine, since: float, until: float, tz: ZoneInfo,
                  short_s: float = 5.0, batch: int = 5000) -> int:
    """Derive the facts of the calls whose first row is in ``[since, until)`` again.

    Returns the number of calls written. Calls that started before ``since`` are left as
    they are even if they have rows in the range. The call ids of the range are first
    grouped into calls (a channel's own id with its call, :func:`reports.fates.join_ids`)
    so that a call's rows are always read together."""
    first = (select(CallEvent.call_id)
             .where(CallEvent.ts >= since, CallEvent.ts < until, CallEvent.call_id != "NONE")
             .distinct())
    uids: dict[str, set[str | None]] = {}
    async with engine.connect() as conn:
        candidates = [r[0] for r in (await conn.execute(first)).all()]
        for i in range(0, len(candidates), batch):
            res = await conn.execute(select(CallEvent.call_id, CallEvent.uniqueid).where(
                CallEvent.call_id.in_(candidates[i:i + batch])).distinct())
            for cid, uid in res.all():
                uids.setdefault(cid, set()).add(uid)
    groups = list(join_ids(uids).values())
    out: list[dict[str, Any]] = []
    async with engine.begin() as conn:
        await conn.execute(delete(CallFactRow).where(CallFactRow.start >= since,
                                                     CallFactRow.start < until))
        i = 0
        while i < len(groups):
            ids: list[str] = []
            while i < len(groups) and (not ids or len(ids) + len(groups[i]) <= batch):
                ids += groups[i]
                i += 1
            res = await conn.execute(select(CallEvent).where(CallEvent.call_id.in_(ids)))
            out += [f.as_dict() for f in facts_of(res.all(), tz, short_s) if since <= f.start < until]
        await _link_previous(conn, out, since)
        for j in range(0, len(out), batch):
            part = out[j:j + batch]
            await conn.execute(delete(CallFactRow).where(
                CallFactRow.call_id.in_([o["call_id"] for o in part])))
            await conn.execute(insert(CallFactRow), part)
    return len(out)


async def _link_previous(conn: AsyncConnection, out: list[dict[str, Any]], since: float) -> None:
    """``prev_start`` of each new fact: the caller's call before, in the range or earlier."""
    callers = sorted({o["caller"] for o in out if o["caller"]})
    last: dict[str, float] = {}
    for i in range(0, len(callers), 500):
        res = await conn.execute(
            select(CallFactRow.caller, func.max(CallFactRow.start))
            .where(CallFactRow.caller.in_(callers[i:i + 500]), CallFactRow.start < since)
            .group_by(CallFactRow.caller))
        last.update({c: t for c, t in res.all() if c is not None})
    for o in sorted(out, key=lambda o: (o["start"], o["call_id"])):
        c = o["caller"]
        if c:
            o["prev_start"] = last.get(c)
            last[c] = o["start"]


def day_bounds(day: dt.date, tz: ZoneInfo) -> tuple[float, float]:
    """Epoch seconds of local midnight of ``day`` and of the next day (DST-safe)."""
    a = dt.datetime.combine(day, dt.time(), tz)
    b = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tz)
    return a.timestamp(), b.timestamp()


async def load(engine: AsyncEngine, days: Sequence[str]) -> list[CallFact]:
    """The facts of the given local days, ordered by start."""
    async with engine.connect() as conn:
        res = await conn.execute(select(CallFactRow).where(CallFactRow.local_day.in_(list(days)))
                                 .order_by(CallFactRow.start, CallFactRow.call_id))
        cols = CallFact.__dataclass_fields__
        return [CallFact(**{k: getattr(r, k) for k in cols}) for r in res.all()]
