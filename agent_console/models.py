"""Tables of the console: users, teams (a tree), team membership, sessions, audit log.

Times are epoch seconds (float, UTC) from the injected clock, like ``call_events.ts``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base, BigId

ROLES: tuple[str, ...] = ("agent", "team_lead", "supervisor", "qa", "admin")
TEAM_LEVELS: tuple[str, ...] = ("manager", "supervisor", "team_lead", "group_lead")


class User(Base):
    """A person who logs in. ``agent_id`` links the user to an ACD agent (may be null
    for QA or admins); ``extension`` is their own endpoint (phone, or where a
    supervisor's listen/whisper/barge rings)."""

    __tablename__ = "console_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    display_name: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    password_hash: Mapped[str] = mapped_column(String(256), nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    agent_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    extension: Mapped[str | None] = mapped_column(String(128))
    language: Mapped[str] = mapped_column(String(8), nullable=False, default="zh")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[float] = mapped_column(Float, nullable=False)


class Team(Base):
    """A node of the organisation tree; ``leader_id`` leads this team and every team below.
    ``level`` names the leader's rank (manager > supervisor > team_lead > group_lead)."""

    __tablename__ = "console_teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False, unique=True)
    parent_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("console_teams.id", ondelete="SET NULL")
    )
    level: Mapped[str] = mapped_column(String(16), nullable=False, default="team_lead")
    leader_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("console_users.id", ondelete="SET NULL")
    )


class TeamMember(Base):
    __tablename__ = "console_team_members"

    team_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("console_teams.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("console_users.id", ondelete="CASCADE"), primary_key=True
    )


class SessionToken(Base):
    """A login session. Only the SHA-256 of the opaque token is stored."""

    __tablename__ = "console_sessions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("console_users.id", ondelete="CASCADE"), nullable=False
    )
    created_at: Mapped[float] = mapped_column(Float, nullable=False)
    expires_at: Mapped[float] = mapped_column(Float, nullable=False)
    ip: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        UniqueConstraint("token_hash", name="uq_console_sessions_token_hash"),
        Index("ix_console_sessions_user_id", "user_id"),
    )


class AuditEntry(Base):
    """Who did what to whom, when, from which state to which."""

    __tablename__ = "console_audit"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ts: Mapped[float] = mapped_column(Float, nullable=False)
    actor: Mapped[str] = mapped_column(String(64), nullable=False)
    action: Mapped[str] = mapped_column(String(64), nullable=False)
    target: Mapped[str | None] = mapped_column(String(128))
    from_value: Mapped[str | None] = mapped_column(String(128))
    to_value: Mapped[str | None] = mapped_column(String(128))
    ip: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)

    __table_args__ = (
        Index("ix_console_audit_ts", "ts"),
        Index("ix_console_audit_actor_ts", "actor", "ts"),
    )
