"""queue_log export: a scripted scenario, driven with an injected clock and the typed pbx
events the tracker publishes, gives exactly Asterisk's lines."""

from __future__ import annotations

import io
from typing import Any

from acdrig import make_config
from sqlalchemy.ext.asyncio import AsyncEngine

from acd.core import Tick
from acd.queue_log import export_queue_log, format_line
from acd.requests import RoutingRequest
from acd.service import AcdService
from hotline.clock import ManualClock
from hotline.eventlog import CallEventLog
from hotline.events import EventBus
from pbx.events import (
    ChannelBridged,
    ChannelHungUp,
    ChannelStateChanged,
    ChannelUnbridged,
    OriginateResult,
)

T0 = 1_800_000_000.0


class ScriptedAmi:
    """The service's executor for a scripted run: records actions, Asterisk says yes."""

    def __init__(self) -> None:
        self.sent: list[Any] = []

    async def execute(self, action: Any, *, within: float | None = None) -> Any:
        self.sent.append(action)
        return None


def req(call_id: str, n: int) -> RoutingRequest:
    return RoutingRequest(call_id=call_id, uniqueid=f"{T0:.0f}.{n}", channel=f"PJSIP/hotline-trunk-{n:08x}",
                          caller_num=f"1380013800{n}", caller_name="张安娜", queue="sales")


async def test_scripted_scenario_exports_exact_queue_log(sqlite_engine: AsyncEngine) -> None:
    clock = ManualClock(T0)
    bus = EventBus()
    log = CallEventLog(sqlite_engine, clock=clock)
    ami = ScriptedAmi()
    svc = AcdService(bus, clock, ami, log, make_config())
    await svc.start(restore=False)
    at = clock.now

    def step(seconds: float, *events: Any) -> None:
        clock.advance(seconds)
        svc.feed(Tick(clock.now()))  # what the service's timer does in real time
        for e in events:
            bus.publish(e)

    await svc.login("a1001", "")
    await svc.set_ready("a1001")
    leg1, leg2, leg3 = "hotline-agentleg-c1-1", "hotline-agentleg-c2-1", "hotline-agentleg-c2-2"
    step(1)
    svc.enqueue(req("c1", 1))  # offered to a1001 at once
    step(2, ChannelStateChanged(at(), leg1, "PJSIP/agent1001-00000002", "Ringing"))
    step(3, ChannelBridged(at(), leg1, "PJSIP/agent1001-00000002", f"{T0:.0f}.1", "b1"))
    step(1)
    svc.enqueue(req("c2", 2))  # waits: a1001 is busy
    step(60, ChannelUnbridged(at(), leg1, "PJSIP/agent1001-00000002", "b1"),
         ChannelHungUp(at(), leg1, "PJSIP/agent1001-00000002", f"{T0:.0f}.1", 16, "Normal Clearing"),
         ChannelHungUp(at(), f"{T0:.0f}.1", "PJSIP/hotline-trunk-00000001", f"{T0:.0f}.1", 16, ""))
    step(5)  # wrap-up ends: c2 is offered to a1001, which does not answer
    step(2, ChannelStateChanged(at(), leg2, "PJSIP/agent1001-00000003", "Ringing"))
    step(7.5, OriginateResult(at(), "x", "PJSIP/agent1001", leg2, False, 3))
    await svc.set_ready("a1001")  # back from RONA: offered again
    step(4, ChannelBridged(at(), leg3, "PJSIP/agent1001-00000004", f"{T0:.0f}.2", "b2"))
    step(30, ChannelUnbridged(at(), f"{T0:.0f}.2", "PJSIP/hotline-trunk-00000002", "b2"),
         ChannelHungUp(at(), f"{T0:.0f}.2", "PJSIP/hotline-trunk-00000002", f"{T0:.0f}.2", 16, ""))
    step(1)
    svc.enqueue(req("c3", 3))  # a1001 in wrap-up: c3 waits, then hangs up
    step(3, ChannelHungUp(at(), f"{T0:.0f}.3", "PJSIP/hotline-trunk-00000003", f"{T0:.0f}.3", 0, ""))
    await svc.stop()
    await log.flush()

    out = io.StringIO()
    n = await export_queue_log(sqlite_engine, out)
    expected = """\
1800000000|NONE|sales|a1001|ADDMEMBER|
1800000000|NONE|sales|a1001|UNPAUSE|
1800000001|c1|sales|NONE|ENTERQUEUE||13800138001|1
1800000006|c1|sales|a1001|CONNECT|5|hotline-agentleg-c1-1|5
1800000007|c2|sales|NONE|ENTERQUEUE||13800138002|1
1800000067|c1|sales|a1001|COMPLETEAGENT|5|61|1
1800000081|c2|sales|a1001|RINGNOANSWER|9500
1800000081|NONE|sales|a1001|PAUSE|RONA
1800000081|NONE|sales|a1001|UNPAUSE|
1800000085|c2|sales|a1001|CONNECT|78|hotline-agentleg-c2-2|4
1800000115|c2|sales|a1001|COMPLETECALLER|78|30|1
1800000116|c3|sales|NONE|ENTERQUEUE||13800138003|1
1800000119|c3|sales|NONE|ABANDON|1|1|3
"""
    assert out.getvalue().splitlines() == expected.splitlines()
    assert n == expected.count("\n")


def test_line_format_escapes_pipes_and_marks_missing_fields() -> None:
    assert format_line(1.9, "c|1", None, None, "EXITWITHKEY",
                       {"key": "5", "position": 2, "origposition": 3, "waittime": 40.7}) \
        == "1|c_1|NONE|NONE|EXITWITHKEY|5|2|3|40"
