"""Outbound over HTTP: campaign figures for the supervisor page, start / pause / stop, and
the agent's preview click (dial or skip the record on screen).

Figures come from the call-event log and the database (``outbound.service.figures``); a
state change is stored and the running backend follows within seconds.
"""

from __future__ import annotations

import datetime as dt
import json
import random
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
from outbound.compliance import zones_of
from outbound.models import OutboundCampaign, OutboundRecord
from outbound.service import (
    CampaignFigures,
    campaign_row,
    config_of,
    figures,
    set_state,
)
from outbound.sources import from_answered_calls, from_lost_calls, from_tickets
from outbound.wrapup import campaign_call, codes_of, wrap_up_record

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


class SurveyIn(LostCallsIn):
    size: int = Field(default=100, ge=1, le=10_000)
    seed: int = 1


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


def _bounds(body: LostCallsIn) -> tuple[float, float]:
    last = body.to_day or body.from_day
    if last < body.from_day:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            detail="The end day is before the first day; swap them.")
    tz = ZoneInfo(get_settings().timezone)
    return (dt.datetime.combine(body.from_day, dt.time(), tz).timestamp(),
            dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tz).timestamp())


@router.post("/api/outbound/campaigns/{name}/lists/survey", response_model=SourceOut)
async def list_survey_sample(name: str, body: SurveyIn, user: CampaignAdmin, ctx: Ctx,
                             session: SessionDep, ip: ClientIp) -> dict[str, Any]:
    """Add a satisfaction-survey sample (seeded) of the callers answered on these days."""
    start, end = _bounds(body)
    report = await from_answered_calls(session, await _campaign(session, name), start, end, body.size,
                                       random.Random(body.seed))
    await audit(session, now=ctx.clock.now(), actor=user.username, action="campaign_list_survey",
                target=name, ip=ip)
    await session.commit()
    return report.as_dict()


@router.post("/api/outbound/campaigns/{name}/lists/lost-calls", response_model=SourceOut)
async def list_from_lost_calls(name: str, body: LostCallsIn, user: CampaignAdmin, ctx: Ctx,
                               session: SessionDep, ip: ClientIp) -> dict[str, Any]:
    """Add the lost-call callback worklist (呼损回拨) of these days; DNC and blacklist kept out."""
    start, end = _bounds(body)
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


# --- the agent's campaign record: what the preview and the wrap-up show -------------------

class RecordOut(BaseModel):
    """The campaign record on the agent's screen. ``time_zone``: the callee's (callback-later
    times are entered in it); ``dispositions``: the campaign's codes for the wrap-up."""

    call_id: str
    campaign: str
    record: int
    number: str
    name: str | None
    extra: dict[str, Any]
    attempts: int
    script: str | None
    dispositions: list[str]
    hours: str
    time_zone: str


class CampaignWrapUpIn(BaseModel):
    disposition: str = Field(min_length=1, max_length=32)
    notes: str = Field(default="", max_length=4000)
    ticket_ref: str | None = Field(default=None, min_length=1, max_length=64)
    # the callee's wall-clock time, e.g. 2026-12-08T10:30 (its time zone: RecordOut.time_zone)
    callback_at: dt.datetime | None = None


async def _my_record(user: User, ctx: Any, session: AsyncSession) -> tuple[OutboundCampaign, OutboundRecord, str]:
    """The campaign record of the call last offered to this agent (its screen pop)."""
    pop = ctx.hub.last_pop.get(agent_id_of(user)) or {}
    call_id = str(pop.get("call_id") or "")
    found = await campaign_call(session, call_id)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Your current call is not a campaign call.")
    return found[0], found[1], call_id


def _zone(number: str) -> str:
    zones = zones_of(number)
    return zones[0] if zones else get_settings().timezone


@router.get("/api/agent/outbound/record", response_model=RecordOut)
async def my_record(user: AgentUser, ctx: Ctx, session: SessionDep) -> RecordOut:
    camp, rec, call_id = await _my_record(user, ctx, session)
    return RecordOut(call_id=call_id, campaign=camp.name, record=rec.id, number=rec.number, name=rec.name,
                     extra=json.loads(rec.extra) if rec.extra else {}, attempts=rec.attempts,
                     script=camp.script, dispositions=codes_of(camp), hours=camp.hours,
                     time_zone=_zone(rec.number))


@router.post("/api/agent/outbound/wrap-up", response_model=Ok)
async def campaign_wrap_up(body: CampaignWrapUpIn, user: AgentUser, ctx: Ctx, session: SessionDep) -> Ok:
    """Wrap up a campaign call with one of the campaign's codes; ``callback_at`` (the
    callee's local time) puts the record back in the list, due then."""
    camp, rec, _ = await _my_record(user, ctx, session)
    codes = codes_of(camp)
    if body.disposition not in codes:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            detail=f"Unknown disposition {body.disposition!r}: pick one of the campaign's "
                                   f"({', '.join(codes)}).")
    at = None
    if body.callback_at is not None:
        zone = _zone(rec.number)
        local = body.callback_at.replace(tzinfo=ZoneInfo(zone)) if body.callback_at.tzinfo is None \
            else body.callback_at
        at = local.timestamp()
        if at <= ctx.clock.now():
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                                detail=f"The callback time {local:%Y-%m-%d %H:%M} ({zone}) is in the past; "
                                       "pick a later time.")
        refused = config_of(camp).calling_hours().refusal(rec.number, at)
        if refused is not None:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                                detail=f"The callback time is outside the campaign's calling hours "
                                       f"({camp.hours}, {zone}); pick a time inside them.")
    agent = agent_id_of(user)
    return await call_center(lambda: wrap_up_record(session, ctx.center, ctx.bus, agent, camp, rec,
                                                    body.disposition, body.notes, body.ticket_ref, at))
