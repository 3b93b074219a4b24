"""The IVR's :class:`~ivr.directory.CallerDirectory` over ``crm/`` (read only).

VIP: ``vip_level > 0``. Language: a customer tag ``lang:en`` / ``lang:zh`` (crm has no
language column). Ticket numbers are typed as digits (``42`` or ``0000042`` for
``T0000042``); an open ticket with ``escalation_level > 0`` is said as "escalated".
Each lookup runs in one go through :class:`crm.reader.CrmReader`.
"""

from __future__ import annotations

from sqlalchemy import Connection

from crm import cards
from crm.models import parse_ticket_number
from crm.reader import CrmReader
from crm.workflow import OPEN_STATUSES
from ivr.directory import UNKNOWN_CALLER, CallerInfo, TicketStatus

_OPEN = frozenset(str(x) for x in OPEN_STATUSES)


def _caller(conn: Connection, number: str) -> CallerInfo:
    c = cards.customer(conn, number)
    if c is None:
        return UNKNOWN_CALLER
    lang = next((t.split(":", 1)[1] for t in c["tags"] if str(t).startswith("lang:")), None)
    return CallerInfo(customer_id=c["id"], vip=(c["vip_level"] or 0) > 0, blacklisted=c["blacklisted"],
                      known=True, has_open_ticket=cards.has_open_ticket(conn, c["id"]), language=lang)


class CrmDirectory:
    def __init__(self, reader: CrmReader) -> None:
        self.reader = reader

    async def lookup_caller(self, number: str) -> CallerInfo:
        return await self.reader.run(_caller, number)

    async def ticket_status(self, ticket_no: str) -> TicketStatus | None:
        tid = parse_ticket_number(ticket_no)
        if tid is None:
            return None
        found = await self.reader.run(cards.ticket_status, tid)
        if found is None:
            return None
        status, escalation = found
        if escalation > 0 and status in _OPEN:
            status = "escalated"
        return TicketStatus(ticket_no, status)
