"""Each agent's time per state today survives a console restart: the real ACD logs every
state change (``AGENTSTATE`` rows in the call-event log) and a new app on the same database
rebuilds the figures from them, the state in force at local midnight included. ManualClock."""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from acd.service import AcdService
from agent_console.app import create_app
from agent_console.store import create_user
from hotline.clock import ManualClock
from hotline.db import make_sessionmaker
from hotline.eventlog import CallEventLog
from hotline.events import EventBus
from hotline.settings import Settings
from tests.acd_service.acdrig import make_config

SH = ZoneInfo("Asia/Shanghai")
PASSWORD = "restart-pass-2026"


class YesAmi:
    async def execute(self, action: Any, *, within: float | None = None) -> Any:
        return None


async def _no_pop(number: str) -> dict[str, Any]:
    return {}


@asynccontextmanager
async def console(engine: AsyncEngine, svc: AcdService, bus: EventBus, clock: ManualClock):  # type: ignore[no-untyped-def]
    app = create_app(Settings(timezone="Asia/Shanghai"), engine, bus, svc, _no_pop, clock, mount_crm=False)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
            for user in ("alice", "sup"):
                r = await http.post("/api/auth/login", json={"username": user, "password": PASSWORD})
                assert r.status_code == 200, r.text
                http.headers[f"x-token-{user}"] = r.json()["token"]
            yield app, http


async def _today(http: httpx.AsyncClient) -> dict[str, float]:
    """The agent's own figures; the supervisor's drill-down into the agent says the same."""
    r = await http.get("/api/agent/today", headers={"Authorization": f"Bearer {http.headers['x-token-alice']}"})
    assert r.status_code == 200, r.text
    own = dict(r.json()["time_in_state_s"])
    r = await http.get("/api/supervisor/agents/a1001", headers={"Authorization": f"Bearer {http.headers['x-token-sup']}"})
    assert r.status_code == 200, r.text
    assert r.json()["time_in_state_today_s"] == own
    return own


async def test_a_restarted_console_shows_the_same_state_times_today(sqlite_engine: AsyncEngine) -> None:
    start = datetime(2026, 11, 18, 23, 59, tzinfo=SH).timestamp()  # a minute before midnight
    clock, bus = ManualClock(start), EventBus()
    async with make_sessionmaker(sqlite_engine)() as s, s.begin():
        await create_user(s, username="alice", password=PASSWORD, role="agent", now=start, agent_id="a1001")
        await create_user(s, username="sup", password=PASSWORD, role="supervisor", now=start)
    log = CallEventLog(sqlite_engine, clock=clock)
    svc = AcdService(bus, clock, YesAmi(), log, make_config(agents=1), timezone="Asia/Shanghai")
    await svc.start(restore=False)
    try:
        async with console(sqlite_engine, svc, bus, clock) as (_, http):
            await svc.login("a1001", "")          # 23:59:00 not ready (the login state)
            clock.advance(90)
            await svc.set_ready("a1001")          # 00:00:30: 30 s of not ready today
            clock.advance(40)
            await svc.set_not_ready("a1001", "break")  # 40 s ready
            clock.advance(25)                     # 25 s on break so far
            before = await _today(http)
        assert before == {"not_ready": 55.0, "ready": 40.0}
        await log.flush()

        # the console restarts: a new app (new hub, empty memory) on the same database
        async with console(sqlite_engine, svc, bus, clock) as (app, http):
            assert await _today(http) == before
            assert app.state.console.hub.state_times.of("a1001", clock.now()) == before
            clock.advance(5)  # and the open span keeps running
            assert await _today(http) == {"not_ready": 60.0, "ready": 40.0}
    finally:
        await svc.stop()

