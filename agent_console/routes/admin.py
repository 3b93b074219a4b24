"""Users, teams and the audit log (admin only)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, status
from sqlalchemy import delete, select

from agent_console.deps import AdminUser, ClientIp, Ctx, SessionDep
from agent_console.models import AuditEntry, Team, TeamMember, User
from agent_console.schemas import (
    AuditOut,
    MemberIn,
    Ok,
    PasswordIn,
    TeamIn,
    TeamOut,
    UserCreateIn,
    UserOut,
    UserPatchIn,
)
from agent_console.scope import subtree
from agent_console.store import UserError, audit, create_user, set_password

Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
router = APIRouter(prefix="/api/admin", tags=["admin"])
_R: dict[int | str, dict[str, Any]] = {401: {"description": "not logged in"}, 403: {"description": "not an admin"},
      404: {"description": "not found"}, 409: {"description": "conflict"}}


async def _user(session: SessionDep, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"There is no user {user_id}.")
    return user


async def _team(session: SessionDep, team_id: int) -> Team:
    team = await session.get(Team, team_id)
    if team is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"There is no team {team_id}.")
    return team


@router.get("/users", response_model=list[UserOut], responses=_R)
async def list_users(user: AdminUser, session: SessionDep) -> list[UserOut]:
    rows = (await session.execute(select(User).order_by(User.username))).scalars().all()
    return [UserOut.model_validate(u) for u in rows]


@router.post("/users", response_model=UserOut, status_code=201, responses=_R)
async def add_user(body: UserCreateIn, user: AdminUser, ctx: Ctx, session: SessionDep, ip: ClientIp) -> UserOut:
    try:
        new = await create_user(session, now=ctx.clock.now(), **body.model_dump())
    except UserError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(exc)) from exc
    await audit(session, now=ctx.clock.now(), actor=user.username, action="user_create", target=new.username,
                to_value=new.role, ip=ip)
    await session.commit()
    return UserOut.model_validate(new)


@router.patch("/users/{user_id}", response_model=UserOut, responses=_R)
async def patch_user(user_id: Id, body: UserPatchIn, user: AdminUser, ctx: Ctx, session: SessionDep,
                     ip: ClientIp) -> UserOut:
    target = await _user(session, user_id)
    changes = body.model_dump(exclude_unset=True)
    if changes.get("agent_id") and (await session.execute(
            select(User.id).where(User.agent_id == changes["agent_id"], User.id != user_id))).first():
        raise HTTPException(status.HTTP_409_CONFLICT,
                            detail=f"Agent id {changes['agent_id']!r} already belongs to another user.")
    for field, value in changes.items():
        if value is None and field in ("role", "active", "language", "display_name"):
            continue
        before = getattr(target, field)
        setattr(target, field, value)
        await audit(session, now=ctx.clock.now(), actor=user.username, action=f"user_set_{field}",
                    target=target.username, from_value=str(before), to_value=str(value), ip=ip)
    await session.commit()
    if changes.keys() & {"role", "active", "agent_id"}:
        ctx.hub.kick(username=target.username)  # scope changed: reconnect with the new one
    return UserOut.model_validate(target)


@router.post("/users/{user_id}/password", response_model=Ok, responses=_R)
async def change_password(user_id: Id, body: PasswordIn, user: AdminUser, ctx: Ctx, session: SessionDep,
                          ip: ClientIp) -> Ok:
    target = await _user(session, user_id)
    try:
        await set_password(session, target, body.password)
    except UserError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=str(exc)) from exc
    await audit(session, now=ctx.clock.now(), actor=user.username, action="user_password", target=target.username,
                ip=ip)
    await session.commit()
    ctx.hub.kick(username=target.username)
    return Ok()


async def _team_out(session: SessionDep, team: Team) -> TeamOut:
    members = (await session.execute(select(TeamMember.user_id).where(TeamMember.team_id == team.id))).scalars()
    return TeamOut(id=team.id, name=team.name, parent_id=team.parent_id, level=team.level,
                   leader_id=team.leader_id, members=sorted(members))


async def _check_team(session: SessionDep, body: TeamIn, team_id: int | None) -> None:
    if body.leader_id is not None:
        await _user(session, body.leader_id)
    if body.parent_id is not None:
        await _team(session, body.parent_id)
        if team_id is not None:
            parents = {t: p for t, p in (await session.execute(select(Team.id, Team.parent_id))).all()}
            if body.parent_id in subtree([team_id], parents):
                raise HTTPException(status.HTTP_409_CONFLICT,
                                    detail="A team cannot sit under itself or one of its own sub-teams.")
    clash = select(Team.id).where(Team.name == body.name)
    if team_id is not None:
        clash = clash.where(Team.id != team_id)
    if (await session.execute(clash)).first():
        raise HTTPException(status.HTTP_409_CONFLICT, detail=f"A team named {body.name!r} already exists.")


@router.get("/teams", response_model=list[TeamOut], responses=_R)
async def list_teams(user: AdminUser, session: SessionDep) -> list[TeamOut]:
    teams = (await session.execute(select(Team).order_by(Team.id))).scalars().all()
    return [await _team_out(session, t) for t in teams]


@router.post("/teams", response_model=TeamOut, status_code=201, responses=_R)
async def add_team(body: TeamIn, user: AdminUser, ctx: Ctx, session: SessionDep, ip: ClientIp) -> TeamOut:
    await _check_team(session, body, None)
    team = Team(**body.model_dump())
    session.add(team)
    await session.flush()
    await audit(session, now=ctx.clock.now(), actor=user.username, action="team_create", target=team.name,
                to_value=str(team.leader_id), ip=ip)
    await session.commit()
    return await _team_out(session, team)


@router.put("/teams/{team_id}", response_model=TeamOut, responses=_R)
async def update_team(team_id: Id, body: TeamIn, user: AdminUser, ctx: Ctx, session: SessionDep,
                      ip: ClientIp) -> TeamOut:
    team = await _team(session, team_id)
    await _check_team(session, body, team_id)
    before = f"parent={team.parent_id} leader={team.leader_id}"
    for k, v in body.model_dump().items():
        setattr(team, k, v)
    await audit(session, now=ctx.clock.now(), actor=user.username, action="team_update", target=team.name,
                from_value=before, to_value=f"parent={team.parent_id} leader={team.leader_id}", ip=ip)
    await session.commit()
    return await _team_out(session, team)


@router.post("/teams/{team_id}/members", response_model=TeamOut, responses=_R)
async def add_member(team_id: Id, body: MemberIn, user: AdminUser, ctx: Ctx, session: SessionDep,
                     ip: ClientIp) -> TeamOut:
    team = await _team(session, team_id)
    member = await _user(session, body.user_id)
    if await session.get(TeamMember, (team_id, body.user_id)) is None:
        session.add(TeamMember(team_id=team_id, user_id=body.user_id))
        await audit(session, now=ctx.clock.now(), actor=user.username, action="team_add_member",
                    target=member.username, to_value=team.name, ip=ip)
        await session.commit()
    return await _team_out(session, team)


@router.delete("/teams/{team_id}/members/{user_id}", response_model=TeamOut, responses=_R)
async def remove_member(team_id: Id, user_id: Id, user: AdminUser, ctx: Ctx, session: SessionDep,
                        ip: ClientIp) -> TeamOut:
    team = await _team(session, team_id)
    await session.execute(delete(TeamMember).where(TeamMember.team_id == team_id, TeamMember.user_id == user_id))
    await audit(session, now=ctx.clock.now(), actor=user.username, action="team_remove_member",
                target=str(user_id), from_value=team.name, ip=ip)
    await session.commit()
    return await _team_out(session, team)


@router.get("/audit", response_model=list[AuditOut], responses=_R)
async def audit_log(user: AdminUser, session: SessionDep,
                    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                    action: Annotated[str, Query(max_length=64, pattern=r"^[a-z0-9_.]*$",
                                                 description="only actions starting with this")] = "",
                    ) -> list[AuditOut]:
    """The newest entries first: who did what, when, from which value to which."""
    q = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if action:
        q = q.where(AuditEntry.action.startswith(action, autoescape=True))
    rows = (await session.execute(q)).scalars()
    return [AuditOut.model_validate(r) for r in rows]
