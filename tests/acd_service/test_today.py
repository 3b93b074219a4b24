"""The snapshot's "today" figures start again at local midnight (settings.timezone),
driven with a ManualClock and the typed pbx events the tracker publishes."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from acdrig import make_config
from sqlalchemy.ext.asyncio import AsyncEngine

from acd.requests import RoutingRequest
from acd.service import AcdService
from acd.service.stats import DayStats
from hotline.clock import ManualClock
from hotline.eventlog import CallEventLog
from hotline.events import EventBus
from pbx.events import ChannelBridged, ChannelHungUp

SH = ZoneInfo("Asia/Shanghai")
BEFORE_MIDNIGHT = datetime(2026, 11, 18, 23, 58, tzinfo=SH).timestamp()


class YesAmi:
    """Asterisk accepting every action (the pbx side is played by the test's events)."""

    async def execute(self, action: Any, *, within: float | None = None) -> Any:
        return None


def req(call_id: str, n: int) -> RoutingRequest:
    return RoutingRequest(call_id=call_id, uniqueid=f"u.{n}", channel=f"PJSIP/hotline-trunk-{n:08x}",
                          caller_num=f"1380013800{n}", caller_name="张安娜", queue="sales")


def sales(snap: Any) -> Any:
    return next(q for q in snap.queues if q.queue == "sales")


@pytest.fixture
async def day(sqlite_engine: AsyncEngine):  # type: ignore[no-untyped-def]
    made: list[AcdService] = []

    async def start(timezone: str) -> tuple[AcdService, ManualClock, EventBus]:
        clock, bus = ManualClock(BEFORE_MIDNIGHT), EventBus()
        svc = AcdService(bus, clock, YesAmi(), CallEventLog(sqlite_engine, clock=clock),
                         make_config(agents=1), timezone=timezone)
        await svc.start(restore=False)
        made.append(svc)
        await svc.login("a1001", "")
        await svc.set_ready("a1001")
        svc.enqueue(req("c1", 1))  # offered to a1001 at once
        clock.advance(5)
        bus.publish(ChannelBridged(clock.now(), "hotline-agentleg-c1-1", "PJSIP/agent1001-1", "u.1", "b1"))
        svc.enqueue(req("c2", 2))  # waits behind the busy agent, gives up after 30 s
        clock.advance(30)
        bus.publish(ChannelHungUp(clock.now(), "u.2", "PJSIP/hotline-trunk-00000002", "u.2", 16, ""))
        svc.enqueue(req("c3", 3))  # still waiting at midnight
        return svc, clock, bus

    yield start
    for svc in made:
        await svc.stop()


async def test_today_counts_reset_at_local_midnight(day) -> None:  # type: ignore[no-untyped-def]
    svc, clock, _bus = await day("Asia/Shanghai")
    q = sales(await svc.snapshot())
    assert (q.offered_today, q.answered_today, q.abandoned_today) == (3, 1, 1)
    assert q.service_level == 0.5  # answered in 5 s; abandoned after 30 s
    [a] = (await svc.snapshot()).agents
    assert a.calls_handled == 1

    clock.advance(120)  # 00:00:35 in Shanghai
    snap = await svc.snapshot()
    q = sales(snap)
    assert (q.offered_today, q.answered_today, q.abandoned_today) == (0, 0, 0)
    assert q.service_level is None
    assert q.waiting == 1  # the caller in line is not forgotten, only the counts
    assert snap.agents[0].calls_handled == 0  # the router's daily counters too
    svc.enqueue(req("c4", 4))
    assert sales(await svc.snapshot()).offered_today == 1


async def test_midnight_is_the_configured_zones(day) -> None:  # type: ignore[no-untyped-def]
    svc, clock, _bus = await day("UTC")  # 23:58 in Shanghai is 15:58 UTC
    clock.advance(120)
    q = sales(await svc.snapshot())
    assert (q.offered_today, q.answered_today, q.abandoned_today) == (3, 1, 1)


def test_day_stats_roll_only_on_a_later_local_date() -> None:
    d = DayStats(zone=SH)
    assert d.roll(BEFORE_MIDNIGHT) is False  # the first day starts
    d.offered("sales")
    assert d.roll(BEFORE_MIDNIGHT + 119) is False and d.queues["sales"].offered == 1
    assert d.roll(BEFORE_MIDNIGHT + 121) is True and d.queues == {}
    assert d.roll(BEFORE_MIDNIGHT + 3600) is False
