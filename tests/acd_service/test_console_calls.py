"""Console call controls end to end against the simulated Asterisk: three-way
conference (ConfBridge), hold / unhold (dual Redirect + Bridge action) and supervisor
listen / whisper / barge (ChanSpy)."""

from __future__ import annotations

import pytest
from acdrig import EXACT, Rig, wait_for

from acd.events import CallCompleted, CallConnected
from pbx.ami.actions import Hangup
from pbx.events import CallEnded, SpyChanged
from pbx.sim.config import AgentPhone, CallerScript
from pbx.sim.dialplan import terminate

THIRD = "13900139000"
WAITING = CallerScript(dtmf=[], patience_s=120.0, talk_time_s=None)


@pytest.fixture
def phones() -> list[AgentPhone]:
    return [AgentPhone(endpoint="agent1001"), AgentPhone(endpoint="agent1002"),
            AgentPhone(endpoint="agent1004"),  # the supervisor's phone
            AgentPhone(endpoint=f"{THIRD}@hotline-trunk", answer_delay_s=0.5)]


async def _connected(rig: Rig) -> str:
    await rig.login_ready("a1001")
    caller = await rig.call("c1", WAITING)
    await wait_for(lambda: rig.of(CallConnected))
    return caller


def _bye(rig: Rig, channel: str) -> None:
    ch = rig.sim.find_channel(channel)
    assert ch is not None
    terminate(rig.sim, ch, 16, "bye")


def _room(rig: Rig) -> list[str]:
    bridge = rig.sim.conferences.get("hotline-conf-c1")
    return [c.name for c in bridge.channels] if bridge else []


async def test_conference_keeps_talking_until_the_last_of_caller_and_agent_leaves(rig: Rig) -> None:
    caller = await _connected(rig)
    await rig.sim.sleep(2.0)
    await rig.service.conference("a1001", THIRD)
    await wait_for(lambda: len(_room(rig)) == 3, timeout=5)
    assert caller in _room(rig) and any(THIRD in n for n in _room(rig))
    assert rig.state("a1001") == "on_call"
    await rig.sim.sleep(2.0)
    _bye(rig, caller)  # the caller leaves; agent and third party go on
    await rig.sim.sleep(2.0)
    assert rig.state("a1001") == "on_call" and not rig.of(CallCompleted)
    assert len(_room(rig)) == 2
    await rig.service.hangup("a1001")  # last marked user: the third party is kicked too
    await wait_for(lambda: rig.state("a1001") == "wrap_up", timeout=5)
    await wait_for(lambda: not rig.sim.conferences and not rig.sim.channels, timeout=5)
    await rig.flush()
    assert rig.kinds("c1") == ["ENTERQUEUE", "CONNECT", "CONFERENCE", "CONFERENCEJOIN",
                               "COMPLETECALLER"]
    conf, done = rig.rows("c1")[2], rig.rows("c1")[4]
    assert (conf.agent, conf.data["target"], conf.data["room"]) == ("a1001", THIRD,
                                                                    "hotline-conf-c1")
    # Talk time ran on through the conference: 2 s, the third party's 0.5 s answer and
    # one 0.1 s poll, 2 s, 2 s = 6.6 s (an int in the row).
    assert done.data["calltime"] == 6
    assert rig.of(CallCompleted)[0].by == "caller"
    # the tracker saw one call: the third party's leg is one of its legs, not a call apart
    ended = [e for e in rig.of(CallEnded) if e.call_id == "c1"]
    assert len(ended) == 1 and "hotline-confleg-c1-1" in ended[0].legs


async def test_conference_with_an_agent_extension_rings_that_agent(rig: Rig) -> None:
    caller = await _connected(rig)
    await rig.service.conference("a1001", "1002")
    await wait_for(lambda: len(_room(rig)) == 3, timeout=5)
    assert any(n.startswith("PJSIP/agent1002-") for n in _room(rig))
    await rig.service.hangup("a1001")  # the agent leaves first: caller and 1002 go on
    await rig.sim.sleep(1.0)
    assert rig.state("a1001") == "on_call" and caller in _room(rig)
    _bye(rig, caller)
    await wait_for(lambda: rig.state("a1001") == "wrap_up", timeout=5)
    await wait_for(lambda: not rig.sim.channels, timeout=5)
    await rig.flush()
    assert rig.kinds("c1")[-1] == "COMPLETEAGENT"


