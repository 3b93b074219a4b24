"""The reference a CRM interaction keeps to its recording: ``recording:<id>`` (an id, never a path)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from recordings.models import Recording


async def recording_ref(session: AsyncSession, call_id: str, agent: str | None) -> str | None:
    """The newest recording of ``call_id`` (this agent's leg first), as ``recording:<id>``."""
    q = select(Recording.id, Recording.agent).where(Recording.call_id == call_id) \
        .order_by(Recording.started_at.desc(), Recording.id.desc())
    rows = (await session.execute(q)).all()
    mine = [r.id for r in rows if agent and r.agent == agent]
    pick = mine[0] if mine else (rows[0].id if rows else None)
    return f"recording:{pick}" if pick is not None else None
