"""What the IVR needs to know about a caller and a ticket, behind a small port.

``crm/`` implements it (see :mod:`ivr.crm_directory`); :class:`StaticDirectory` is a
real in-memory implementation for tests, demos and the benchmark.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class CallerInfo:
    customer_id: int | None = None
    vip: bool = False
    blacklisted: bool = False
    known: bool = False
    has_open_ticket: bool = False
    language: str | None = None


UNKNOWN_CALLER = CallerInfo()


@dataclass(frozen=True, slots=True)
class TicketStatus:
    ticket_no: str
    status: str  # crm workflow state: open, assigned, escalated, follow_up, callback, closed


class CallerDirectory(Protocol):
    async def lookup_caller(self, number: str) -> CallerInfo: ...

    async def ticket_status(self, ticket_no: str) -> TicketStatus | None: ...


class StaticDirectory:
    def __init__(self, callers: Mapping[str, CallerInfo] | None = None,
                 tickets: Mapping[str, str] | None = None) -> None:
        self.callers = dict(callers or {})
        self.tickets = dict(tickets or {})

    async def lookup_caller(self, number: str) -> CallerInfo:
        return self.callers.get(number, UNKNOWN_CALLER)

    async def ticket_status(self, ticket_no: str) -> TicketStatus | None:
        status = self.tickets.get(ticket_no)
        return None if status is None else TicketStatus(ticket_no, status)
