"""The demo's simulated agents wrap up a campaign call the console's way: with one of the
campaign's codes, stored on its record (``RecordDisposed`` on the bus); an inbound call
with the centre's codes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from hotline.app import demo_outbound
from hotline.app.demo_agents import AgentHabits, SimulatedAgents
from hotline.clock import ManualClock
from hotline.events import EventBus
from outbound.models import OutboundCampaign, OutboundRecord
from outbound.service import RecordDisposed
from tests.console.fake_center import FakeCenter

CENTRE = ("resolved", "follow_up", "escalated")  # AgentHabits' codes: none is the campaign's


async def _until(ok: Callable[[], bool]) -> None:
    for _ in range(200):  # the wrap-up runs in a task of its own; 0 s of simulated wrap-up
        if ok():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the simulated agent did not wrap up")


async def test_simulated_agents_wrap_up_a_campaign_call_with_the_campaigns_codes(
        sqlite_engine: AsyncEngine, clock: ManualClock) -> None:
    sessions = async_sessionmaker(sqlite_engine, expire_on_commit=False)
    await demo_outbound.seed_campaign(sessions, ["+8613800138000", "+8613800138001"])
    async with sessions() as s:
        codes = (await s.execute(select(OutboundCampaign.dispositions))).scalar_one().split(";")
        rid = (await s.execute(select(OutboundRecord.id).order_by(OutboundRecord.id))).scalars().first()
    assert not set(codes) & set(CENTRE)
    bus = EventBus()
    center = FakeCenter(bus, clock)
    center.add_agent("a1001", "Ann", queues=(demo_outbound.QUEUE, "sales"))
    seen: list[RecordDisposed] = []
    bus.subscribe(RecordDisposed, seen.append)
    agents = SimulatedAgents(center, bus, [("a1001", "1001")],
                             habits=AgentHabits(wrap_up_s=(0.0, 0.0), break_chance=0.0,
                                                dispositions=CENTRE),
                             campaign=demo_outbound.CampaignWrapUps(sessions, center, bus))
    await agents.start()
    wrapups = lambda: [a for a in center.actions if a[0] == "wrap_up"]  # noqa: E731

    center.offer_call("a1001", demo_outbound.QUEUE, "+8613800138000",
                      call_id=f"ob-{demo_outbound.CAMPAIGN}-{rid}-1")
    center.answer("a1001")
    await center.hangup("a1001")
    await _until(lambda: len(wrapups()) == 1)
    code = wrapups()[0][2]
    assert code in codes
    assert seen == [RecordDisposed(demo_outbound.CAMPAIGN, str(rid), code, None)]
    async with sessions() as s:
        assert (await s.get(OutboundRecord, rid)).disposition == code  # type: ignore[union-attr]

    await _until(lambda: center.agents["a1001"].state == "ready")
    center.offer_call("a1001", "sales", "+8613900139000")  # inbound: the centre's codes
    center.answer("a1001")
    await center.hangup("a1001")
    await _until(lambda: len(wrapups()) == 2)
    assert wrapups()[1][2] in CENTRE and len(seen) == 1
    await agents.stop()
