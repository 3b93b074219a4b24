"""While a blind transfer rings the taker's phone, the ACD offers the taker no queue call
(the router's TransferRinging); a caller who hangs up before the taker answers frees the
taker for the next waiting caller at once (TransferGone) - over sockets with the sim."""

from __future__ import annotations

import pytest
from acdrig import Rig, wait_for

from acd.events import CallConnected, CallOffered
from pbx.events import ChannelHungUp
from pbx.sim.config import AgentPhone, CallerScript
from pbx.sim.dialplan import terminate

WAITING = CallerScript(dtmf=[], patience_s=120.0, talk_time_s=None)


@pytest.fixture
def phones() -> list[AgentPhone]:
    return [AgentPhone(endpoint="agent1001"), AgentPhone(endpoint="agent1002", answer_delay_s=4.0)]


def _offered(rig: Rig, call_id: str) -> list[str]:
    return [e.agent for e in rig.of(CallOffered) if e.call_id == call_id]


async def _ringing_transfer(rig: Rig) -> str:
    await rig.login_ready("a1001", "a1002")
    caller = await rig.call("c1", WAITING)
    await wait_for(lambda: rig.of(CallConnected))
    assert _offered(rig, "c1") == ["a1001"]
    await rig.service.transfer("a1001", "agent", "a1002", attended=False)
    await wait_for(lambda: any(c.endpoint == "agent1002" for c in rig.sim.channels.values()))
    return caller


async def test_a_caller_arriving_while_the_transfer_rings_is_not_offered_to_the_taker(rig: Rig) -> None:
    await _ringing_transfer(rig)
    await rig.call("c2", WAITING)
    await wait_for(lambda: rig.service.router.call("c2") is not None)
    await rig.sim.sleep(1.0)
    assert _offered(rig, "c2") == [] and rig.service.router.position("c2") == 1
    await wait_for(lambda: rig.state("a1002") == "on_call", timeout=10)  # the transfer landed
    # c2 goes to a1001 once its wrap-up ends, never to a1002
    await wait_for(lambda: _offered(rig, "c2"), timeout=10)
    assert _offered(rig, "c2") == ["a1001"]


async def test_the_taker_is_free_for_the_next_caller_as_soon_as_the_transferred_caller_leaves(
        rig: Rig) -> None:
    caller = await _ringing_transfer(rig)
    await rig.call("c2", WAITING)
    await wait_for(lambda: rig.service.router.call("c2") is not None)
    ch = rig.sim.find_channel(caller)
    assert ch is not None
    terminate(rig.sim, ch, 16, "bye")  # before agent1002 answers
    await wait_for(lambda: any(e.channel == caller for e in rig.of(ChannelHungUp)), timeout=5)
    await wait_for(lambda: _offered(rig, "c2"), timeout=5)
    assert _offered(rig, "c2") == ["a1002"]  # a1001 is still in wrap-up
