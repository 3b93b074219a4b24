"""The caller's channel names the agent who took the call (HOTLINE_AGENT), read by the
post-call survey in the dialplan (hotline-survey) after the agent hangs up."""

from __future__ import annotations

import pytest
from acdrig import Rig, wait_for

from acd.events import CallConnected, CallTransferred
from pbx.ami.actions import Getvar
from pbx.sim.config import AgentPhone, CallerScript


@pytest.fixture
def phones() -> list[AgentPhone]:
    return [AgentPhone(endpoint="agent1001"), AgentPhone(endpoint="agent1002", answer_delay_s=0.5)]


async def caller_var(rig: Rig, channel: str, name: str) -> str:
    return await rig.ami.execute(Getvar(name, channel=channel))


async def test_caller_channel_carries_the_agent_after_connect(rig: Rig) -> None:
    await rig.login_ready("a1002")
    channel = await rig.call("c1", CallerScript(dtmf=[], talk_time_s=None))
    assert await caller_var(rig, channel, "HOTLINE_AGENT") == ""
    await wait_for(lambda: rig.of(CallConnected))
    await rig.service.drain()
    assert await caller_var(rig, channel, "HOTLINE_AGENT") == "a1002"
    assert await caller_var(rig, channel, "HOTLINE_CALL_ID") == "c1"


async def test_blind_transfer_to_an_agent_names_the_new_agent(rig: Rig) -> None:
    await rig.login_ready("a1001")
    channel = await rig.call("c1", CallerScript(dtmf=[], talk_time_s=None))
    await wait_for(lambda: rig.of(CallConnected))
    await rig.service.transfer("a1001", "agent", "a1002", attended=False)
    await wait_for(lambda: rig.of(CallTransferred))
    await rig.service.drain()
    assert await caller_var(rig, channel, "HOTLINE_AGENT") == "a1002"
