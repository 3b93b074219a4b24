"""The IVR's :class:`~ivr.directory.CallerDirectory` over ``crm/`` (read only).

VIP: ``vip_level > 0``. Language: a customer tag ``lang:en`` / ``lang:zh`` (crm has no
language column). Ticket numbers are typed as digits (``42`` or ``0000042`` for
``T0000042``); an open ticket with ``escalation_level > 0`` is said as "escalated".
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crm.lookup import find_by_phone
from crm.models import Ticket, parse_ticket_number
from crm.workflow import OPEN_STATUSES
from ivr.directory import UNKNOWN_CALLER, CallerInfo, TicketStatus


class CrmDirectory:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def lookup_caller(self, number: str) -> CallerInfo:
        async with self.sessions() as s:
            c = await find_by_phone(s, number)
            if c is None:
                return UNKNOWN_CALLER
            open_ticket = (await s.execute(
                select(Ticket.id).where(Ticket.customer_id == c.id,
                                        Ticket.status.in_([str(x) for x in OPEN_STATUSES])).limit(1)
            )).first() is not None
        lang = next((t.split(":", 1)[1] for t in (c.tags or []) if str(t).startswith("lang:")), None)
        return CallerInfo(customer_id=c.id, vip=c.vip_level > 0, blacklisted=c.blacklisted, known=True,
                          has_open_ticket=open_ticket, language=lang)

    async def ticket_status(self, ticket_no: str) -> TicketStatus | None:
        tid = parse_ticket_number(ticket_no)
        if tid is None:
            return None
        async with self.sessions() as s:
            t = await s.get(Ticket, tid)
        if t is None:
            return None
        status = t.status
        if t.escalation_level > 0 and status in {str(x) for x in OPEN_STATUSES}:
            status = "escalated"
        return TicketStatus(ticket_no, status)
