"""Database access for users, teams, sessions and the audit log."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from agent_console.models import ROLES, AuditEntry, SessionToken, Team, TeamMember, User
from agent_console.scope import Scope, TeamNode, team_nodes, visible_user_ids
from agent_console.security import hash_password, new_token, token_digest

# Letters of any script (张伟), digits, and . _ @ -
USERNAME_PATTERN = r"^[\w.@-]+$"


class UserError(ValueError):
    """A user-management request that cannot be done; the message says why."""


async def user_by_name(session: AsyncSession, username: str) -> User | None:
    return (await session.execute(select(User).where(User.username == username))).scalar_one_or_none()


async def create_user(
    session: AsyncSession,
    *,
    username: str,
    password: str,
    role: str,
    now: float,
    display_name: str = "",
    agent_id: str | None = None,
    extension: str | None = None,
    language: str = "zh",
) -> User:
    if not re.fullmatch(USERNAME_PATTERN, username) or len(username) > 64:
        raise UserError(f"Username {username!r} may use letters, digits and . _ @ - only (at most 64).")
    if role not in ROLES:
        raise UserError(f"Unknown role {role!r}; use one of {', '.join(ROLES)}.")
    if await user_by_name(session, username) is not None:
        raise UserError(f"A user named {username!r} already exists; pick another username.")
    if agent_id and (
        await session.execute(select(User.id).where(User.agent_id == agent_id))
    ).first():
        raise UserError(f"Agent id {agent_id!r} already belongs to another user.")
    try:
        pw_hash = hash_password(password)
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    user = User(
        username=username, display_name=display_name or username, password_hash=pw_hash,
        role=role, agent_id=agent_id or None, extension=extension or None,
        language=language, active=True, created_at=now,
    )
    session.add(user)
    await session.flush()
    return user


async def set_password(session: AsyncSession, user: User, password: str) -> None:
    try:
        user.password_hash = hash_password(password)
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    # A new password ends every open session of that user.
    await session.execute(delete(SessionToken).where(SessionToken.user_id == user.id))


async def open_session(
    session: AsyncSession, user: User, *, now: float, ttl_s: float, ip: str | None
) -> tuple[str, float]:
    token = new_token()
    expires = now + ttl_s
    session.add(SessionToken(token_hash=token_digest(token), user_id=user.id, created_at=now,
                             expires_at=expires, ip=ip))
    # Expired sessions of this user are swept on each login.
    await session.execute(
        delete(SessionToken).where(SessionToken.user_id == user.id, SessionToken.expires_at <= now)
    )
    return token, expires


async def user_for_token(session: AsyncSession, token: str, now: float) -> User | None:
    found = await session_for_token(session, token, now)
    return found[0] if found else None


async def session_for_token(session: AsyncSession, token: str, now: float) -> tuple[User, float] | None:
    """The active user of a live session and when the session expires."""
    row = (
        await session.execute(
            select(User, SessionToken.expires_at)
            .join(SessionToken, SessionToken.user_id == User.id)
            .where(SessionToken.token_hash == token_digest(token), SessionToken.expires_at > now)
        )
    ).one_or_none()
    if row is None or not row[0].active:
        return None
    return row[0], float(row[1])


async def live_session_digests(session: AsyncSession, digests: set[str], now: float) -> set[str]:
    """Which of these token digests belong to a session that is open, unexpired and of an
    active user."""
    out: set[str] = set()
    todo = sorted(digests)
    for i in range(0, len(todo), 500):
        rows = await session.execute(
            select(SessionToken.token_hash)
            .join(User, SessionToken.user_id == User.id)
            .where(SessionToken.token_hash.in_(todo[i:i + 500]), SessionToken.expires_at > now,
                   User.active.is_(True)))
        out.update(rows.scalars())
    return out


async def close_session(session: AsyncSession, token: str) -> None:
    await session.execute(delete(SessionToken).where(SessionToken.token_hash == token_digest(token)))


async def scope_for(session: AsyncSession, user: User) -> Scope:
    """The agents (and through them the queues) ``user`` may see."""
    if user.role in ("supervisor", "admin"):
        return Scope(agents=None)
    if user.role != "team_lead":
        return Scope(agents=frozenset({user.agent_id}) if user.agent_id else frozenset())
    teams = (await session.execute(select(Team.id, Team.parent_id, Team.leader_id))).all()
    members = (await session.execute(select(TeamMember.team_id, TeamMember.user_id))).all()
    ids = visible_user_ids(
        user.id,
        leaders={t.id: t.leader_id for t in teams},
        parents={t.id: t.parent_id for t in teams},
        members=[(m.team_id, m.user_id) for m in members],
    )
    if not ids:
        return Scope(agents=frozenset())
    agents = (
        await session.execute(select(User.agent_id).where(User.id.in_(ids), User.agent_id.is_not(None)))
    ).scalars().all()
    return Scope(agents=frozenset(a for a in agents if a))


async def team_tree(session: AsyncSession) -> list[TeamNode]:
    """Every team with its level and the ACD agents of its whole subtree (the reports' and
    QA's leaderboards by team hierarchy both read this)."""
    teams = (await session.execute(select(Team.id, Team.name, Team.level, Team.parent_id).order_by(Team.id))).all()
    members = (await session.execute(select(TeamMember.team_id, User.agent_id).join(
        User, User.id == TeamMember.user_id).where(User.agent_id.is_not(None)))).all()
    return team_nodes([(t.id, t.name, t.level, t.parent_id) for t in teams], [(t, a) for t, a in members if a])


async def team_ids_for(session: AsyncSession, user: User) -> frozenset[int]:
    """Teams a user belongs to, plus every team in the subtree of the teams they lead."""
    from agent_console.scope import subtree

    teams = (await session.execute(select(Team.id, Team.parent_id, Team.leader_id))).all()
    led = [t.id for t in teams if t.leader_id == user.id]
    member = (await session.execute(select(TeamMember.team_id).where(TeamMember.user_id == user.id))).scalars()
    return frozenset(subtree(led, {t.id: t.parent_id for t in teams}) | set(member))


async def audit(
    session: AsyncSession,
    *,
    now: float,
    actor: str,
    action: str,
    target: str | None = None,
    from_value: str | None = None,
    to_value: str | None = None,
    ip: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    session.add(AuditEntry(ts=now, actor=actor, action=action, target=target,
                           from_value=from_value, to_value=to_value, ip=ip, data=data or {}))
