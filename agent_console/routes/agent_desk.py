"""The agent's desk beside the call controls: their own figures today and whom a call
can be transferred to. Acts only on the signed-in user's own agent id."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import select

from acd.admin.models import AcdQueue
from agent_console.deps import AgentUser, Ctx, SessionDep, agent_id_of
from agent_console.models import User
from agent_console.routes.agent import _ERRORS
from ivr.store import IvrStore

router = APIRouter(prefix="/api/agent", tags=["agent"])


class SurveyOut(BaseModel):
    score: float | None  # average of all answers (1-5), None before the first
    answers: int


class TodayOut(BaseModel):
    agent: str
    calls: int
    aht_s: float | None
    time_in_state_s: dict[str, float]
    survey: SurveyOut


class TargetAgent(BaseModel):
    agent: str
    name: str
    state: str


class TargetQueue(BaseModel):
    queue: str
    label_en: str
    label_zh: str


class TargetNumber(BaseModel):
    name: str
    number: str


class TargetsOut(BaseModel):
    agents: list[TargetAgent]
    queues: list[TargetQueue]
    directory: list[TargetNumber]


@router.get("/today", response_model=TodayOut, responses=_ERRORS)
async def today(user: AgentUser, ctx: Ctx) -> TodayOut:
    """Calls handled, AHT, seconds in each state and the survey score since local midnight."""
    agent = agent_id_of(user)
    now = ctx.clock.now()
    snap = await ctx.center.snapshot()
    mine = next((a for a in snap.agents if a.agent == agent), None)
    zone = ctx.hub.state_times.zone
    midnight = datetime.fromtimestamp(now, tz=zone).replace(hour=0, minute=0, second=0, microsecond=0)
    scores = await IvrStore(ctx.engine).agent_scores(agent, since=midnight.timestamp())
    n = sum(c for _, c in scores.values())
    score = round(sum(avg * c for avg, c in scores.values()) / n, 2) if n else None
    return TodayOut(agent=agent, calls=mine.calls_handled if mine else 0, aht_s=mine.aht_s if mine else None,
                    time_in_state_s=ctx.hub.state_times.of(agent, now), survey=SurveyOut(score=score, answers=n))


@router.get("/transfer-targets", response_model=TargetsOut, responses=_ERRORS)
async def transfer_targets(user: AgentUser, ctx: Ctx, session: SessionDep) -> TargetsOut:
    """The other agents (name and state), the queues (labels in both languages) and the
    directory: console users with a phone of their own who are not agents (supervisors,
    team leads' desks, back offices)."""
    agent = agent_id_of(user)
    snap = await ctx.center.snapshot()
    agents = [TargetAgent(agent=a.agent, name=a.name, state=a.state) for a in snap.agents if a.agent != agent]
    rows = {r.name: r for r in (await session.execute(select(AcdQueue))).scalars()}
    queues = []
    for q in snap.queues:
        row = rows.get(q.queue)
        en = (row.label_en if row else None) or q.queue
        queues.append(TargetQueue(queue=q.queue, label_en=en, label_zh=(row.label_zh if row else None) or en))
    people = (await session.execute(
        select(User).where(User.active.is_(True), User.agent_id.is_(None), User.extension.is_not(None))
        .order_by(User.display_name, User.username))).scalars()
    directory = [TargetNumber(name=u.display_name or u.username, number=u.extension or "") for u in people
                 if u.extension]
    return TargetsOut(agents=agents, queues=queues, directory=directory)
