"""Streaming CSV export (keyset pages by id, so 1,000,000 rows never sit in memory).

Customers use the import columns (:data:`crm.csvio.CUSTOMER_COLUMNS`); tickets and
interactions use the fields of their REST answers. Output starts with a UTF-8 BOM so that
Excel opens Chinese text correctly; the importer skips it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.csvio import CUSTOMER_COLUMNS, csv_line, customer_row
from crm.models import Customer, Interaction, Ticket
from crm.schemas import InteractionOut, TicketOut

BOM = "\ufeff"
TICKET_COLUMNS = list(TicketOut.model_fields)
INTERACTION_COLUMNS = list(InteractionOut.model_fields)
KINDS = ("customers", "tickets", "interactions")


def _ticket_row(t: Ticket) -> list[Any]:
    return [getattr(t, c) for c in TICKET_COLUMNS]


def _interaction_row(i: Interaction) -> list[Any]:
    return [getattr(i, c) for c in INTERACTION_COLUMNS]


_SPECS: dict[str, tuple[type[Any], list[str], Callable[[Any], list[Any]]]] = {
    "customers": (Customer, CUSTOMER_COLUMNS, customer_row),
    "tickets": (Ticket, TICKET_COLUMNS, _ticket_row),
    "interactions": (Interaction, INTERACTION_COLUMNS, _interaction_row),
}


async def export_csv(session: AsyncSession, kind: str, *, page: int = 5000,
                     progress: Callable[[int], None] | None = None) -> AsyncIterator[str]:
    """Yield the CSV text of ``kind`` (customers, tickets, interactions) in chunks."""
    if kind not in _SPECS:
        raise ValueError(f"cannot export {kind!r}; choose one of {', '.join(KINDS)}")
    model, header, to_row = _SPECS[kind]
    yield BOM + csv_line(header)
    last, done = 0, 0
    while True:
        rows = (await session.execute(
            select(model).where(model.id > last).order_by(model.id).limit(page))).scalars().all()
        if not rows:
            return
        yield "".join(csv_line(to_row(r)) for r in rows)
        last = rows[-1].id
        done += len(rows)
        if progress:
            progress(done)
        session.expunge_all()
