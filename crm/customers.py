"""Customer and interaction services: create, edit (audited), log interactions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm import phones as ph
from crm.audit import record, record_changes
from crm.models import Customer, CustomerPhone, Interaction
from crm.schemas import CustomerIn, CustomerPatch, InteractionIn


class NotFound(LookupError):
    """The id names nothing; the message says which kind of record."""


class Conflict(ValueError):
    """The change clashes with existing data (e.g. a number that belongs to someone else)."""


def make_phone(e164: str) -> CustomerPhone:
    i = ph.info_e164(e164)
    return CustomerPhone(e164=i.e164, kind=i.kind, country=i.country, region_zh=i.region_zh,
                         region_en=i.region_en)


async def _owners(session: AsyncSession, numbers: list[str]) -> dict[str, int]:
    if not numbers:
        return {}
    rows = await session.execute(
        select(CustomerPhone.e164, CustomerPhone.customer_id).where(CustomerPhone.e164.in_(numbers)))
    return {e: cid for e, cid in rows.all()}


async def _check_numbers_free(session: AsyncSession, numbers: list[str], customer_id: int | None) -> None:
    taken = {e: c for e, c in (await _owners(session, numbers)).items() if c != customer_id}
    if taken:
        e, c = next(iter(taken.items()))
        raise Conflict(f"{e} already belongs to customer {c}; edit that customer or remove the number")


async def get_customer(session: AsyncSession, customer_id: int) -> Customer:
    c = await session.get(Customer, customer_id)
    if c is None:
        raise NotFound(f"no customer with id {customer_id}")
    return c


async def create_customer(session: AsyncSession, data: CustomerIn, *, actor: str, now: float) -> Customer:
    await _check_numbers_free(session, data.phones, None)
    fields = data.model_dump(exclude={"phones"})
    c = Customer(**fields, created_at=now, updated_at=now, phones=[make_phone(e) for e in data.phones])
    session.add(c)
    await session.flush()
    record(session, entity="customer", entity_id=c.id, actor=actor, at=now, action="create",
           new={"name": c.name, "phones": data.phones})
    return c


async def update_customer(session: AsyncSession, customer_id: int, patch: CustomerPatch, *,
                          actor: str, now: float) -> Customer:
    c = await get_customer(session, customer_id)
    changes = patch.model_dump(exclude_unset=True, exclude={"phones"})
    changed = record_changes(session, entity="customer", entity_id=c.id, actor=actor, at=now,
                             obj=c, changes=changes)
    if patch.phones is not None:
        old = [p.e164 for p in c.phones]
        if old != patch.phones:
            await _check_numbers_free(session, patch.phones, c.id)
            keep = {p.e164: p for p in c.phones}
            c.phones = [keep.get(e) or make_phone(e) for e in patch.phones]
            record(session, entity="customer", entity_id=c.id, actor=actor, at=now, action="edit",
                   field="phones", old=old, new=patch.phones)
            changed.append("phones")
    if changed:
        c.updated_at = now
    await session.flush()
    return c


async def log_interaction(session: AsyncSession, data: InteractionIn) -> Interaction:
    """Store one handled call leg. The customer is found from the number when not given."""
    fields = data.model_dump()
    number = ph.try_normalize(data.number) if data.number else None
    fields["number"] = number
    if fields["customer_id"] is None and number:
        cid = (await _owners(session, [number])).get(number)
        fields["customer_id"] = cid
    elif fields["customer_id"] is not None:
        await get_customer(session, fields["customer_id"])
    it = Interaction(**fields)
    session.add(it)
    await session.flush()
    return it


async def interactions_of(session: AsyncSession, customer_id: int, limit: int = 50) -> list[Interaction]:
    rows = await session.execute(
        select(Interaction).where(Interaction.customer_id == customer_id)
        .order_by(Interaction.started_at.desc(), Interaction.id.desc()).limit(limit))
    return list(rows.scalars())
