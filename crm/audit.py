"""The audit trail: every change to a customer or a ticket (who, when, from -> to)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.models import AuditEntry


def record(session: AsyncSession, *, entity: str, entity_id: int, actor: str, at: float,
           action: str, field: str | None = None, old: Any = None, new: Any = None,
           note: str | None = None) -> AuditEntry:
    entry = AuditEntry(entity=entity, entity_id=entity_id, actor=actor, at=at, action=action,
                       field=field, old=old, new=new, note=note)
    session.add(entry)
    return entry


def record_changes(session: AsyncSession, *, entity: str, entity_id: int, actor: str, at: float,
                   obj: object, changes: dict[str, Any]) -> list[str]:
    """Apply ``changes`` to ``obj``, one audit row per field that really changed."""
    changed: list[str] = []
    for field, new in changes.items():
        old = getattr(obj, field)
        if old == new:
            continue
        setattr(obj, field, new)
        record(session, entity=entity, entity_id=entity_id, actor=actor, at=at, action="edit",
               field=field, old=old, new=new)
        changed.append(field)
    return changed


async def history(session: AsyncSession, entity: str, entity_id: int) -> list[AuditEntry]:
    rows = await session.execute(
        select(AuditEntry).where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
        .order_by(AuditEntry.at, AuditEntry.id))
    return list(rows.scalars())
