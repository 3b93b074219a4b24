"""Win-back (呼损挽回): was each lost caller reached later, and the callback worklist of
those who were not.

**Reached** — a lost call is reached when, after it started and within ``horizon_s``
(default 72 h), the same number had an answered contact: an inbound call of theirs that an
agent answered (``report_call_facts``), or an outbound call to them that was answered
(``crm_interactions`` with direction ``out`` and ``answered_at``: callbacks from this
worklist, campaign calls). Numbers are compared in E.164 (``crm.phones``).

**Recovery rate of a day** = lost callers of that day who were reached after their *last*
lost call of the day / lost callers of that day. Per caller, not per call: a caller who
tried three times and was reached once is one recovered caller. Withheld numbers cannot be
called back and are counted apart (``unreachable``).

**Worklist** — every number with a lost call in the window that was not reached after
its last lost call, one line per number (attempts = its lost calls), VIP first (the CRM's
``vip_level``), then the most lost calls, then the oldest. Numbers of blacklisted customers
are left out, and so are numbers that may not be called now (``refusal(number, now)``
gives the reason, e.g. the outbound calling hours): those are returned in ``held`` with
the reason, never silently dropped.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from crm import phones
from crm.models import Customer, CustomerPhone, Interaction
from reports.facts import CallFact, CallFactRow

HORIZON_S = 72 * 3600.0


@lru_cache(maxsize=65536)
def e164(raw: str | None) -> str | None:
    if not raw:
        return None
    return phones.try_normalize(raw)


@dataclass(frozen=True, slots=True)
class Contact:
    """An answered contact with a number: ``via`` is ``inbound`` or ``outbound``."""
    number: str
    at: float
    via: str
    ref: str = ""


@dataclass(frozen=True, slots=True)
class Recovery:
    call_id: str
    number: str | None
    lost_at: float
    reached_at: float | None
    via: str | None

    @property
    def reached(self) -> bool:
        return self.reached_at is not None

    @property
    def delay_s(self) -> float | None:
        return None if self.reached_at is None else self.reached_at - self.lost_at


def recoveries(lost: Iterable[CallFact], contacts: Iterable[Contact],
               horizon_s: float = HORIZON_S) -> list[Recovery]:
    """For every lost call, the first answered contact with its number after it."""
    by_number: dict[str, list[Contact]] = {}
    for c in contacts:
        by_number.setdefault(c.number, []).append(c)
    for cs in by_number.values():
        cs.sort(key=lambda c: c.at)
    out = []
    for f in sorted(lost, key=lambda f: (f.start, f.call_id)):
        num = e164(f.caller)
        hit = next((c for c in by_number.get(num or "", ())
                    if f.start < c.at <= f.start + horizon_s), None)
        out.append(Recovery(f.call_id, num, f.start, hit.at if hit else None,
                            hit.via if hit else None))
    return out


@dataclass(frozen=True, slots=True)
class DayRecovery:
    day: str
    lost_callers: int
    recovered: int
    unreachable: int  # lost calls with no callable number
    median_delay_s: float | None

    @property
    def rate(self) -> float:
        return self.recovered / self.lost_callers if self.lost_callers else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"day": self.day, "lost_callers": self.lost_callers, "recovered": self.recovered,
                "unreachable": self.unreachable, "rate": round(self.rate, 4),
                "median_delay_s": self.median_delay_s}


def recovery_by_day(lost: Sequence[CallFact], recs: Sequence[Recovery]) -> list[DayRecovery]:
    day_of = {f.call_id: f.local_day for f in lost}
    last: dict[tuple[str, str], Recovery] = {}
    unreachable: dict[str, int] = {}
    for r in recs:  # in start order: the last one of a (day, number) wins
        day = day_of[r.call_id]
        if r.number is None:
            unreachable[day] = unreachable.get(day, 0) + 1
        else:
            last[(day, r.number)] = r
    out = []
    for day in sorted(set(day_of.values())):
        mine = [r for (d, _), r in last.items() if d == day]
        delays = sorted(r.delay_s for r in mine if r.delay_s is not None)
        med = delays[len(delays) // 2] if delays else None
        out.append(DayRecovery(day, len(mine), sum(r.reached for r in mine),
                               unreachable.get(day, 0), med))
    return out


@dataclass(frozen=True, slots=True)
class WorkItem:
    number: str
    last_call_id: str
    last_lost_at: float
    attempts: int
    queue: str | None
    vip_level: int = 0
    customer_id: int | None = None
    assignee: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in WorkItem.__dataclass_fields__}


@dataclass(frozen=True, slots=True)
class Held:
    number: str
    reason: str


@dataclass(frozen=True, slots=True)
class Customerish:
    id: int
    vip_level: int
    blacklisted: bool


def worklist(lost: Sequence[CallFact], recs: Sequence[Recovery],
             customers: dict[str, Customerish], now: float,
             refusal: Callable[[str, float], str | None] | None = None,
             ) -> tuple[list[WorkItem], list[Held]]:
    """Numbers to call back now, and those held back with why (pure)."""
    by_call = {f.call_id: f for f in lost}
    per_number: dict[str, list[Recovery]] = {}
    for r in recs:
        if r.number is not None:
            per_number.setdefault(r.number, []).append(r)
    items, held = [], []
    for num, rs in per_number.items():
        rs.sort(key=lambda r: r.lost_at)
        if rs[-1].reached:
            continue
        c = customers.get(num)
        if c is not None and c.blacklisted:
            held.append(Held(num, "blacklisted"))
            continue
        why = refusal(num, now) if refusal is not None else None
        if why:
            held.append(Held(num, why))
            continue
        f = by_call[rs[-1].call_id]
        items.append(WorkItem(num, f.call_id, f.start, len(rs), f.queue,
                              c.vip_level if c else 0, c.id if c else None))
    items.sort(key=lambda w: (-w.vip_level, -w.attempts, w.last_lost_at, w.number))
    held.sort(key=lambda h: h.number)
    return items, held


def assign(items: Sequence[WorkItem], agents: Sequence[str], group: str = "callback") -> list[WorkItem]:
    """Round-robin over ``agents`` in worklist order (VIPs spread first); with no agents
    every item goes to the callback group."""
    cycle = itertools.cycle(agents) if agents else itertools.repeat(group)
    return [WorkItem(**{**w.as_dict(), "assignee": next(cycle)}) for w in items]


# --- reading the database -------------------------------------------------------------

async def lost_facts(engine: AsyncEngine, since: float, until: float) -> list[CallFact]:
    async with engine.connect() as conn:
        res = await conn.execute(select(CallFactRow).where(
            CallFactRow.lost.is_(True), CallFactRow.start >= since, CallFactRow.start < until)
            .order_by(CallFactRow.start))
        cols = CallFact.__dataclass_fields__
        return [CallFact(**{k: getattr(r, k) for k in cols}) for r in res.all()]


async def contacts(engine: AsyncEngine, since: float, until: float) -> list[Contact]:
    """Answered contacts in ``[since, until)``: inbound facts and outbound interactions."""
    out: list[Contact] = []
    async with engine.connect() as conn:
        res = await conn.execute(select(CallFactRow.caller, CallFactRow.answered_at,
                                        CallFactRow.call_id).where(
            CallFactRow.answered_at.is_not(None), CallFactRow.fate == "answered",
            CallFactRow.answered_at >= since, CallFactRow.answered_at < until))
        for caller, at, cid in res.all():
            num = e164(caller)
            if num and at is not None:
                out.append(Contact(num, at, "inbound", cid))
        res = await conn.execute(select(Interaction.number, Interaction.answered_at,
                                        Interaction.id).where(
            Interaction.direction == "out", Interaction.answered_at.is_not(None),
            Interaction.answered_at >= since, Interaction.answered_at < until))
        for num, at, iid in res.all():
            if num and at is not None:
                out.append(Contact(num, at, "outbound", f"interaction:{iid}"))
    return out


async def customers_of(engine: AsyncEngine, numbers: Iterable[str]) -> dict[str, Customerish]:
    nums = sorted(set(numbers))
    out: dict[str, Customerish] = {}
    async with engine.connect() as conn:
        for i in range(0, len(nums), 500):
            res = await conn.execute(
                select(CustomerPhone.e164, Customer.id, Customer.vip_level, Customer.blacklisted)
                .join(Customer, Customer.id == CustomerPhone.customer_id)
                .where(CustomerPhone.e164.in_(nums[i:i + 500])))
            for num, cid, vip, black in res.all():
                out[num] = Customerish(cid, int(vip or 0), bool(black))
    return out


async def analyse(engine: AsyncEngine, since: float, until: float, now: float,
                  refusal: Callable[[str, float], str | None] | None = None,
                  agents: Sequence[str] = (), horizon_s: float = HORIZON_S,
                  ) -> dict[str, Any]:
    """Recoveries of the lost calls in ``[since, until)``, contacts read up to ``now``."""
    lost = await lost_facts(engine, since, until)
    recs = recoveries(lost, await contacts(engine, since, max(now, until)), horizon_s)
    custs = await customers_of(engine, [r.number for r in recs if r.number])
    items, held = worklist(lost, recs, custs, now, refusal)
    return {"days": [d.as_dict() for d in recovery_by_day(lost, recs)],
            "recoveries": recs, "worklist": assign(items, agents), "held": held}


async def record_attempt(engine: AsyncEngine, item: WorkItem, agent: str, at: float,
                         outcome: str, answered: bool, notes: str = "") -> int:
    """Write one callback attempt to the CRM interactions (answered closes the item)."""
    async with engine.begin() as conn:
        res = await conn.execute(insert(Interaction).values(
            customer_id=item.customer_id, call_id=item.last_call_id, number=item.number,
            agent=agent, queue=item.queue, direction="out", kind="callback", started_at=at,
            answered_at=at if answered else None, disposition=outcome, notes=notes or None))
        return int(res.inserted_primary_key[0]) if res.inserted_primary_key else 0


def local_day(ts: float, tz: dt.tzinfo) -> str:
    return dt.datetime.fromtimestamp(ts, tz).date().isoformat()
