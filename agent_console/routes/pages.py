"""The web pages: login, agent console, supervisor monitor (static HTML + vanilla JS)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from agent_console.context import ConsoleContext
from agent_console.scope import MONITOR_ROLES
from agent_console.store import user_for_token

STATIC = Path(__file__).resolve().parent.parent / "static"
router = APIRouter(include_in_schema=False)


async def _role(request: Request) -> str | None:
    ctx: ConsoleContext = request.app.state.console
    token = request.cookies.get(ctx.config.cookie_name)
    if not token:
        return None
    async with ctx.sessions() as session:
        user = await user_for_token(session, token, ctx.clock.now())
    return user.role if user else None


def _page(name: str) -> Response:
    return FileResponse(STATIC / name, media_type="text/html; charset=utf-8",
                        headers={"Cache-Control": "no-store"})


@router.get("/")
async def home(request: Request) -> Response:
    role = await _role(request)
    if role is None:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse("/supervisor" if role in ("supervisor", "admin") else "/agent", status_code=303)


@router.get("/login")
async def login_page() -> Response:
    return _page("login.html")


@router.get("/agent")
async def agent_page(request: Request) -> Response:
    if await _role(request) is None:
        return RedirectResponse("/login?next=/agent", status_code=303)
    return _page("agent.html")


@router.get("/supervisor")
async def supervisor_page(request: Request) -> Response:
    role = await _role(request)
    if role is None:
        return RedirectResponse("/login?next=/supervisor", status_code=303)
    if role not in MONITOR_ROLES:
        return RedirectResponse("/agent", status_code=303)
    return _page("supervisor.html")
