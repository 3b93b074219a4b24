"""Drill-down of the live monitor: one queue (its figures and the agents serving it) and
one agent (state, current call, today's time per state), within the user's team scope."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, status
from pydantic import BaseModel

from agent_console.deps import Ctx, MonitorUser, UserScope
from agent_console.hub import _agent_dict
from agent_console.routes.agent import _ERRORS
from agent_console.routes.supervisor import _NOT_YOURS, AgentPath
from agent_console.schemas import AgentOut, QueueOut
from agent_console.scope import scope_queues

QueuePath = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
router = APIRouter(prefix="/api/supervisor", tags=["supervisor"])
_404: dict[int | str, dict[str, Any]] = {404: {"description": "unknown queue or agent"}}


class QueueDetailOut(BaseModel):
    queue: QueueOut
    agents: list[AgentOut]  # the agents in scope who serve this queue


class AgentDetailOut(BaseModel):
    agent: AgentOut
    time_in_state_today_s: dict[str, float]


@router.get("/queues/{queue}", response_model=QueueDetailOut, responses={**_ERRORS, **_404})
async def queue_detail(queue: QueuePath, user: MonitorUser, scope: UserScope, ctx: Ctx) -> QueueDetailOut:
    snap = await ctx.center.snapshot()
    scope = scope_queues(scope, snap)
    found = next((q for q in snap.queues if q.queue == queue), None)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"There is no queue {queue}; check the queue name.")
    if not scope.sees_queue(queue):
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            detail=f"Queue {queue} is not served by your teams; you can only open your teams' queues.")
    now = ctx.clock.now()
    agents = [AgentOut.model_validate(_agent_dict(a, now, ctx.hub.calls)) for a in snap.agents
              if queue in a.queues and scope.sees_agent(a.agent)]
    return QueueDetailOut(queue=QueueOut.model_validate(found, from_attributes=True), agents=agents)


@router.get("/agents/{agent}", response_model=AgentDetailOut, responses={**_ERRORS, **_404})
async def agent_detail(agent: AgentPath, user: MonitorUser, scope: UserScope, ctx: Ctx) -> AgentDetailOut:
    if not scope.sees_agent(agent):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=_NOT_YOURS.format(agent=agent))
    snap = await ctx.center.snapshot()
    found = next((a for a in snap.agents if a.agent == agent), None)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"There is no agent {agent}; check the agent id.")
    now = ctx.clock.now()
    return AgentDetailOut(agent=AgentOut.model_validate(_agent_dict(found, now, ctx.hub.calls)),
                          time_in_state_today_s=ctx.hub.state_times.of(agent, now))
