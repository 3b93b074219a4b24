"""Position / wait announcements and callback that keeps the place in line."""

from __future__ import annotations

import pytest
from acdrig import Rig, make_config, wait_for

from acd.core import QueueConfig
from acd.events import CallConnected
from acd.service import AcdConfig
from pbx.events import ChannelHungUp
from pbx.sim.config import CallerScript


@pytest.fixture
def config() -> AcdConfig:
    return make_config((QueueConfig("sales", skills=("sales",), ring_timeout_s=10.0,
                                    announce_every_s=30.0, default_aht_s=120.0),))


async def test_position_announcements_then_caller_is_still_answered(rig: Rig) -> None:
    await rig.service.login("a1001", "")  # logged in, not ready: the queue is staffed later
    script = CallerScript(dtmf=[], patience_s=600.0, talk_time_s=1.0)
    first = await rig.call("c1", script)
    second = await rig.call("c2", script)
    await wait_for(lambda: len([r for r in rig.sim.channels.values()
                                if r.vars.get("HOTLINE_POSITION")]) == 2, timeout=5)
    ch1, ch2 = rig.sim.find_channel(first), rig.sim.find_channel(second)
    assert ch1 is not None and ch2 is not None
    assert (ch1.vars["HOTLINE_POSITION"], ch2.vars["HOTLINE_POSITION"]) == ("1", "2")
    await wait_for(lambda: ch1.moh and ch2.moh, timeout=5)  # back in hotline-wait
    await rig.service.set_ready("a1001")
    await wait_for(lambda: rig.of(CallConnected), timeout=5)
    assert rig.of(CallConnected)[0].call_id == "c1"
    await rig.flush()
    assert rig.kinds("c1")[:2] == ["ENTERQUEUE", "ANNOUNCE"]


async def test_callback_keeps_place_and_calls_customer_back(rig: Rig) -> None:
    from pbx.sim.config import AgentPhone

    rig.sim.add_agent_phone(AgentPhone(endpoint="13800138000@hotline-trunk", answer_delay_s=0.5))
    await rig.service.login("a1001", "")
    keep = CallerScript(dtmf=[], patience_s=600.0, talk_time_s=1.0)
    first = await rig.call("c1", keep)
    await rig.call("c2", CallerScript(caller_num="13900139000", caller_name="王伟", dtmf=[],
                                      patience_s=600.0, talk_time_s=1.0))
    ch1 = rig.sim.find_channel(first)
    assert ch1 is not None
    rig.sim.emit.dtmf(ch1, "5", 120)  # the caller presses the callback key
    await wait_for(lambda: any(isinstance(e, ChannelHungUp) and e.channel == first
                               for e in rig.events), timeout=5)
    assert rig.service.router.waiting_calls("sales") == ["c1", "c2"]  # place kept
    await rig.service.set_ready("a1001")
    await wait_for(lambda: rig.of(CallConnected), timeout=5)
    assert rig.of(CallConnected)[0].call_id == "c1"
    await rig.flush()
    assert rig.kinds("c1")[:5] == ["ENTERQUEUE", "CALLBACKREQ", "CALLBACKPENDING", "CONNECT",
                                   "CALLBACKDONE"]
