"""Tables of the ACD configuration and of the agents' live state.

Queue and agent details that the router reads as a whole (relaxation steps, skills with
proficiency, queue memberships with weights) are JSON documents validated by
:mod:`acd.admin.schemas`; names are the primary keys so a change is one row.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, Float, String
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base


class AcdQueue(Base):
    """``config`` holds the :class:`acd.core.model.QueueConfig` fields plus ``recording``
    (``{"mode": "all"|"percentage"|"none", "percent": 0..100}``)."""

    __tablename__ = "acd_queues"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    label_en: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    label_zh: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    config: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    updated_at: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)


class AcdSkill(Base):
    __tablename__ = "acd_skills"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    label_en: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    label_zh: Mapped[str] = mapped_column(String(200), nullable=False, default="")


class AcdAgent(Base):
    """``skills``: ``{"billing": 8}``; ``queues``: ``{"sales": {"weight": 1.0, "priority": 0}}``;
    ``endpoint``: the dial string of the agent's phone (``PJSIP/agent1001``)."""

    __tablename__ = "acd_agents"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    endpoint: Mapped[str] = mapped_column(String(200), nullable=False)
    skills: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    languages: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    teams: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    queues: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)


class AcdReasonCode(Base):
    """A not-ready reason agents may pick (break, meal ...)."""

    __tablename__ = "acd_reason_codes"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    label_en: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    label_zh: Mapped[str] = mapped_column(String(200), nullable=False, default="")


class AcdDispositionCode(Base):
    """A wrap-up disposition (resolved, escalated ...)."""

    __tablename__ = "acd_disposition_codes"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    label_en: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    label_zh: Mapped[str] = mapped_column(String(200), nullable=False, default="")


class AcdAgentState(Base):
    """The last known state of each agent, written on every change, read at start-up so
    a restarted backend brings agents back as they were."""

    __tablename__ = "acd_agent_state"

    agent_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[str] = mapped_column(String(32), nullable=False)
    reason: Mapped[str | None] = mapped_column(String(64))
    extension: Mapped[str | None] = mapped_column(String(64))
    since: Mapped[float] = mapped_column(Float, nullable=False)
