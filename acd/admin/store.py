"""Admin rows <-> the service's :class:`acd.service.config.AcdConfig`."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from acd.admin.models import AcdAgent, AcdDispositionCode, AcdQueue, AcdReasonCode
from acd.admin.schemas import AgentIn, QueueIn
from acd.core.model import Agent, Exit, ExitTo, Membership, Policy, QueueConfig, Relaxation
from acd.ports import Code
from acd.service.config import (
    DEFAULT_DISPOSITIONS,
    DEFAULT_REASON_CODES,
    AcdConfig,
    AgentProfile,
    RecordingPolicy,
)

log = logging.getLogger("acd.admin")


def _exit(doc: dict[str, Any] | None) -> Exit | None:
    if not doc:
        return None
    return Exit(ExitTo(doc.get("to", "voicemail")), doc.get("queue", ""))


def queue_config(name: str, body: QueueIn) -> tuple[QueueConfig, RecordingPolicy]:
    """Validated body -> the router's queue and the recording policy (ValueError if inconsistent)."""
    relax = tuple(Relaxation(r.after_s, r.min_proficiency,
                             tuple(r.alternative) if r.alternative is not None else None,
                             r.any_language, r.overflow_to) for r in body.relaxations)
    cfg = QueueConfig(
        name=name, skills=tuple(body.skills), min_proficiency=body.min_proficiency,
        language=body.language, relaxations=relax, max_wait_s=body.max_wait_s,
        on_timeout=_exit(body.on_timeout.model_dump()) or Exit(ExitTo.VOICEMAIL),
        max_waiting=body.max_waiting,
        on_full=_exit(body.on_full.model_dump()) or Exit(ExitTo.VOICEMAIL),
        on_empty=_exit(body.on_empty.model_dump()) if body.on_empty else None,
        wrap_up_s=body.wrap_up_s, ring_timeout_s=body.ring_timeout_s, policy=Policy(body.policy),
        announce_every_s=body.announce_every_s, default_aht_s=body.default_aht_s)
    return cfg, RecordingPolicy(body.recording.mode, body.recording.percent)


def agent_profile(agent_id: str, body: AgentIn) -> AgentProfile:
    agent = Agent(agent_id, dict(body.skills), frozenset(body.languages), frozenset(body.teams),
                  {q: Membership(m.weight, m.priority) for q, m in body.queues.items()}, body.name)
    return AgentProfile(agent, body.endpoint)


async def load_config(session: AsyncSession, base: AcdConfig | None = None) -> AcdConfig:
    """The configuration in the database; a row that no longer validates is skipped with
    a warning (the rest still loads)."""
    base = base or AcdConfig()
    queues: list[QueueConfig] = []
    recording: dict[str, RecordingPolicy] = {}
    for row in (await session.execute(select(AcdQueue).order_by(AcdQueue.name))).scalars():
        try:
            cfg, rec = queue_config(row.name, QueueIn.model_validate(row.config))
        except ValueError as exc:
            log.warning("queue %s skipped: %s", row.name, exc)
            continue
        queues.append(cfg)
        recording[row.name] = rec
    agents: dict[str, AgentProfile] = {}
    for a in (await session.execute(select(AcdAgent).where(AcdAgent.active.is_(True)))).scalars():
        try:
            agents[a.id] = agent_profile(a.id, AgentIn(
                name=a.name, endpoint=a.endpoint, skills=a.skills, languages=a.languages,
                teams=a.teams, queues=a.queues))
        except ValueError as exc:
            log.warning("agent %s skipped: %s", a.id, exc)
    reasons = tuple(Code(r.code, r.label_en, r.label_zh) for r in
                    (await session.execute(select(AcdReasonCode).order_by(AcdReasonCode.code))).scalars())
    dispositions = tuple(Code(r.code, r.label_en, r.label_zh) for r in (await session.execute(
        select(AcdDispositionCode).order_by(AcdDispositionCode.code))).scalars())
    from dataclasses import replace

    return replace(base, queues=tuple(queues), agents=agents, recording=recording,
                   reason_codes=reasons or DEFAULT_REASON_CODES,
                   disposition_codes=dispositions or DEFAULT_DISPOSITIONS)


async def save_agent(session: AsyncSession, agent_id: str, body: AgentIn) -> None:
    agent_profile(agent_id, body)  # raises ValueError if the core would refuse it
    row = await session.get(AcdAgent, agent_id)
    doc = body.model_dump()
    if row is None:
        session.add(AcdAgent(id=agent_id, **doc))
    else:
        for k, v in doc.items():
            setattr(row, k, v)


async def save_queue(session: AsyncSession, name: str, body: QueueIn, at: float) -> None:
    queue_config(name, body)  # raises ValueError if the core would refuse it
    row = await session.get(AcdQueue, name)
    doc = body.model_dump(exclude={"label_en", "label_zh"})
    if row is None:
        session.add(AcdQueue(name=name, label_en=body.label_en, label_zh=body.label_zh,
                             config=doc, updated_at=at))
    else:
        row.label_en, row.label_zh, row.config, row.updated_at = body.label_en, body.label_zh, doc, at
