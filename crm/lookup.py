"""Caller lookup by phone in the ORM (imports, the demo seed, the CRM API) and the screen
pop card for ORM callers; the call path's lookups are in :mod:`crm.cards`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, joinedload

from crm import cards
from crm import phones as ph
from crm.models import Customer, CustomerPhone

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


async def screen_pop_card(session: AsyncSession, raw_number: str) -> dict[str, Any]:
    """What the agent sees at offer time (:func:`crm.cards.card`; the call path runs it
    through :class:`crm.reader.CrmReader` instead of an ORM session)."""
    return await session.run_sync(lambda s: cards.card(s.connection(), raw_number))
