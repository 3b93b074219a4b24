"""Operations endpoints: ``/health`` (liveness + readiness), ``/metrics`` (Prometheus), offline ``/docs``.

``/health`` answers 200 when the database answers ``SELECT 1`` and the contact center gives a
snapshot, 503 with the failing check named otherwise (a load balancer or systemd watchdog reads it).

``/metrics`` is the Prometheus text format, from a registry owned by the app (never the process-wide
default one, so several apps in one test process do not collide). The queue and agent gauges are
read from ``ContactCenter.snapshot()`` at scrape time, so they cannot drift from what the
wallboard shows.

``/docs`` is Swagger UI served from ``static/vendor/swagger-ui`` (vendored from npm, see its
VERSION file): it works on a machine without internet, unlike FastAPI's default CDN page.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import text

from acd.ports import CenterSnapshot
from agent_console.context import ConsoleContext

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
SWAGGER = "/static/vendor/swagger-ui"


@router.get("/health")
async def health(request: Request) -> Response:
    ctx: ConsoleContext = request.app.state.console
    checks: dict[str, str] = {}
    try:
        async with ctx.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure is "not ready", named in the body
        log.warning("health: database check failed: %s", exc)
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        snap = await ctx.center.snapshot()
        checks["contact_center"] = "ok"
        agents, queues = len(snap.agents), len(snap.queues)
    except Exception as exc:  # noqa: BLE001
        log.warning("health: contact center snapshot failed: %s", exc)
        checks["contact_center"] = f"error: {type(exc).__name__}"
        agents = queues = 0
    ok = all(v == "ok" for v in checks.values())
    body = {"status": "ok" if ok else "unavailable", "checks": checks,
            "agents": agents, "queues": queues, "websocket_clients": len(ctx.hub.connections)}
    return JSONResponse(body, status_code=200 if ok else 503, headers={"Cache-Control": "no-store"})


class CenterCollector(Collector):
    """Prometheus collector over the last snapshot taken for the scrape in progress."""

    def __init__(self) -> None:
        self.snapshot: CenterSnapshot | None = None
        self.websocket_clients = 0

    def collect(self) -> Iterator[GaugeMetricFamily]:
        snap = self.snapshot
        if snap is None:
            return
        waiting = GaugeMetricFamily("hotline_queue_waiting_calls", "Calls waiting in the queue.",
                                    labels=["queue"])
        longest = GaugeMetricFamily("hotline_queue_longest_wait_seconds",
                                    "Wait of the longest-waiting call in the queue.", labels=["queue"])
        offered = GaugeMetricFamily("hotline_queue_offered_today", "Calls offered today.", labels=["queue"])
        answered = GaugeMetricFamily("hotline_queue_answered_today", "Calls answered today.", labels=["queue"])
        abandoned = GaugeMetricFamily("hotline_queue_abandoned_today", "Calls abandoned today.",
                                      labels=["queue"])
        sl = GaugeMetricFamily("hotline_queue_service_level_ratio",
                               "Service level today (answered within threshold / (answered + abandoned"
                               " after threshold)); absent before the first call.", labels=["queue"])
        for q in snap.queues:
            waiting.add_metric([q.queue], q.waiting)
            longest.add_metric([q.queue], q.longest_wait_s)
            offered.add_metric([q.queue], q.offered_today)
            answered.add_metric([q.queue], q.answered_today)
            abandoned.add_metric([q.queue], q.abandoned_today)
            if q.service_level is not None:
                sl.add_metric([q.queue], q.service_level)
        by_state: dict[str, int] = {}
        for a in snap.agents:
            by_state[a.state] = by_state.get(a.state, 0) + 1
        agents = GaugeMetricFamily("hotline_agents", "Logged-in agents by state.", labels=["state"])
        for state, n in sorted(by_state.items()):
            agents.add_metric([state], n)
        ws = GaugeMetricFamily("hotline_console_websocket_clients", "Console websocket connections.")
        ws.add_metric([], self.websocket_clients)
        yield from (waiting, longest, offered, answered, abandoned, sl, agents, ws)


def metrics_registry() -> tuple[CollectorRegistry, CenterCollector]:
    registry = CollectorRegistry(auto_describe=False)
    collector = CenterCollector()
    registry.register(collector)
    return registry, collector


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    ctx: ConsoleContext = request.app.state.console
    registry: CollectorRegistry = request.app.state.metrics_registry
    collector: CenterCollector = request.app.state.metrics_collector
    started = time.perf_counter()
    collector.snapshot = await ctx.center.snapshot()
    collector.websocket_clients = len(ctx.hub.connections)
    body = generate_latest(registry)
    log.debug("metrics scrape in %.1f ms", (time.perf_counter() - started) * 1000)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


@router.get("/docs")
async def docs(request: Request) -> HTMLResponse:
    return get_swagger_ui_html(openapi_url=request.app.openapi_url or "/openapi.json",
                               title=f"{request.app.title} — API",
                               swagger_js_url=f"{SWAGGER}/swagger-ui-bundle.js",
                               swagger_css_url=f"{SWAGGER}/swagger-ui.css",
                               swagger_favicon_url=f"{SWAGGER}/favicon-32x32.png")
