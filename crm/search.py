"""Search customers and tickets. Every value is a bound parameter; LIKE patterns are
escaped, so ``%``, ``_`` and quotes in input are matched literally, never interpreted."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, Text, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm import phones as ph
from crm.models import Customer, CustomerPhone, Ticket, parse_ticket_number
from crm.workflow import Status

MAX_PAGE_SIZE = 100
MAX_TEXT = 100


class SearchError(ValueError):
    """A search parameter that cannot be used; the message says which and why."""


def like_pattern(text: str) -> str:
    """``%text%`` with LIKE's own wildcards escaped (escape character ``\\``)."""
    esc = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{esc}%"


def _text(name: str, value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if len(value) > MAX_TEXT:
        raise SearchError(f"{name} is longer than {MAX_TEXT} characters; shorten it")
    return value or None


@dataclass(frozen=True, slots=True)
class CustomerQuery:
    phone: str | None = None
    name: str | None = None
    segment: str | None = None
    tag: str | None = None
    blacklisted: bool | None = None
    page: int = 1
    page_size: int = 20


@dataclass(frozen=True, slots=True)
class TicketQuery:
    number: str | None = None
    status: Sequence[str] = ()
    assignee: str | None = None
    phone: str | None = None
    customer_id: int | None = None
    type: str | None = None
    priority: str | None = None
    department_id: int | None = None
    overdue_at: float | None = None  # only open tickets past their resolution due at this time
    page: int = 1
    page_size: int = 20


def _page(page: int, size: int) -> tuple[int, int]:
    if page < 1 or page > 1_000_000:
        raise SearchError("page must be between 1 and 1000000")
    if size < 1 or size > MAX_PAGE_SIZE:
        raise SearchError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
    return (page - 1) * size, size


def _phone(raw: str | None) -> str | None:
    raw = _text("phone", raw)
    if raw is None:
        return None
    try:
        return ph.normalize(raw)
    except ph.PhoneError as exc:
        raise SearchError(str(exc)) from None


async def _run(session: AsyncSession, stmt: Select[Any], order: Sequence[Any], offset: int,
               limit: int) -> tuple[list[Any], int]:
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    rows = await session.execute(stmt.order_by(*order).offset(offset).limit(limit))
    return list(rows.scalars()), int(total)


async def search_customers(session: AsyncSession, q: CustomerQuery) -> tuple[list[Customer], int]:
    offset, limit = _page(q.page, q.page_size)
    stmt = select(Customer)
    e164 = _phone(q.phone)
    if e164:
        stmt = stmt.join(CustomerPhone, CustomerPhone.customer_id == Customer.id).where(
            CustomerPhone.e164 == e164)
    if (name := _text("name", q.name)) is not None:
        stmt = stmt.where(Customer.name.like(like_pattern(name), escape="\\"))
    if (segment := _text("segment", q.segment)) is not None:
        stmt = stmt.where(Customer.segment == segment)
    if q.blacklisted is not None:
        stmt = stmt.where(Customer.blacklisted == q.blacklisted)
    if (tag := _text("tag", q.tag)) is not None:
        # Tags are a JSON list; a quoted match on its text form works on both databases.
        stmt = stmt.where(cast(Customer.tags, Text).like(like_pattern(f'"{tag}"'), escape="\\"))
    return await _run(session, stmt, [Customer.id], offset, limit)


async def search_tickets(session: AsyncSession, q: TicketQuery) -> tuple[list[Ticket], int]:
    offset, limit = _page(q.page, q.page_size)
    stmt = select(Ticket)
    if (number := _text("number", q.number)) is not None:
        tid = parse_ticket_number(number)
        if tid is None:
            raise SearchError(f"{number!r} is not a ticket number; they look like T0000042")
        stmt = stmt.where(Ticket.id == tid)
    if q.status:
        bad = [s for s in q.status if s not in Status._value2member_map_]
        if bad:
            raise SearchError(f"unknown status {bad[0][:20]!r}; use one of {', '.join(Status)}")
        stmt = stmt.where(Ticket.status.in_(list(q.status)))
    if (assignee := _text("assignee", q.assignee)) is not None:
        stmt = stmt.where(Ticket.assignee == assignee)
    if (e164 := _phone(q.phone)) is not None:
        owners = select(CustomerPhone.customer_id).where(CustomerPhone.e164 == e164)
        stmt = stmt.where(Ticket.customer_id.in_(owners))
    for col, value in ((Ticket.customer_id, q.customer_id), (Ticket.department_id, q.department_id),
                       (Ticket.type, _text("type", q.type)),
                       (Ticket.priority, _text("priority", q.priority))):
        if value is not None:
            stmt = stmt.where(col == value)
    if q.overdue_at is not None:
        stmt = stmt.where(Ticket.resolution_due < q.overdue_at, Ticket.status.in_(
            [Status.NEW.value, Status.ACCEPTED.value, Status.ASSIGNED.value, Status.IN_PROGRESS.value]))
    return await _run(session, stmt, [Ticket.created_at.desc(), Ticket.id.desc()], offset, limit)

