"""Today's agent state changes read back from the call-event log (``AGENTSTATE`` rows, written
by the ACD on every change), so a restarted console keeps each agent's time per state today
(:class:`agent_console.state_times.StateTimes` is fed them before the live events)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from acd.events import AgentStateChanged
from hotline import kinds
from hotline.db import CallEvent


def local_midnight(ts: float, zone: ZoneInfo) -> float:
    local = datetime.fromtimestamp(ts, tz=zone)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()


async def state_changes_today(engine: AsyncEngine, zone: ZoneInfo, now: float) -> list[AgentStateChanged]:
    """Each agent's last change before today's local midnight (the state in force at 00:00),
    then every change since, in the order they happened."""
    midnight = local_midnight(now, zone)
    rows = CallEvent.__table__.c
    last = (select(rows.agent, func.max(rows.id).label("id"))
            .where(rows.kind == kinds.AGENTSTATE, rows.ts < midnight).group_by(rows.agent).subquery())
    before = select(CallEvent).join(last, CallEvent.id == last.c.id)
    today = (select(CallEvent).where(CallEvent.kind == kinds.AGENTSTATE, CallEvent.ts >= midnight,
                                     CallEvent.ts <= now)
             .order_by(CallEvent.ts, CallEvent.id))
    async with engine.connect() as conn:
        got = [*(await conn.execute(before)).all(), *(await conn.execute(today)).all()]
    out = []
    for r in got:
        data = r.data or {}
        if r.agent and data.get("state"):
            out.append(AgentStateChanged(at=r.ts, agent=r.agent, state=data["state"],
                                         previous=data.get("previous", ""), reason=data.get("reason") or None,
                                         call_id=data.get("call_of") or None))
    return sorted(out, key=lambda e: e.at)
