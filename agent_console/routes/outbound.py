"""Outbound over HTTP: campaign figures for the supervisor page, start / pause / stop, and
the agent's preview click (dial or skip the record on screen).

Figures come from the call-event log and the database (``outbound.service.figures``); a
state change is stored and the running backend follows within seconds.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel

from acd.ports import OutboundDialer
from agent_console.deps import (
    AgentUser,
    ClientIp,
    Ctx,
    MonitorUser,
    RequireRole,
    SessionDep,
    agent_id_of,
)
from agent_console.models import User
from agent_console.routes.agent import call_center
from agent_console.schemas import Ok
from agent_console.store import audit
from outbound.campaign import Action, CampaignError
from outbound.service import figures, set_state

router = APIRouter(tags=["outbound"])
CampaignAdmin = Annotated[User, Depends(RequireRole("supervisor", "admin"))]


class CampaignOut(BaseModel):
    name: str
    mode: str
    state: str
    queue: str
    records: int
    dialed_records: int
    penetration: float
    dials: int
    connected: int
    abandoned: int
    abandon_rate: float | None
    abandon_cap: float
    refused: int
    agents_by_state: dict[str, int]


class StateOut(BaseModel):
    name: str
    state: str


@router.get("/api/outbound/campaigns", response_model=list[CampaignOut])
async def campaigns(user: MonitorUser, ctx: Ctx) -> list[dict[str, Any]]:
    """Live figures per campaign: dialed, connected, abandon rate (30 days), agents by
    state, list penetration."""
    dialer = ctx.center if isinstance(ctx.center, OutboundDialer) else None
    return [f.as_dict() for f in await figures(ctx.engine, dialer, ctx.clock.now())]


@router.post("/api/outbound/campaigns/{name}/{action}", response_model=StateOut)
async def change_state(name: str, action: Literal["start", "pause", "stop"], user: CampaignAdmin,
                       ctx: Ctx, session: SessionDep, ip: ClientIp) -> StateOut:
    try:
        state = await set_state(session, name, Action(action))
    except CampaignError as exc:
        code = status.HTTP_404_NOT_FOUND if "no campaign named" in str(exc) else status.HTTP_409_CONFLICT
        raise HTTPException(code, detail=str(exc)) from exc
    await audit(session, now=ctx.clock.now(), actor=user.username, action=f"campaign_{action}",
                target=name, ip=ip)
    await session.commit()
    return StateOut(name=name, state=state.value)


def _dialer(ctx: Any) -> OutboundDialer:
    if not isinstance(ctx.center, OutboundDialer):
        raise HTTPException(status.HTTP_409_CONFLICT, detail="This backend runs no outbound dialer.")
    return ctx.center


@router.post("/api/agent/outbound/dial", response_model=Ok)
async def preview_dial(user: AgentUser, ctx: Ctx) -> Ok:
    """Dial the previewed record (the agent's phone rings first, then the customer's)."""
    dialer = _dialer(ctx)
    return await call_center(lambda: dialer.dial_preview(agent_id_of(user)))


@router.post("/api/agent/outbound/skip", response_model=Ok)
async def preview_skip(user: AgentUser, ctx: Ctx) -> Ok:
    dialer = _dialer(ctx)
    return await call_center(lambda: dialer.skip_preview(agent_id_of(user)))
