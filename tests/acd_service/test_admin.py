"""Admin REST on a real database: a change is visible to the running service at once."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from acdrig import make_config
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from acd.admin.router import build_router
from acd.admin.store import load_config
from acd.service import AcdService
from hotline.clock import ManualClock
from hotline.db import make_sessionmaker
from hotline.eventlog import CallEventLog
from hotline.events import EventBus


class NoAmi:
    async def execute(self, action: object, *, within: float | None = None) -> None:
        return None


async def test_put_queue_and_agent_reload_the_running_service(sqlite_engine: AsyncEngine) -> None:
    maker = make_sessionmaker(sqlite_engine)
    svc = AcdService(EventBus(), ManualClock(), NoAmi(), CallEventLog(sqlite_engine),
                     make_config(agents=0))

    async def session() -> AsyncIterator[AsyncSession]:
        async with maker() as s:
            yield s

    async def reload() -> None:
        async with maker() as s:
            svc.reload(await load_config(s, svc.config))

    async def admin() -> None:
        return None

    app = FastAPI()
    app.include_router(build_router(admin, session, on_change=reload))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        r = await c.put("/api/admin/acd/queues/support", json={
            "label_en": "Support", "label_zh": "技术支持", "skills": ["tech"],
            "wrap_up_s": 15, "recording": {"mode": "percentage", "percent": 25}})
        assert r.status_code == 200, r.text
        r = await c.put("/api/admin/acd/agents/a7", json={
            "name": "张安娜", "endpoint": "PJSIP/agent1007", "skills": {"tech": 7},
            "languages": ["zh"], "queues": {"support": {"weight": 2}}})
        assert r.status_code == 200, r.text
        bad = await c.put("/api/admin/acd/agents/a8", json={
            "endpoint": "PJSIP/agent1008", "skills": {"tech": 11}})
        assert bad.status_code == 422 and "skills" in bad.text
        assert (await c.delete("/api/admin/acd/agents/nobody")).status_code == 404
        listed = (await c.get("/api/admin/acd/agents")).json()
    assert [a["id"] for a in listed] == ["a7"]
    assert svc.config.queue("support") is not None
    assert svc.config.recording_for("support").percent == 25
    await svc.login("a7", "")
    assert svc.router.agent("a7") is not None
    assert svc.agents_logged_in("support") == 1


async def test_skills_lists_the_skills_agents_have_even_without_a_row(sqlite_engine: AsyncEngine) -> None:
    maker = make_sessionmaker(sqlite_engine)

    async def session() -> AsyncIterator[AsyncSession]:
        async with maker() as s:
            yield s

    async def admin() -> None:
        return None

    async def nothing() -> None:
        return None

    app = FastAPI()
    app.include_router(build_router(admin, session, on_change=nothing))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        assert (await c.get("/api/admin/acd/skills")).json() == []
        assert (await c.put("/api/admin/acd/skills/billing",
                            json={"label_en": "Billing", "label_zh": "账务"})).status_code == 200
        for agent, skills in (("a1", {"billing": 5, "tech": 7}), ("a2", {"tech": 3})):
            r = await c.put(f"/api/admin/acd/agents/{agent}", json={
                "name": agent, "endpoint": f"PJSIP/{agent}", "skills": skills, "languages": ["zh"]})
            assert r.status_code == 200, r.text
        r = await c.put("/api/admin/acd/queues/vip", json={
            "label_en": "VIP", "label_zh": "贵宾", "skills": ["vip_care"], "wrap_up_s": 10})
        assert r.status_code == 200, r.text
        skills = (await c.get("/api/admin/acd/skills")).json()
    assert [(s["name"], s["agents"], s["queues"], s["declared"], s["label_zh"]) for s in skills] == [
        ("billing", 1, 0, True, "账务"), ("tech", 2, 0, False, "tech"), ("vip_care", 0, 1, False, "vip_care")]
