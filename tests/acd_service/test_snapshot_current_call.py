"""The snapshot names an agent's call only while the agent is in a call state: a bridge
that lands after the agent went not ready (the offer already withdrawn) leaves the
call in the service's book, and the monitor showed that call id on a not-ready agent."""

from __future__ import annotations

from typing import Any

from acdrig import make_config
from sqlalchemy.ext.asyncio import AsyncEngine

from acd.requests import RoutingRequest
from acd.service import AcdService
from hotline.clock import ManualClock
from hotline.eventlog import CallEventLog
from hotline.events import EventBus
from pbx.events import ChannelBridged, ChannelHungUp


class YesAmi:
    async def execute(self, action: Any, *, within: float | None = None) -> Any:
        return None


async def test_a_not_ready_agent_shows_no_call_even_if_a_late_bridge_lands(sqlite_engine: AsyncEngine) -> None:
    clock, bus = ManualClock(1_800_000_000.0), EventBus()
    svc = AcdService(bus, clock, YesAmi(), CallEventLog(sqlite_engine, clock=clock), make_config(agents=1))
    await svc.start(restore=False)
    try:
        await svc.login("a1001", "")
        await svc.set_ready("a1001")
        svc.enqueue(RoutingRequest(call_id="c1", uniqueid="u.1", channel="PJSIP/hotline-trunk-00000001",
                                   caller_num="13800138001", caller_name="张安娜", queue="sales"))
        [ringing] = (await svc.snapshot()).agents
        assert ringing.state in ("reserved", "ringing") and ringing.current_call == "c1"
        await svc.set_not_ready("a1001", "break")  # the offer is withdrawn
        clock.advance(1)
        # Asterisk bridged the agent leg a moment before it heard of the withdrawal
        bus.publish(ChannelBridged(clock.now(), "hotline-agentleg-c1-1", "PJSIP/agent1001-1", "u.1", "b1"))
        [after] = (await svc.snapshot()).agents
        assert after.state == "not_ready"
        assert after.current_call is None
    finally:
        await svc.stop()


async def test_snapshot_tells_a_pending_forced_state_and_when_wrap_up_ends(sqlite_engine: AsyncEngine) -> None:
    clock, bus = ManualClock(1_800_000_000.0), EventBus()
    svc = AcdService(bus, clock, YesAmi(), CallEventLog(sqlite_engine, clock=clock), make_config(agents=1))
    await svc.start(restore=False)
    try:
        await svc.login("a1001", "")
        await svc.set_ready("a1001")
        svc.enqueue(RoutingRequest(call_id="c1", uniqueid="u.1", channel="PJSIP/hotline-trunk-00000001",
                                   caller_num="13800138001", caller_name="张安娜", queue="sales"))
        clock.advance(2)
        bus.publish(ChannelBridged(clock.now(), "hotline-agentleg-c1-1", "PJSIP/agent1001-1", "u.1", "b1"))
        await svc.force_state("sup", "a1001", "not_ready", "meeting")
        [on_call] = (await svc.snapshot()).agents
        assert (on_call.state, on_call.pending_state, on_call.pending_reason) == ("on_call", "not_ready", "meeting")
        assert on_call.wrap_until is None
        clock.advance(40)
        bus.publish(ChannelHungUp(clock.now(), "hotline-agentleg-c1-1", "PJSIP/agent1001-1", "u.1", 16, ""))
        [wrapping] = (await svc.snapshot()).agents
        assert wrapping.state == "wrap_up"
        assert wrapping.wrap_until == clock.now() + 5.0  # the queue's wrap_up_s
        await svc.extend_wrap_up("a1001", 30)
        [extended] = (await svc.snapshot()).agents
        assert extended.wrap_until == clock.now() + 35.0
        await svc.wrap_up("a1001", "resolved", "", None)
        [after] = (await svc.snapshot()).agents
        assert (after.state, after.reason, after.pending_state, after.wrap_until) == ("not_ready", "meeting", None, None)
    finally:
        await svc.stop()
