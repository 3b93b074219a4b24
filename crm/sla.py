"""SLA due times and escalation (督办). Pure: the caller passes ``now``.

A ticket breaches when it is not accepted by ``response_due`` or not resolved by
``resolution_due``. At the breach it escalates to level 1 (the assignee's lead); if it is
still open ``MANAGER_AFTER`` of its resolution window later, to level 2 (their manager).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from crm.workflow import OPEN_STATUSES, Status

HOUR = 3600.0


class TicketType(StrEnum):
    COMPLAINT = "complaint"
    INQUIRY = "inquiry"
    REQUEST = "request"
    AFTER_SALES = "after_sales"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


@dataclass(frozen=True, slots=True)
class Sla:
    response: float  # seconds from opening to acceptance (受理)
    resolution: float  # seconds from opening to resolved (办结)


_T, _P = TicketType, Priority

# Seconds. Complaints are the tightest; urgent anything is answered within 15 minutes.
SLA_TABLE: dict[tuple[TicketType, Priority], Sla] = {
    (_T.COMPLAINT, _P.URGENT): Sla(0.25 * HOUR, 4 * HOUR),
    (_T.COMPLAINT, _P.HIGH): Sla(1 * HOUR, 24 * HOUR),
    (_T.COMPLAINT, _P.NORMAL): Sla(2 * HOUR, 72 * HOUR),
    (_T.COMPLAINT, _P.LOW): Sla(4 * HOUR, 120 * HOUR),
    (_T.AFTER_SALES, _P.URGENT): Sla(0.25 * HOUR, 8 * HOUR),
    (_T.AFTER_SALES, _P.HIGH): Sla(2 * HOUR, 48 * HOUR),
    (_T.AFTER_SALES, _P.NORMAL): Sla(4 * HOUR, 96 * HOUR),
    (_T.AFTER_SALES, _P.LOW): Sla(8 * HOUR, 168 * HOUR),
    (_T.REQUEST, _P.URGENT): Sla(0.25 * HOUR, 8 * HOUR),
    (_T.REQUEST, _P.HIGH): Sla(2 * HOUR, 48 * HOUR),
    (_T.REQUEST, _P.NORMAL): Sla(8 * HOUR, 120 * HOUR),
    (_T.REQUEST, _P.LOW): Sla(24 * HOUR, 240 * HOUR),
    (_T.INQUIRY, _P.URGENT): Sla(0.25 * HOUR, 4 * HOUR),
    (_T.INQUIRY, _P.HIGH): Sla(1 * HOUR, 24 * HOUR),
    (_T.INQUIRY, _P.NORMAL): Sla(4 * HOUR, 48 * HOUR),
    (_T.INQUIRY, _P.LOW): Sla(8 * HOUR, 96 * HOUR),
}

MANAGER_AFTER = 0.5
"""Level 2 comes this fraction of the resolution window after the breach."""

MAX_LEVEL = 2


def due_times(ticket_type: TicketType, priority: Priority, opened_at: float,
              table: dict[tuple[TicketType, Priority], Sla] = SLA_TABLE) -> tuple[float, float]:
    """(response_due, resolution_due) for a ticket opened at ``opened_at``."""
    sla = table[(ticket_type, priority)]
    return opened_at + sla.response, opened_at + sla.resolution


@dataclass(frozen=True, slots=True)
class TicketClock:
    """What escalation needs to know about a ticket."""

    id: int
    status: Status
    created_at: float
    response_due: float
    resolution_due: float
    accepted_at: float | None
    escalation_level: int
    assignee: str | None = None
    department_id: int | None = None


@dataclass(frozen=True, slots=True)
class Escalation:
    ticket_id: int
    level: int  # 1 = lead, 2 = manager
    reason: str  # "response" (not accepted in time) or "resolution" (not resolved in time)
    breached_at: float


def breach(t: TicketClock) -> tuple[str, float]:
    """The deadline that counts now: response until the ticket is accepted in time, then resolution."""
    if t.accepted_at is None or t.accepted_at > t.response_due:
        return "response", t.response_due
    return "resolution", t.resolution_due


def escalations_due(tickets: Iterable[TicketClock], now: float) -> list[Escalation]:
    """Escalations to apply at ``now``: at most one per ticket, to the highest level reached."""
    out: list[Escalation] = []
    for t in tickets:
        if t.status not in OPEN_STATUSES or t.escalation_level >= MAX_LEVEL:
            continue
        reason, at = breach(t)
        if now < at:
            continue
        window = t.resolution_due - t.created_at
        level = 2 if now >= at + MANAGER_AFTER * window else 1
        if level > t.escalation_level:
            out.append(Escalation(t.id, level, reason, at))
    return out
