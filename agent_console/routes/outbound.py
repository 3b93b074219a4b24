"""Outbound over HTTP: campaign figures for the supervisor page, start / pause / stop, and
the agent's preview click (dial or skip the record on screen).

Figures come from the call-event log and the database (``outbound.service.figures``); a
state change is stored and the running backend follows within seconds.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

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
from hotline.settings import get_settings
from outbound.campaign import Action, CampaignError
from outbound.models import OutboundCampaign
from outbound.service import CampaignFigures, campaign_row, figures, set_state
from outbound.sources import from_lost_calls, from_tickets

router = APIRouter(tags=["outbound"])
CampaignAdmin = Annotated[User, Depends(RequireRole("supervisor", "admin"))]


class StateOut(BaseModel):
    name: str
    state: str


@router.get("/api/outbound/campaigns", response_model=list[CampaignFigures])
async def campaigns(user: MonitorUser, ctx: Ctx) -> list[CampaignFigures]:
    """Live figures per campaign: dialed, connected, abandon rate (30 days), agents by
    state, list penetration."""
    dialer = ctx.center if isinstance(ctx.center, OutboundDialer) else None
    return await figures(ctx.engine, dialer, ctx.clock.now())


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


class LostCallsIn(BaseModel):
    """Days in the centre's time zone (``settings.timezone``), ``to_day`` included."""

    from_day: dt.date
    to_day: dt.date | None = None


class TicketsIn(BaseModel):
    resolved_days: float | None = Field(default=None, gt=0, le=3650)


class SourceOut(BaseModel):
    source: str
    found: int
    added: int
    skipped: list[dict[str, str]]


async def _campaign(session: AsyncSession, name: str) -> OutboundCampaign:
    try:
        return await campaign_row(session, name)
    except CampaignError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc)) from exc


@router.post("/api/outbound/campaigns/{name}/lists/lost-calls", response_model=SourceOut)
async def list_from_lost_calls(name: str, body: LostCallsIn, user: CampaignAdmin, ctx: Ctx,
                               session: SessionDep, ip: ClientIp) -> dict[str, Any]:
    """Add the lost-call callback worklist (呼损回拨) of these days; DNC and blacklist kept out."""
    last = body.to_day or body.from_day
    if last < body.from_day:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, detail="to_day is before from_day")
    tz = ZoneInfo(get_settings().timezone)
    start = dt.datetime.combine(body.from_day, dt.time(), tz).timestamp()
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tz).timestamp()
    report = await from_lost_calls(session, await _campaign(session, name), start, end, ctx.clock.now())
    await audit(session, now=ctx.clock.now(), actor=user.username, action="campaign_list_lost_calls",
                target=name, ip=ip)
    await session.commit()
    return report.as_dict()


@router.post("/api/outbound/campaigns/{name}/lists/tickets", response_model=SourceOut)
async def list_from_tickets(name: str, body: TicketsIn, user: CampaignAdmin, ctx: Ctx,
                            session: SessionDep, ip: ClientIp) -> dict[str, Any]:
    """Add the tickets resolved awaiting their callback (待回访)."""
    since = None if body.resolved_days is None else ctx.clock.now() - body.resolved_days * 86400
    report = await from_tickets(session, await _campaign(session, name), since)
    await audit(session, now=ctx.clock.now(), actor=user.username, action="campaign_list_tickets",
                target=name, ip=ip)
    await session.commit()
    return report.as_dict()


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
