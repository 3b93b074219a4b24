"""The call path's CRM lookups as plain Core queries of a ``Connection``: the caller's
record (for the IVR), the screen-pop card (for the agent's console), a ticket's status.

Run them with :class:`crm.reader.CrmReader` (all the statements of one lookup at once)
or, from ORM code, ``await session.run_sync(lambda s: card(s.connection(), number))``.
Each step is one indexed query: the phone (unique index on ``crm_phones.e164``) joined to
its customer and the customer's other numbers, open tickets (``customer_id, status``),
last interactions (``customer_id, started_at`` / ``number, started_at``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import aliased

from crm import phones as ph
from crm.models import Customer, CustomerPhone, Interaction, Ticket, ticket_number
from crm.workflow import OPEN_STATUSES, Status

LAST_INTERACTIONS = 5
OPEN_TICKETS = 20

_c = Customer.__table__.c
_t = Ticket.__table__.c
_i = Interaction.__table__.c
_match = aliased(CustomerPhone)
_other = aliased(CustomerPhone)

# One row per number of the customer who owns :e164 (empty: nobody does).
_CUSTOMER = (select(_c.id, _c.name, _c.vip_level, _c.segment, _c.tags, _c.blacklisted, _c.email,
                    _c.address, _c.notes, _c.owner_agent_id, _c.owner_team_id, _other.e164.label("phone"))
             .join(_match, _match.customer_id == _c.id)
             .join(_other, _other.customer_id == _c.id)
             .where(_match.e164 == bindparam("e164"))
             .order_by(_other.id))
_OPEN_TICKETS = (select(_t.id, _t.type, _t.priority, _t.status, _t.title, _t.assignee,
                        _t.resolution_due, _t.escalation_level)
                 .where(_t.customer_id == bindparam("cid"), _t.status != Status.CLOSED.value)
                 .order_by(_t.created_at.desc()).limit(OPEN_TICKETS))
_HAS_OPEN_TICKET = (select(_t.id).where(_t.customer_id == bindparam("cid"),
                                        _t.status.in_(sorted(str(x) for x in OPEN_STATUSES))).limit(1))
_INTERACTION_COLS = (_i.id, _i.call_id, _i.agent, _i.queue, _i.direction, _i.kind, _i.started_at,
                     _i.ended_at, _i.disposition, _i.notes)
_BY_CUSTOMER = (select(*_INTERACTION_COLS).where(_i.customer_id == bindparam("cid"))
                .order_by(_i.started_at.desc()).limit(LAST_INTERACTIONS))
_BY_NUMBER = (select(*_INTERACTION_COLS).where(_i.number == bindparam("e164"))
              .order_by(_i.started_at.desc()).limit(LAST_INTERACTIONS))
_TICKET = select(_t.status, _t.escalation_level).where(_t.id == bindparam("tid"))


def customer(conn: Connection, raw_number: str) -> dict[str, Any] | None:
    """The customer owning ``raw_number`` (any format), as the card shows it, or None."""
    e164 = ph.try_normalize(raw_number)
    if e164 is None:
        return None
    rows = conn.execute(_CUSTOMER, {"e164": e164}).all()
    if not rows:
        return None
    r = rows[0]
    return {"id": r.id, "name": r.name, "vip_level": r.vip_level, "segment": r.segment,
            "tags": list(r.tags or []), "blacklisted": bool(r.blacklisted), "email": r.email,
            "address": r.address, "notes": r.notes, "owner_agent_id": r.owner_agent_id,
            "owner_team_id": r.owner_team_id, "phones": [row.phone for row in rows]}


def has_open_ticket(conn: Connection, customer_id: int) -> bool:
    return conn.execute(_HAS_OPEN_TICKET, {"cid": customer_id}).first() is not None


def ticket_status(conn: Connection, ticket_id: int) -> tuple[str, int] | None:
    """(status, escalation level) of a ticket, or None."""
    row = conn.execute(_TICKET, {"tid": ticket_id}).first()
    return None if row is None else (row.status, row.escalation_level)


def _region(raw: str) -> dict[str, str]:
    try:
        i = ph.info(raw)
    except ph.PhoneError:
        return {"zh": "", "en": "", "country": ""}
    return {"zh": i.region_zh, "en": i.region_en, "country": i.country}


def card(conn: Connection, raw_number: str) -> dict[str, Any]:
    """What the agent sees at offer time.

    Known caller: ``{"known": True, "number", "region", "customer": {...},
    "open_tickets": [...], "interactions": [...]}``. Unknown: ``{"known": False, "number",
    "region", "open_tickets": [], "interactions": [...]}`` (earlier calls from that number).
    ``number`` is E.164 when the caller id is a valid number, else the raw string (cut).
    """
    e164 = ph.try_normalize(raw_number)
    out: dict[str, Any] = {"known": False, "number": e164 or raw_number[: ph.MAX_RAW_LENGTH],
                           "region": _region(raw_number), "open_tickets": [], "interactions": []}
    if e164 is None:
        return out
    cust = customer(conn, raw_number)
    if cust is None:
        out["interactions"] = [dict(r._mapping) for r in conn.execute(_BY_NUMBER, {"e164": e164})]
        return out
    tickets = conn.execute(_OPEN_TICKETS, {"cid": cust["id"]}).all()
    out.update(
        known=True, customer=cust,
        open_tickets=[{"id": t.id, "number": ticket_number(t.id), "type": t.type, "priority": t.priority,
                       "status": t.status, "title": t.title, "assignee": t.assignee,
                       "resolution_due": t.resolution_due, "escalation_level": t.escalation_level}
                      for t in tickets],
        interactions=[dict(r._mapping) for r in conn.execute(_BY_CUSTOMER, {"cid": cust["id"]})])
    return out
