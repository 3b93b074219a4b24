"""Log in, log out, who am I."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response, status

from agent_console import nav
from agent_console.deps import ClientIp, Ctx, CurrentUser, SessionDep, bearer_or_cookie
from agent_console.schemas import LoginIn, LoginOut, MyPagesOut, Ok, PageLink, UserOut
from agent_console.security import token_digest, verify_password
from agent_console.store import audit, close_session, open_session, user_by_name

router = APIRouter(prefix="/api/auth", tags=["auth"])

_BAD_LOGIN = "Wrong username or password; check both and try again."


@router.post("/login", response_model=LoginOut,
             responses={401: {"description": "wrong credentials"}, 429: {"description": "too many failures"}})
async def login(body: LoginIn, response: Response, ctx: Ctx, session: SessionDep, ip: ClientIp) -> LoginOut:
    wait = ctx.limiter.retry_after(body.username, ip)
    if wait:
        await audit(session, now=ctx.clock.now(), actor=body.username, action="login_throttled", ip=ip)
        await session.commit()
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS,
                            detail=f"Too many failed logins; wait {wait} s and try again.",
                            headers={"Retry-After": str(wait)})
    user = await user_by_name(session, body.username)
    ok = verify_password(user.password_hash if user else None, body.password)
    if user is None or not ok or not user.active:
        ctx.limiter.failed(body.username, ip)
        await audit(session, now=ctx.clock.now(), actor=body.username, action="login_failed", ip=ip)
        await session.commit()
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail=_BAD_LOGIN)
    ctx.limiter.succeeded(body.username, ip)
    token, expires = await open_session(session, user, now=ctx.clock.now(), ttl_s=ctx.config.session_ttl_s, ip=ip)
    await audit(session, now=ctx.clock.now(), actor=user.username, action="login", ip=ip)
    await session.commit()
    response.set_cookie(ctx.config.cookie_name, token, max_age=int(ctx.config.session_ttl_s), httponly=True,
                        samesite="strict", secure=ctx.config.cookie_secure, path="/")
    return LoginOut(token=token, expires_at=expires, user=UserOut.model_validate(user),
                    home=nav.landing_for(user.role, user.agent_id))


@router.post("/logout", response_model=Ok)
async def logout(request: Request, response: Response, user: CurrentUser, ctx: Ctx,
                 session: SessionDep, ip: ClientIp) -> Ok:
    token, _ = bearer_or_cookie(request, ctx.config.cookie_name)
    if token:
        await close_session(session, token)
        ctx.hub.kick(token_digest=token_digest(token))
    await audit(session, now=ctx.clock.now(), actor=user.username, action="logout", ip=ip)
    await session.commit()
    response.delete_cookie(ctx.config.cookie_name, path="/")
    return Ok()


@router.get("/me", response_model=UserOut)
async def me(user: CurrentUser) -> UserOut:
    return UserOut.model_validate(user)


@router.get("/pages", response_model=MyPagesOut)
async def my_pages(user: CurrentUser) -> MyPagesOut:
    """The pages this user may open (the navigation bar) and the one they land on."""
    return MyPagesOut(home=nav.landing_for(user.role, user.agent_id),
                      pages=[PageLink(path=p.path, label_en=p.label_en, label_zh=p.label_zh)
                             for p in nav.pages_for(user.role, user.agent_id)])
