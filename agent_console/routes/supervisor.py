"""The live monitor: scoped snapshot, alarms, force state, listen / whisper / barge."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, status
from sqlalchemy import select

from acd.admin.models import AcdQueue
from acd.ports import CenterSnapshot
from agent_console.deps import ClientIp, Ctx, MonitorUser, SessionDep, UserScope
from agent_console.hub import _agent_dict
from agent_console.routes.agent import _ERRORS, call_center
from agent_console.schemas import (
    AgentOut,
    AlarmOut,
    ForceStateIn,
    Label,
    LabelsOut,
    Ok,
    QueueOut,
    SnapshotOut,
    SpyIn,
)
from agent_console.scope import Scope, scope_queues
from agent_console.store import audit

AgentPath = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
router = APIRouter(prefix="/api/supervisor", tags=["supervisor"])
_NOT_YOURS = "Agent {agent} is not in your teams; you can only act on agents you lead."


def _filtered(snap: CenterSnapshot, scope: Scope, now: float, ctx: Ctx) -> SnapshotOut:
    scope = scope_queues(scope, snap)
    return SnapshotOut(
        at=snap.at,
        queues=[QueueOut.model_validate(q, from_attributes=True) for q in snap.queues if scope.sees_queue(q.queue)],
        agents=[AgentOut.model_validate(_agent_dict(a, now, ctx.hub.calls)) for a in snap.agents if scope.sees_agent(a.agent)],
        alarms=[AlarmOut.model_validate(a.as_dict()) for a in ctx.hub.active_alarms.values()
                if scope.sees_queue(a.queue)],
    )


@router.get("/snapshot", response_model=SnapshotOut, responses=_ERRORS)
async def snapshot(user: MonitorUser, scope: UserScope, ctx: Ctx) -> SnapshotOut:
    return _filtered(await ctx.center.snapshot(), scope, ctx.clock.now(), ctx)


@router.get("/labels", response_model=LabelsOut, responses=_ERRORS)
async def labels(user: MonitorUser, ctx: Ctx, session: SessionDep) -> LabelsOut:
    """Queue names and not-ready reasons in both languages, for the page to show in its own."""
    rows = (await session.execute(select(AcdQueue.name, AcdQueue.label_en, AcdQueue.label_zh))).all()
    queues = {r.name: Label(en=r.label_en or r.name, zh=r.label_zh or r.label_en or r.name) for r in rows}
    for q in (await ctx.center.snapshot()).queues:  # a queue of the running config without a row
        queues.setdefault(q.queue, Label(en=q.queue, zh=q.queue))
    reasons = {c.code: Label(en=c.label_en, zh=c.label_zh) for c in ctx.center.reason_codes()}
    return LabelsOut(queues=queues, reasons=reasons)


@router.get("/alarms", response_model=list[AlarmOut], responses=_ERRORS)
async def alarms(user: MonitorUser, scope: UserScope, ctx: Ctx) -> list[AlarmOut]:
    return _filtered(await ctx.center.snapshot(), scope, ctx.clock.now(), ctx).alarms


async def _state_of(ctx: Ctx, agent: str) -> str | None:
    snap = await ctx.center.snapshot()
    return next((a.state for a in snap.agents if a.agent == agent), None)


@router.post("/agents/{agent}/state", response_model=Ok, responses={**_ERRORS, 404: {"description": "unknown agent"}})
async def force_state(agent: AgentPath, body: ForceStateIn, user: MonitorUser, scope: UserScope, ctx: Ctx,
                      session: SessionDep, ip: ClientIp) -> Ok:
    if not scope.sees_agent(agent):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=_NOT_YOURS.format(agent=agent))
    before = await _state_of(ctx, agent)
    if before is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"There is no agent {agent}; check the agent id.")
    ok = await call_center(lambda: ctx.center.force_state(user.username, agent, body.state, body.reason))
    await audit(session, now=ctx.clock.now(), actor=user.username, action="force_state", target=agent,
                from_value=before, to_value=body.state, ip=ip, data={"reason": body.reason})
    await session.commit()
    return ok


@router.post("/agents/{agent}/spy", response_model=Ok, responses={**_ERRORS, 404: {"description": "unknown agent"}})
async def spy(agent: AgentPath, body: SpyIn, user: MonitorUser, scope: UserScope, ctx: Ctx,
              session: SessionDep, ip: ClientIp) -> Ok:
    if not scope.sees_agent(agent):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=_NOT_YOURS.format(agent=agent))
    if not user.extension:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            detail="Your profile has no extension to ring; ask an admin to set one.")
    if await _state_of(ctx, agent) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"There is no agent {agent}; check the agent id.")
    endpoint = user.extension
    ok = await call_center(lambda: ctx.center.spy(user.username, agent, body.mode, endpoint))
    await audit(session, now=ctx.clock.now(), actor=user.username, action=f"spy_{body.mode}", target=agent,
                to_value=endpoint, ip=ip)
    await session.commit()
    return ok
