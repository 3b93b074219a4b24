"""The agent's own ACD state and call controls. Acts only on the caller's own agent id."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, status

from acd.core.model import SYSTEM_REASONS
from acd.ports import ContactCenterError
from agent_console.deps import AgentUser, ClientIp, Ctx, SessionDep, agent_id_of
from agent_console.hub import _agent_dict
from agent_console.schemas import (
    AgentLoginIn,
    AgentOut,
    CodeOut,
    CodesOut,
    ConferenceIn,
    ExtendWrapUpIn,
    NotReadyIn,
    Ok,
    TransferIn,
    WrapUpIn,
)
from agent_console.store import audit

router = APIRouter(prefix="/api/agent", tags=["agent"])
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "not logged in"}, 403: {"description": "role not allowed"},
    409: {"description": "the ACD refused (message says why)"},
}


async def call_center(action: Callable[[], Awaitable[None]]) -> Ok:
    try:
        await action()
    except ContactCenterError as exc:
        code = status.HTTP_400_BAD_REQUEST if exc.bad_request else status.HTTP_409_CONFLICT
        raise HTTPException(code, detail=exc.message) from exc
    return Ok()


@router.post("/login", response_model=Ok, responses=_ERRORS)
async def acd_login(user: AgentUser, ctx: Ctx, session: SessionDep, ip: ClientIp,
                    body: Annotated[AgentLoginIn | None, Body()] = None) -> Ok:
    agent = agent_id_of(user)
    ext = (body.extension if body else None) or user.extension
    if not ext:
        raise HTTPException(status.HTTP_400_BAD_REQUEST,
                            detail="No extension given and none on your profile; enter the phone to ring.")
    ok = await call_center(lambda: ctx.center.login(agent, ext))
    await audit(session, now=ctx.clock.now(), actor=user.username, action="acd_login", target=agent,
                to_value=ext, ip=ip)
    await session.commit()
    return ok


@router.post("/logout", response_model=Ok, responses=_ERRORS)
async def acd_logout(user: AgentUser, ctx: Ctx, session: SessionDep, ip: ClientIp) -> Ok:
    agent = agent_id_of(user)
    ok = await call_center(lambda: ctx.center.logout(agent))
    await audit(session, now=ctx.clock.now(), actor=user.username, action="acd_logout", target=agent, ip=ip)
    await session.commit()
    return ok


@router.post("/ready", response_model=Ok, responses=_ERRORS)
async def ready(user: AgentUser, ctx: Ctx) -> Ok:
    agent = agent_id_of(user)
    return await call_center(lambda: ctx.center.set_ready(agent))


@router.post("/not-ready", response_model=Ok, responses=_ERRORS)
async def not_ready(body: NotReadyIn, user: AgentUser, ctx: Ctx) -> Ok:
    agent = agent_id_of(user)
    if body.reason not in {c.code for c in _reasons_to_pick(ctx)}:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            detail=[{"loc": ["body", "reason"], "msg": f"Unknown reason code {body.reason!r}.",
                                     "type": "value_error"}])
    return await call_center(lambda: ctx.center.set_not_ready(agent, body.reason))


@router.get("/state", response_model=AgentOut, responses=_ERRORS)
async def state(user: AgentUser, ctx: Ctx) -> AgentOut:
    agent = agent_id_of(user)
    snap = await ctx.center.snapshot()
    for a in snap.agents:
        if a.agent == agent:
            return AgentOut.model_validate(_agent_dict(a, ctx.clock.now(), ctx.hub.calls))
    return AgentOut(agent=agent, name=user.display_name, state="logged_out", since=snap.at, time_in_state_s=0.0)


@router.get("/codes", response_model=CodesOut, responses=_ERRORS)
async def codes(user: AgentUser, ctx: Ctx) -> CodesOut:
    def out(codes: Any) -> list[CodeOut]:
        return [CodeOut(code=c.code, label_en=c.label_en, label_zh=c.label_zh) for c in codes]

    return CodesOut(reasons=out(_reasons_to_pick(ctx)), dispositions=out(ctx.center.disposition_codes()))


def _reasons_to_pick(ctx: Ctx) -> list[Any]:
    """The not-ready reasons an agent may choose: not the ones the system sets by itself
    (RONA, after_call_work "话后处理" after a restart ...), which only label a state."""
    return [c for c in ctx.center.reason_codes() if c.code not in SYSTEM_REASONS]


@router.post("/call/hangup", response_model=Ok, responses=_ERRORS)
async def hangup(user: AgentUser, ctx: Ctx) -> Ok:
    agent = agent_id_of(user)
    return await call_center(lambda: ctx.center.hangup(agent))


@router.post("/call/hold", response_model=Ok, responses=_ERRORS)
async def hold(user: AgentUser, ctx: Ctx) -> Ok:
    agent = agent_id_of(user)
    return await call_center(lambda: ctx.center.hold(agent))


@router.post("/call/unhold", response_model=Ok, responses=_ERRORS)
async def unhold(user: AgentUser, ctx: Ctx) -> Ok:
    agent = agent_id_of(user)
    return await call_center(lambda: ctx.center.unhold(agent))


@router.post("/call/transfer", response_model=Ok, responses=_ERRORS)
async def transfer(body: TransferIn, user: AgentUser, ctx: Ctx) -> Ok:
    agent = agent_id_of(user)
    return await call_center(lambda: ctx.center.transfer(agent, body.kind, body.target, body.attended))


@router.post("/call/transfer/complete", response_model=Ok, responses=_ERRORS)
async def complete_transfer(user: AgentUser, ctx: Ctx) -> Ok:
    agent = agent_id_of(user)
    return await call_center(lambda: ctx.center.complete_transfer(agent))


@router.post("/call/transfer/cancel", response_model=Ok, responses=_ERRORS)
async def cancel_transfer(user: AgentUser, ctx: Ctx) -> Ok:
    agent = agent_id_of(user)
    return await call_center(lambda: ctx.center.cancel_transfer(agent))


@router.post("/call/conference", response_model=Ok, responses=_ERRORS)
async def conference(body: ConferenceIn, user: AgentUser, ctx: Ctx) -> Ok:
    agent = agent_id_of(user)
    return await call_center(lambda: ctx.center.conference(agent, body.number))


@router.post("/wrap-up", response_model=Ok, responses=_ERRORS)
async def wrap_up(body: WrapUpIn, user: AgentUser, ctx: Ctx) -> Ok:
    agent = agent_id_of(user)
    if body.disposition not in {c.code for c in ctx.center.disposition_codes()}:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            detail=[{"loc": ["body", "disposition"], "type": "value_error",
                                     "msg": f"Unknown disposition code {body.disposition!r}."}])
    return await call_center(lambda: ctx.center.wrap_up(agent, body.disposition, body.notes, body.ticket_ref))


@router.post("/wrap-up/extend", response_model=Ok, responses=_ERRORS)
async def extend_wrap_up(body: ExtendWrapUpIn, user: AgentUser, ctx: Ctx) -> Ok:
    agent = agent_id_of(user)
    return await call_center(lambda: ctx.center.extend_wrap_up(agent, body.seconds))
