"""The audit hooks of the admin routers mounted beside the console (``acd.admin.router`` and
``ivr.http``): every change an admin makes becomes a ``console_audit`` row with who, when,
what, and the before / after (``data``), listed by ``GET /api/admin/audit``."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from acd.admin.router import Audit as AcdAudit
from agent_console.store import audit
from hotline.clock import Clock
from ivr.http import Audit as MenuAudit

SUMMARY = 128  # from_value / to_value are a short summary; the whole of each side is in data


def _summary(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= SUMMARY else text[: SUMMARY - 1] + "…"


def acd_audit(clock: Clock) -> AcdAudit:
    """Written in the change's own session: the change and its row commit together."""

    async def write(session: AsyncSession, actor: str, action: str, target: str, before: Any,
                    after: Any) -> None:
        await audit(session, now=clock.now(), actor=actor, action=action, target=target,
                    from_value=_summary(before), to_value=_summary(after),
                    data={"before": before, "after": after})

    return write


def menu_audit(sessions: async_sessionmaker[AsyncSession], clock: Clock, target: str) -> MenuAudit:
    """A published menu change (already in force): its own transaction."""

    async def write(actor: str, action: str, detail: str, change: dict[str, Any]) -> None:
        async with sessions() as session:
            await audit(session, now=clock.now(), actor=actor, action=action, target=target,
                        from_value=_summary(change.get("before")), to_value=_summary(change.get("after", detail)),
                        data={"detail": detail, **change})
            await session.commit()

    return write