async def test_conference_refuses_a_number_with_letters_and_keeps_the_call(rig: Rig) -> None:
    from acd.ports import ContactCenterError

    caller = await _connected(rig)
    with pytest.raises(ContactCenterError, match="digits only"):
        await rig.service.conference("a1001", "abc")
    ch = rig.sim.find_channel(caller)
    assert ch is not None and ch.bridge is not None and not rig.sim.conferences


async def test_hold_and_unhold_account_hold_time(rig: Rig) -> None:
    caller = await _connected(rig)
    leg = rig.service.book.by_agent["a1001"].leg_channel
    assert leg is not None
    await rig.sim.sleep(1.0)
    await rig.service.hold("a1001")
    ch, agent_ch = rig.sim.find_channel(caller), rig.sim.find_channel(leg)
    assert ch is not None and agent_ch is not None
    await wait_for(lambda: ch.moh and agent_ch.app == "Wait", timeout=5)
    assert ch.bridge is None and rig.state("a1001") == "on_hold"
    await rig.sim.sleep(3.0)
    await rig.service.unhold("a1001")
    await wait_for(lambda: ch.bridge is not None and ch.bridge is agent_ch.bridge, timeout=5)
    assert rig.state("a1001") == "on_call" and not ch.moh
    await rig.sim.sleep(1.0)
    _bye(rig, caller)
    await wait_for(lambda: rig.state("a1001") == "wrap_up", timeout=5)
    await rig.flush()
    assert rig.kinds("c1") == ["ENTERQUEUE", "CONNECT", "COMPLETECALLER"]
    done = rig.rows("c1")[2].data
    # held from hold() to unhold(): the 3 s slept between them; talk 1 + 3 + 0.1 (the poll
    # that sees the bridge back) + 1 = 5.1 s, hold included (an int in the row)
    assert done["hold_s"] == 3.0 and done["calltime"] == 5
    assert rig.of(CallCompleted)[0].hold_s == pytest.approx(3.0, abs=EXACT)


async def test_caller_hanging_up_on_hold_releases_the_parked_agent(rig: Rig) -> None:
    caller = await _connected(rig)
    leg = rig.service.book.by_agent["a1001"].leg_channel
    await rig.service.hold("a1001")
    await rig.sim.sleep(2.0)
    _bye(rig, caller)
    await wait_for(lambda: rig.state("a1001") == "wrap_up", timeout=5)
    await wait_for(lambda: leg not in rig.sim.channels, timeout=5)  # not left parked in Wait(HOLD_MAX)
    await rig.flush()
    assert rig.kinds("c1") == ["ENTERQUEUE", "CONNECT", "COMPLETECALLER"]
    assert rig.rows("c1")[2].data["hold_s"] == 2.0  # hold() to the caller's hang-up


@pytest.mark.parametrize(("mode", "options"), [("listen", "q"), ("whisper", "qw"),
                                               ("barge", "qB")])
async def test_spy_on_the_agent_leg_and_ending_it_leaves_the_call(rig: Rig, mode: str,
                                                                  options: str) -> None:
    caller = await _connected(rig)
    call = rig.service.book.by_agent["a1001"]
    await rig.service.spy("sup1", "a1001", mode, "PJSIP/agent1004")  # type: ignore[arg-type]
    await wait_for(lambda: any(e.started for e in rig.of(SpyChanged)), timeout=5)
    start = rig.of(SpyChanged)[0]
    assert start.spyee_uniqueid == call.leg  # the agent's leg, not the caller
    spyer = rig.sim.find_channel(start.spyer_uniqueid)
    assert spyer is not None and spyer.name.startswith("PJSIP/agent1004-")
    assert spyer.app_data == f"{call.leg_channel},{options}"
    await rig.ami.execute(Hangup(spyer.name))  # the supervisor hangs up
    await wait_for(lambda: any(not e.started for e in rig.of(SpyChanged)), timeout=5)
    await rig.sim.sleep(1.0)
    ch = rig.sim.find_channel(caller)
    assert ch is not None and ch.bridge is not None and rig.state("a1001") == "on_call"
    _bye(rig, caller)
    await wait_for(lambda: rig.state("a1001") == "wrap_up", timeout=5)
    await rig.flush()
    assert rig.kinds("c1") == ["ENTERQUEUE", "CONNECT", "COMPLETECALLER"]
