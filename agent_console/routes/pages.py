"""The web pages: login, agent console, supervisor monitor (static HTML + vanilla JS)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from agent_console import nav
from agent_console.context import ConsoleContext
from agent_console.store import user_for_token

STATIC = Path(__file__).resolve().parent.parent / "static"
router = APIRouter(include_in_schema=False)


async def _user(request: Request) -> tuple[str, str | None] | None:
    """``(role, agent_id)`` of the signed-in user, or None."""
    ctx: ConsoleContext = request.app.state.console
    token = request.cookies.get(ctx.config.cookie_name)
    if not token:
        return None
    async with ctx.sessions() as session:
        user = await user_for_token(session, token, ctx.clock.now())
    return (user.role, user.agent_id) if user else None


def _page(name: str) -> Response:
    return FileResponse(STATIC / name, media_type="text/html; charset=utf-8",
                        headers={"Cache-Control": "no-store"})


async def _guarded(request: Request, path: str, html: str) -> Response:
    """The page if the user may use it; else sign-in, or the user's own landing page."""
    who = await _user(request)
    if who is None:
        return RedirectResponse(f"/login?next={path}", status_code=303)
    page = nav.page_for(path)
    if page is None or not nav.may_use(page, *who):
        return RedirectResponse(nav.landing_for(*who), status_code=303)
    return _page(html)


@router.get("/")
async def home(request: Request) -> Response:
    who = await _user(request)
    if who is None:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse(nav.landing_for(*who), status_code=303)


@router.get("/login")
async def login_page() -> Response:
    return _page("login.html")


@router.get("/agent")
async def agent_page(request: Request) -> Response:
    return await _guarded(request, "/agent", "agent.html")


@router.get("/supervisor")
async def supervisor_page(request: Request) -> Response:
    return await _guarded(request, "/supervisor", "supervisor.html")


@router.get("/reports")
async def reports_page(request: Request) -> Response:
    return await _guarded(request, "/reports", "reports.html")


@router.get("/outbound")
async def outbound_page(request: Request) -> Response:
    return await _guarded(request, "/outbound", "outbound.html")


@router.get("/qa")
async def qa_page(request: Request) -> Response:
    return await _guarded(request, "/qa", "qa.html")


@router.get("/admin")
async def admin_page(request: Request) -> Response:
    return await _guarded(request, "/admin", "admin.html")


@router.get("/my-evaluations")
async def my_evaluations_page(request: Request) -> Response:
    return await _guarded(request, "/my-evaluations", "myqa.html")


@router.get("/home")
async def my_pages(request: Request) -> Response:
    return await _guarded(request, "/home", "home.html")


def not_found_page() -> Response:
    return FileResponse(STATIC / "404.html", status_code=404, media_type="text/html; charset=utf-8")
