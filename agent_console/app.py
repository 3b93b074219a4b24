"""``create_app``: the console's FastAPI application, built from explicit parts (no globals)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.exceptions import HTTPException as StarletteHTTPException

from acd.ports import ContactCenter
from agent_console.config import ConsoleConfig
from agent_console.context import ConsoleContext
from agent_console.deps import CurrentUser, SessionDep, get_session
from agent_console.hub import Hub, ScreenPopLookup, dumps
from agent_console.messages import localize, to_chinese, wants_chinese
from agent_console.revocation import watch_sessions
from agent_console.routes import (
    admin,
    agent,
    agent_desk,
    auth,
    ops,
    outbound,
    outbound_campaigns,
    outbound_lists,
    pages,
    phone,
    qa,
    recordings,
    reports,
    supervisor,
    supervisor_drill,
    ws,
)
from agent_console.routes.pages import STATIC, not_found_page
from agent_console.security import LoginLimiter
from agent_console.state_history import state_changes_today
from agent_console.store import team_ids_for
from crm.http import build_router as build_crm_router
from hotline.clock import Clock
from hotline.db import make_sessionmaker
from hotline.events import EventBus
from hotline.settings import Settings

log = logging.getLogger(__name__)
REQUEST_ID = "x-request-id"


def create_app(
    settings: Settings,
    engine: AsyncEngine,
    bus: EventBus,
    center: ContactCenter,
    screen_pop_lookup: ScreenPopLookup,
    clock: Clock,
    *,
    config: ConsoleConfig | None = None,
    mount_crm: bool = True,
) -> FastAPI:
    """The console app. The hub starts with the app's lifespan (``uvicorn`` or ``TestClient``)."""
    config = config or ConsoleConfig()
    hub = Hub(bus=bus, center=center, clock=clock, lookup=screen_pop_lookup, config=config,
              zone=ZoneInfo(settings.timezone))
    ctx = ConsoleContext(
        settings=settings, config=config, engine=engine, sessions=make_sessionmaker(engine), bus=bus,
        center=center, clock=clock, limiter=LoginLimiter(clock, config.login_limit), hub=hub,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:  # today's time per state survives a restart (the ACD logs every state change)
            for change in await state_changes_today(engine, hub.state_times.zone, clock.now()):
                hub.state_times.feed(change)
        except Exception:
            log.exception("today's agent state times could not be read back; they start from now")
        hub.start()
        every = config.session_check_interval_s
        watch = asyncio.create_task(watch_sessions(hub, ctx.sessions_alive, every)) if every > 0 else None
        try:
            yield
        finally:
            if watch is not None:
                watch.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watch
            await hub.stop()

    app = FastAPI(title="hotline console", version="0.1.0", lifespan=lifespan,
                  description="Agent console and supervisor monitor of hotline.",
                  docs_url=None, redoc_url=None)  # /docs is ops.docs, from vendored assets
    app.state.console = ctx
    app.state.metrics_registry, app.state.metrics_collector = ops.metrics_registry()
    for module in (auth, agent, agent_desk, phone, supervisor, supervisor_drill, admin, reports, outbound,
                   outbound_lists, outbound_campaigns, recordings, qa, ws, ops, pages):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    if mount_crm:
        include_crm(app, ctx)
    _install_error_handling(app)
    return app


def include_crm(app: FastAPI, ctx: ConsoleContext) -> None:
    """Mount the CRM's routes (``crm.http.build_router``) with the console's user and session."""

    async def notify(username: str, message: dict[str, Any]) -> None:
        frame = dumps({"type": "notify", **message})
        for conn in list(ctx.hub.connections):
            if conn.username == username:
                conn.offer(frame)

    app.include_router(build_crm_router(crm_user, get_session, notify, clock=ctx.clock))


@dataclass(frozen=True, slots=True)
class CrmUser:
    """The signed-in user as ``crm.policy.UserLike`` sees it."""

    id: int
    username: str
    role: str
    team_ids: frozenset[int]
    agent_id: str | None


async def crm_user(user: CurrentUser, session: SessionDep) -> CrmUser:
    return CrmUser(id=user.id, username=user.username, role=user.role,
                   team_ids=await team_ids_for(session, user), agent_id=user.agent_id)


def _install_error_handling(app: FastAPI) -> None:
    @app.middleware("http")
    async def request_id(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        rid = request.headers.get(REQUEST_ID, "")[:64] or secrets.token_hex(8)
        request.state.request_id = rid
        try:
            response = await call_next(request)
        except Exception:
            log.exception("unhandled error in %s %s (request %s)", request.method, request.url.path, rid)
            response = _internal_error(rid)
        response.headers[REQUEST_ID] = rid
        return response

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        rid = getattr(request.state, "request_id", "-")
        log.exception("unhandled error in %s %s (request %s)", request.method, request.url.path, rid,
                      exc_info=exc)
        return _internal_error(rid, zh=wants_chinese(request.headers.get("accept-language")))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        path = request.url.path
        if (exc.status_code == 404 and request.method == "GET" and "text/html" in request.headers.get("accept", "")
                and not path.startswith(("/api/", "/static/", "/ws"))):
            return not_found_page()  # a page URL that does not exist: a page, not raw JSON
        detail = exc.detail
        if wants_chinese(request.headers.get("accept-language")):
            detail = localize(detail)
        return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_body(request: Request, exc: RequestValidationError) -> JSONResponse:
        detail: Any = jsonable_encoder(exc.errors())
        if wants_chinese(request.headers.get("accept-language")):
            detail = localize(detail)
        return JSONResponse({"detail": detail}, status_code=422)


def _internal_error(rid: str, *, zh: bool = False) -> JSONResponse:
    text = f"Something went wrong on our side; quote request id {rid} to an admin."
    return JSONResponse(
        status_code=500,
        content={"detail": to_chinese(text) if zh else text, "request_id": rid},
        headers={REQUEST_ID: rid},
    )
