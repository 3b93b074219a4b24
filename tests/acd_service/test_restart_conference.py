"""Backend restart during a three-way call (acd.service.conference): the third party's
leg an earlier process was adding is hung up unless it is in the room with someone;
caller and agent stay in their room and nothing is counted again."""

from __future__ import annotations

import pytest
from acdrig import Rig, wait_for

from acd.events import CallConnected
from pbx.events import ChannelBridged, ChannelHungUp
from pbx.sim.config import AgentPhone, CallerScript
from pbx.sim.dialplan import terminate

THIRD = "13900139000"
LEG = "hotline-confleg-c1-1"


@pytest.fixture
def phones() -> list[AgentPhone]:
    return [AgentPhone(endpoint="agent1001"),
            AgentPhone(endpoint=f"{THIRD}@hotline-trunk", answer_delay_s=4.0)]


def _room(rig: Rig) -> list[str]:
    bridge = rig.sim.conferences.get("hotline-conf-c1")
    return [c.name for c in bridge.channels] if bridge else []


async def _conference_ringing(rig: Rig) -> tuple[str, str, str]:
    """c1 talks with a1001 in the room; the third party's leg rings. Returns the
    caller's, the agent's and the third party's channel names."""
    await rig.login_ready("a1001")
    caller = await rig.call("c1", CallerScript(dtmf=[], patience_s=600.0, talk_time_s=None))
    await wait_for(lambda: rig.of(CallConnected))
    await rig.service.conference("a1001", THIRD)
    await wait_for(lambda: len(_room(rig)) == 2, timeout=5)
    await wait_for(lambda: any(c.uniqueid == LEG and c.state_desc == "Ringing"
                               for c in rig.sim.channels.values()), timeout=5)
    third = rig.sim.find_channel(LEG)
    assert third is not None
    agent = next(n for n in _room(rig) if n != caller)
    await rig.service.drain()
    return caller, agent, third.name


async def test_a_conference_leg_ringing_at_a_restart_is_hung_up_and_the_room_goes_on(
        rig: Rig, caplog: pytest.LogCaptureFixture) -> None:
    caller, agent, third = await _conference_ringing(rig)
    await rig.flush()
    before = rig.kinds("c1")
    assert before == ["ENTERQUEUE", "CONNECT", "CONFERENCE"]
    await rig.stop_backend()  # the third party's phone keeps ringing

    rig.events.clear()
    caplog.set_level("INFO", logger="acd.service")
    await rig.start_backend()
    # hung up by the new backend, before it could answer (4 s) into a call no one tracks
    await wait_for(lambda: any(isinstance(e, ChannelHungUp) and e.channel == third
                               for e in rig.events), timeout=5)
    (gone,) = [e for e in rig.events if isinstance(e, ChannelHungUp) and e.channel == third]
    assert gone.cause == 16
    assert any(LEG in r.getMessage() and "conference leg" in r.getMessage()
               and "no call of this process" in r.getMessage() for r in caplog.records)
    # caller and agent go on talking in their room; no one is taken up again
    await rig.sim.sleep(6.0)
    assert sorted(_room(rig)) == sorted([caller, agent])
    assert not any(isinstance(e, ChannelBridged) and e.channel == third for e in rig.events)
    assert rig.service.book.get("c1") is None
    assert rig.service.router.waiting_calls("sales") == []
    await rig.flush()
    assert rig.kinds("c1") == before  # nothing written (or counted) for c1 a second time
    for name in (caller, agent):
        ch = rig.sim.find_channel(name)
        assert ch is not None
        terminate(rig.sim, ch, 16, "bye")
    await wait_for(lambda: not rig.sim.channels, timeout=5)


async def test_a_conference_leg_in_the_room_with_the_others_is_left_talking(
        rig: Rig, caplog: pytest.LogCaptureFixture) -> None:
    caller, agent, third = await _conference_ringing(rig)
    await wait_for(lambda: len(_room(rig)) == 3, timeout=5)  # the third party answered
    await rig.stop_backend()

    rig.events.clear()
    caplog.set_level("INFO", logger="acd.service")
    await rig.start_backend()
    await rig.sim.sleep(2.0)
    await rig.service.drain()
    assert sorted(_room(rig)) == sorted([caller, agent, third])  # a live conversation
    assert not any(isinstance(e, ChannelHungUp) for e in rig.events)
    assert not any("conference leg" in r.getMessage() for r in caplog.records)


async def test_a_conference_leg_alone_in_its_room_at_a_restart_is_hung_up(rig: Rig) -> None:
    caller, agent, third = await _conference_ringing(rig)
    await rig.stop_backend()
    for name in (caller, agent):  # both leave while no backend runs; the third still rings
        ch = rig.sim.find_channel(name)
        assert ch is not None
        terminate(rig.sim, ch, 16, "bye")
    # it answers into a room no marked party will leave again (so nothing kicks it)
    await wait_for(lambda: _room(rig) == [third], timeout=5)

    rig.events.clear()
    await rig.start_backend()
    await wait_for(lambda: any(isinstance(e, ChannelHungUp) and e.channel == third
                               for e in rig.events), timeout=5)
    await wait_for(lambda: not rig.sim.conferences and not rig.sim.channels, timeout=5)


async def test_a_reconnect_leaves_this_process_own_conference_leg_ringing(rig: Rig) -> None:
    from pbx.events import AmiResynced

    # it answers after the resync (the reconnect's backoff is some seconds)
    rig.sim.phones[f"{THIRD}@hotline-trunk"] = AgentPhone(endpoint=f"{THIRD}@hotline-trunk",
                                                          answer_delay_s=25.0)
    caller, agent, third = await _conference_ringing(rig)
    rig.events.clear()
    rig.sim.drop_ami_connections()  # the same backend resyncs: the ringing leg is its own
    await wait_for(lambda: rig.of(AmiResynced), timeout=5)
    (resync,) = rig.of(AmiResynced)
    assert [s.state for s in resync.channels if s.uniqueid == LEG] == ["Ringing"]
    await wait_for(lambda: len(_room(rig)) == 3, timeout=5)  # it answers and joins
    assert third in _room(rig)
    assert not any(isinstance(e, ChannelHungUp) and e.channel == third for e in rig.events)
    await rig.flush()
    assert rig.kinds("c1") == ["ENTERQUEUE", "CONNECT", "CONFERENCE", "CONFERENCEJOIN"]
    for name in (caller, agent):
        ch = rig.sim.find_channel(name)
        assert ch is not None
        terminate(rig.sim, ch, 16, "bye")
    await wait_for(lambda: rig.state("a1001") == "wrap_up", timeout=5)
