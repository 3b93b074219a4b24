"""FastAPI dependencies as ``Annotated`` aliases: ``Ctx``, ``SessionDep``,
``CurrentUser``, ``RequireRole(...)``, ``UserScope``, ``ClientIp``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, WebSocket, status
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from agent_console.context import ConsoleContext
from agent_console.models import User
from agent_console.scope import Scope
from agent_console.store import scope_for, session_for_token, user_for_token

CSRF_HEADER = "x-hotline-csrf"


def get_ctx(conn: HTTPConnection) -> ConsoleContext:
    ctx: ConsoleContext = conn.app.state.console
    return ctx


Ctx = Annotated[ConsoleContext, Depends(get_ctx)]


async def get_session(ctx: Ctx) -> AsyncIterator[AsyncSession]:
    async with ctx.sessions() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


def client_ip(conn: HTTPConnection) -> str:
    return conn.client.host if conn.client else "unknown"


ClientIp = Annotated[str, Depends(client_ip)]


def bearer_or_cookie(conn: HTTPConnection, cookie_name: str) -> tuple[str | None, bool]:
    """The session token of a request and whether it came from the cookie."""
    auth = conn.headers.get("authorization", "")
    if auth[:7].lower() == "bearer " and auth[7:].strip():
        return auth[7:].strip(), False
    cookie = conn.cookies.get(cookie_name)
    return (cookie, True) if cookie else (None, False)


_UNAUTHENTICATED = HTTPException(
    status.HTTP_401_UNAUTHORIZED,
    detail="You are not logged in or your session expired; log in again.",
    headers={"WWW-Authenticate": "Bearer"},
)


async def current_user(request: Request, ctx: Ctx, session: SessionDep) -> User:
    token, from_cookie = bearer_or_cookie(request, ctx.config.cookie_name)
    if token is None:
        raise _UNAUTHENTICATED
    # Cookie-authenticated writes must carry a header a cross-site form cannot set.
    if from_cookie and request.method not in ("GET", "HEAD", "OPTIONS") and not request.headers.get(CSRF_HEADER):
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            detail=f"Requests authenticated by cookie must send the {CSRF_HEADER} header.")
    user = await user_for_token(session, token, ctx.clock.now())
    if user is None:
        raise _UNAUTHENTICATED
    return user


CurrentUser = Annotated[User, Depends(current_user)]


class RoleCheck:
    """Dependency: the logged-in user, if their role is one of ``roles`` (else 403).

    ``roles`` stays readable on the dependency, so tools (the API fuzz) can tell from a
    route itself who may call it.
    """

    def __init__(self, roles: tuple[str, ...]) -> None:
        self.roles = roles

    async def __call__(self, user: CurrentUser) -> User:
        if user.role not in self.roles:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail=f"Your role ({user.role}) may not do this; it needs one of: {', '.join(self.roles)}.",
            )
        return user


def RequireRole(*roles: str) -> RoleCheck:  # noqa: N802 - reads like a type
    """Used through the aliases below: ``user: AgentUser`` / ``MonitorUser`` / ``AdminUser``."""
    return RoleCheck(roles)


AgentUser = Annotated[User, Depends(RequireRole("agent", "team_lead"))]
MonitorUser = Annotated[User, Depends(RequireRole("team_lead", "supervisor", "admin"))]
AdminUser = Annotated[User, Depends(RequireRole("admin"))]


async def user_scope(user: CurrentUser, session: SessionDep) -> Scope:
    return await scope_for(session, user)


UserScope = Annotated[Scope, Depends(user_scope)]


async def ws_user(websocket: WebSocket, ctx: ConsoleContext) -> tuple[User, str, float] | None:
    """Authenticate a websocket: bearer header, ``?token=``, or the session cookie (same
    origin only). The user, the token and when the session expires; None if refused."""
    token, from_cookie = bearer_or_cookie(websocket, ctx.config.cookie_name)
    if token is None:
        token = websocket.query_params.get("token")
    if token is None:
        return None
    if from_cookie:
        origin = websocket.headers.get("origin")
        host = websocket.headers.get("host")
        if origin is not None and host is not None and origin.split("://", 1)[-1] != host:
            return None
    async with ctx.sessions() as session:
        found = await session_for_token(session, token, ctx.clock.now())
    return (found[0], token, found[1]) if found else None


def agent_id_of(user: User) -> str:
    if not user.agent_id:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            detail="Your user is not linked to an ACD agent; ask an admin to set your agent id.")
    return user.agent_id


GetSession = Callable[[], AsyncIterator[AsyncSession]]
