"""Caller lookup for the IVR and the screen pop: a caller id in any format -> the record.

Each step is one indexed query: phone (unique index on ``crm_phones.e164``), open
tickets (``customer_id, status``), last interactions (``customer_id, started_at``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, joinedload

from crm import phones as ph
from crm.models import Customer, CustomerPhone, Interaction, Ticket
from crm.workflow import Status

LAST_INTERACTIONS = 5

# One round trip: the matching phone row (unique index) joined to its customer, the
# customer's other numbers eagerly joined in the same statement. Built once.
_match = aliased(CustomerPhone)
_BY_NUMBER = (select(Customer).join(_match, _match.customer_id == Customer.id)
              .where(_match.e164 == bindparam("e164")).options(joinedload(Customer.phones)))


async def find_by_phone(session: AsyncSession, raw: str) -> Customer | None:
    """The customer owning ``raw`` (any format: 013800138000, +86 138..., 010-1234...)."""
    e164 = ph.try_normalize(raw)
    if e164 is None:
        return None
    row = await session.execute(_BY_NUMBER, {"e164": e164})
    return row.unique().scalars().first()


def _region(raw: str) -> dict[str, str]:
    try:
        i = ph.info(raw)
    except ph.PhoneError:
        return {"zh": "", "en": "", "country": ""}
    return {"zh": i.region_zh, "en": i.region_en, "country": i.country}


def _ticket(t: Ticket) -> dict[str, Any]:
    return {"id": t.id, "number": t.number, "type": t.type, "priority": t.priority,
            "status": t.status, "title": t.title, "assignee": t.assignee,
            "resolution_due": t.resolution_due, "escalation_level": t.escalation_level}


def _interaction(i: Interaction) -> dict[str, Any]:
    return {"id": i.id, "call_id": i.call_id, "agent": i.agent, "queue": i.queue,
            "direction": i.direction, "kind": i.kind, "started_at": i.started_at,
            "ended_at": i.ended_at, "disposition": i.disposition, "notes": i.notes}


async def screen_pop_card(session: AsyncSession, raw_number: str) -> dict[str, Any]:
    """What the agent sees at offer time.

    Known caller: ``{"known": True, "number", "region", "customer": {...},
    "open_tickets": [...], "interactions": [...]}``. Unknown: ``{"known": False, "number",
    "region", "open_tickets": [], "interactions": [...]}`` (earlier calls from that number).
    ``number`` is E.164 when the caller id is a valid number, else the raw string (cut).
    """
    e164 = ph.try_normalize(raw_number)
    number = e164 or raw_number[: ph.MAX_RAW_LENGTH]
    card: dict[str, Any] = {"known": False, "number": number, "region": _region(raw_number),
                            "open_tickets": [], "interactions": []}
    customer = await find_by_phone(session, raw_number) if e164 else None
    if customer is None:
        if e164:
            rows = await session.execute(
                select(Interaction).where(Interaction.number == e164)
                .order_by(Interaction.started_at.desc()).limit(LAST_INTERACTIONS))
            card["interactions"] = [_interaction(i) for i in rows.scalars()]
        return card
    tickets = await session.execute(
        select(Ticket).where(Ticket.customer_id == customer.id,
                             Ticket.status != Status.CLOSED.value)
        .order_by(Ticket.created_at.desc()).limit(20))
    inter = await session.execute(
        select(Interaction).where(Interaction.customer_id == customer.id)
        .order_by(Interaction.started_at.desc()).limit(LAST_INTERACTIONS))
    card.update(
        known=True,
        customer={"id": customer.id, "name": customer.name, "vip_level": customer.vip_level,
                  "segment": customer.segment, "tags": list(customer.tags),
                  "blacklisted": customer.blacklisted, "email": customer.email,
                  "address": customer.address, "notes": customer.notes,
                  "owner_agent_id": customer.owner_agent_id,
                  "owner_team_id": customer.owner_team_id,
                  "phones": [p.e164 for p in customer.phones]},
        open_tickets=[_ticket(t) for t in tickets.scalars()],
        interactions=[_interaction(i) for i in inter.scalars()],
    )
    return card
