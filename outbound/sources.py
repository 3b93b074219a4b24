"""Contact lists built from the product itself: the lost-call callback worklist (呼损回拨,
``reports.winback``), the tickets resolved awaiting their callback (待回访, ``crm``) and a
satisfaction-survey sample of the callers an agent answered (``report_call_facts``).

Each builder adds one pending record per number to a campaign and reports every number it
left out with the reason, never silently::

    {"source": "tickets", "found": 3, "added": 1,
     "skipped": [{"number": "+8613900139000", "reason": "dnc_global"},
                 {"number": "T0000007", "reason": "no_phone"}]}

Left out: numbers already in the campaign (``duplicate``), a second ticket of the same
number (``duplicate``: one call covers both, the record lists both tickets), numbers on
the global or the campaign's do-not-call list (``dnc_global`` / ``dnc_campaign``),
blacklisted customers (``blacklisted``), tickets with no number (``no_phone``). Calling
hours are not checked here: the dialer checks them at dial time, in the callee's time.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from crm import phones
from crm.models import Customer, CustomerPhone, Interaction, Ticket, ticket_number
from crm.workflow import Status
from outbound.lists import campaign_dnc
from outbound.models import OutboundCampaign, OutboundRecord
from reports import winback
from reports.facts import CallFactRow


@dataclass(frozen=True)
class Candidate:
    number: str
    name: str | None
    extra: dict[str, Any]


@dataclass
class SourceReport:
    source: str
    found: int = 0
    added: int = 0
    skipped: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "found": self.found, "added": self.added,
                "skipped": self.skipped}


async def _add(session: AsyncSession, campaign: OutboundCampaign, source: str,
               candidates: Sequence[Candidate], blacklisted: set[str],
               skipped: Sequence[dict[str, str]] = ()) -> SourceReport:
    report = SourceReport(source, found=len(candidates) + len(skipped), skipped=list(skipped))
    existing = set((await session.execute(select(OutboundRecord.number).where(
        OutboundRecord.campaign_id == campaign.id))).scalars())
    dnc = await campaign_dnc(session, campaign)
    for c in candidates:
        refusal = dnc.refusal(c.number, campaign.name)
        reason = ("duplicate" if c.number in existing else refusal.reason.value if refusal
                  else "blacklisted" if c.number in blacklisted else None)
        if reason is not None:
            report.skipped.append({"number": c.number, "reason": reason})
            continue
        existing.add(c.number)
        session.add(OutboundRecord(campaign_id=campaign.id, number=c.number, name=c.name,
                                   extra=json.dumps({"source": source, **c.extra}, ensure_ascii=False),
                                   status="pending", attempts=0))
        report.added += 1
    await session.flush()
    return report


async def from_lost_calls(session: AsyncSession, campaign: OutboundCampaign, since: float,
                          until: float, now: float) -> SourceReport:
    """The callback worklist of the lost calls in ``[since, until)`` (numbers not reached
    since their last lost call), VIPs first, into ``campaign``."""
    engine = session.bind
    assert isinstance(engine, AsyncEngine), "the session must be bound to an AsyncEngine"
    res = await winback.analyse(engine, since, until, now)
    items: list[winback.WorkItem] = res["worklist"]
    names = await _names(session, [w.customer_id for w in items if w.customer_id is not None])
    cands = [Candidate(w.number, names.get(w.customer_id) if w.customer_id else None,
                       {"last_call_id": w.last_call_id, "lost_calls": w.attempts, "queue": w.queue or "",
                        "vip_level": w.vip_level})
             for w in items]
    held = [{"number": h.number, "reason": h.reason} for h in res["held"]]
    return await _add(session, campaign, "lost_calls", cands, set(), held)


async def _names(session: AsyncSession, ids: Sequence[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = (await session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(set(ids))))).all()
    return {i: n for i, n in rows}


async def from_tickets(session: AsyncSession, campaign: OutboundCampaign,
                       resolved_since: float | None = None) -> SourceReport:
    """Tickets resolved and not yet called back (status ``resolved``), oldest first: the
    number the customer called from (the ticket's interaction), else the customer's first
    phone."""
    q = (select(Ticket, Interaction.number, Customer.name, Customer.blacklisted)
         .outerjoin(Interaction, Interaction.id == Ticket.interaction_id)
         .outerjoin(Customer, Customer.id == Ticket.customer_id)
         .where(Ticket.status == Status.RESOLVED.value).order_by(Ticket.resolved_at, Ticket.id))
    if resolved_since is not None:
        q = q.where(Ticket.resolved_at >= resolved_since)
    rows = (await session.execute(q)).all()
    first_phone = dict((await session.execute(
        select(CustomerPhone.customer_id, CustomerPhone.e164).order_by(CustomerPhone.id.desc()))).all())
    by_number: dict[str, Candidate] = {}
    skipped: list[dict[str, str]] = []
    blacklisted: set[str] = set()
    for t, called_from, name, black in rows:
        raw = called_from or (first_phone.get(t.customer_id) if t.customer_id is not None else None)
        number = phones.try_normalize(raw) if raw else None
        if number is None:
            skipped.append({"number": ticket_number(t.id), "reason": "no_phone"})
            continue
        if black:
            blacklisted.add(number)
        known = by_number.get(number)
        if known is not None:  # one call covers every resolved ticket of the number
            known.extra["tickets"].append(ticket_number(t.id))
            skipped.append({"number": number, "reason": "duplicate"})
            continue
        by_number[number] = Candidate(number, name, {"tickets": [ticket_number(t.id)], "title": t.title,
                                                     "customer_id": t.customer_id})
    report = await _add(session, campaign, "tickets", list(by_number.values()), blacklisted, skipped)
    report.found = len(rows)
    return report


async def from_answered_calls(session: AsyncSession, campaign: OutboundCampaign, since: float,
                              until: float, size: int, rng: random.Random) -> SourceReport:
    """A survey sample: ``size`` callers drawn by ``rng`` (seeded by the caller: the same seed,
    the same sample) among the distinct numbers whose calls in ``[since, until)`` an agent
    answered; each with its last answered call. Withheld numbers cannot be sampled."""
    if size < 1:
        raise ValueError(f"a sample needs at least 1 caller, not {size}")
    rows = (await session.execute(select(CallFactRow.caller, CallFactRow.call_id, CallFactRow.queue,
                                         CallFactRow.agent).where(
        CallFactRow.fate == "answered", CallFactRow.start >= since, CallFactRow.start < until)
        .order_by(CallFactRow.start, CallFactRow.call_id))).all()
    last: dict[str, tuple[str, str | None, str | None]] = {}
    for caller, call_id, queue, agent in rows:
        number = winback.e164(caller)
        if number is not None:
            last[number] = (call_id, queue, agent)
    picked = sorted(rng.sample(sorted(last), min(size, len(last))))
    custs = await _customers(session, picked)
    cands = [Candidate(n, custs[n][0] if n in custs else None,
                       {"last_call_id": last[n][0], "queue": last[n][1] or "", "agent": last[n][2] or ""})
             for n in picked]
    return await _add(session, campaign, "survey", cands, {n for n, c in custs.items() if c[1]})


async def _customers(session: AsyncSession, numbers: Sequence[str]) -> dict[str, tuple[str, bool]]:
    """E.164 -> (customer name, blacklisted)."""
    if not numbers:
        return {}
    rows = (await session.execute(select(CustomerPhone.e164, Customer.name, Customer.blacklisted)
                                  .join(Customer, Customer.id == CustomerPhone.customer_id)
                                  .where(CustomerPhone.e164.in_(numbers)))).all()
    return {n: (name, bool(black)) for n, name, black in rows}
