"""Applies the escalations (督办) that :func:`crm.sla.escalations_due` decides.

Who a ticket escalates to comes from a resolver, so this works without the console's
user tables: :func:`chain_from_tables` builds one from plain mappings, and by default the
departments' ``lead`` / ``manager`` columns are used.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crm.audit import record
from crm.customers import NotFound
from crm.models import Department, Ticket
from crm.sla import Escalation, TicketClock, escalations_due
from crm.workflow import OPEN_STATUSES, Status
from hotline.clock import Clock

log = logging.getLogger(__name__)

Notify = Callable[[str, dict[str, Any]], Awaitable[None]]
ChainResolver = Callable[[TicketClock, int], "str | None"]
"""(ticket, level) -> username to escalate to, or None if nobody is configured."""


def chain_from_tables(leads: Mapping[str, str] | None = None, managers: Mapping[str, str] | None = None,
                      departments: Mapping[int, tuple[str | None, str | None]] | None = None,
                      duty_lead: str | None = None) -> ChainResolver:
    """Level 1: the assignee's lead (``leads``), else the department's lead, else the duty
    lead (for tickets nobody has taken yet). Level 2: the manager of that lead
    (``managers``), else the assignee's manager, else the department's manager."""
    leads, managers, departments = leads or {}, managers or {}, departments or {}

    def resolve(t: TicketClock, level: int) -> str | None:
        dept_lead, dept_manager = departments.get(t.department_id or -1, (None, None))
        lead = leads.get(t.assignee or "") or dept_lead or duty_lead
        if level <= 1:
            return lead
        return managers.get(lead or "") or managers.get(t.assignee or "") or dept_manager

    return resolve


async def department_chain(session: AsyncSession) -> ChainResolver:
    rows = await session.execute(select(Department.id, Department.lead, Department.manager))
    return chain_from_tables(departments={i: (lead, mgr) for i, lead, mgr in rows.all()})


@dataclass(frozen=True, slots=True)
class Applied:
    escalation: Escalation
    to: str | None


def _clock(t: Ticket) -> TicketClock:
    return TicketClock(id=t.id, status=Status(t.status), created_at=t.created_at,
                       response_due=t.response_due, resolution_due=t.resolution_due,
                       accepted_at=t.accepted_at, escalation_level=t.escalation_level,
                       assignee=t.assignee, department_id=t.department_id)


async def apply_escalations(session: AsyncSession, now: float, *, resolver: ChainResolver | None = None,
                            notify: Notify | None = None, actor: str = "system") -> list[Applied]:
    """Escalate every overdue open ticket once, audit it, commit, then notify."""
    rows = await session.execute(
        select(Ticket).where(
            Ticket.status.in_([s.value for s in OPEN_STATUSES]),
            Ticket.escalation_level < 2,
            or_(Ticket.resolution_due <= now, Ticket.response_due <= now),
        ).order_by(Ticket.id))
    tickets = {t.id: t for t in rows.scalars()}
    if not tickets:
        return []
    resolve = resolver or await department_chain(session)
    applied: list[Applied] = []
    for esc in escalations_due([_clock(t) for t in tickets.values()], now):
        t = tickets[esc.ticket_id]
        to = resolve(_clock(t), esc.level)
        record(session, entity="ticket", entity_id=t.id, actor=actor, at=now, action="escalate",
               field="escalation_level", old=t.escalation_level, new=esc.level,
               note=f"{esc.reason} due {esc.breached_at:.0f} missed; to {to or 'nobody configured'}")
        t.escalation_level, t.escalated_to, t.updated_at = esc.level, to, now
        applied.append(Applied(esc, to))
    await session.commit()
    if notify is not None:
        for a in applied:
            t = tickets[a.escalation.ticket_id]
            payload = {"type": "crm.ticket.escalated", "ticket_id": t.id, "number": t.number,
                       "level": a.escalation.level, "reason": a.escalation.reason,
                       "title": t.title, "assignee": t.assignee}
            for user in dict.fromkeys(u for u in (a.to, t.assignee) if u):
                await notify(user, payload)
    return applied


async def escalate_now(session: AsyncSession, ticket_id: int, to: str, *, actor: str, now: float,
                       note: str | None = None) -> Ticket:
    """A manual 督办 by a lead or supervisor: one level up, to the person named."""
    t = await session.get(Ticket, ticket_id)
    if t is None:
        raise NotFound(f"no ticket with id {ticket_id}")
    new_level = min(t.escalation_level + 1, 2)
    record(session, entity="ticket", entity_id=t.id, actor=actor, at=now, action="escalate",
           field="escalation_level", old=t.escalation_level, new=new_level, note=note or f"to {to}")
    t.escalation_level, t.escalated_to, t.updated_at = new_level, to, now
    await session.flush()
    return t


async def escalation_loop(sessions: async_sessionmaker[AsyncSession], clock: Clock, *,
                          notify: Notify | None = None, resolver: ChainResolver | None = None,
                          interval: float = 60.0, stop: asyncio.Event | None = None) -> None:
    """Run the sweep every ``interval`` seconds until ``stop`` is set (the app's lifespan
    starts this as a task). A failed sweep is logged and retried at the next tick."""
    stop = stop or asyncio.Event()
    while not stop.is_set():
        try:
            async with sessions() as session:
                await apply_escalations(session, clock.now(), resolver=resolver, notify=notify)
        except Exception:  # keep sweeping; the next tick retries what failed
            log.exception("escalation sweep failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
