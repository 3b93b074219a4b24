"""Backend restart with callers waiting: a new service re-adopts them from their channel
variables in their original order; agents come back from the database."""

from __future__ import annotations

import pytest
from acdrig import Rig, wait_for

from acd.events import CallConnected
from pbx.sim.config import AgentPhone, CallerScript


@pytest.fixture
def phones() -> list[AgentPhone]:
    return [AgentPhone(endpoint="agent1001", answer_delay_s=0.2)]


async def test_restart_readopts_waiting_callers_in_original_order(rig: Rig) -> None:
    await rig.login_ready("a1001")
    await rig.service.set_not_ready("a1001", "break")
    script = CallerScript(dtmf=[], patience_s=600.0, talk_time_s=1.0)
    for cid in ("c1", "c2", "c3"):
        await rig.call(cid, script)
    c2_enqueued = rig.clock.now()
    await rig.service.set_ready("a1001")  # takes c1
    await wait_for(lambda: len(rig.of(CallConnected)) == 1)
    await rig.service.set_not_ready("a1001", "meal")  # applied after c1's wrap-up
    await rig.flush()
    # Long enough that a hold time counted from the re-adoption could not reach it.
    await wait_for(lambda: rig.clock.now() >= c2_enqueued + 3.0)
    await rig.stop_backend()

    # A new backend: nothing in memory, same database, same Asterisk.
    rig.events.clear()
    await rig.start_backend()
    await wait_for(lambda: rig.service.router.waiting_calls("sales") == ["c2", "c3"])
    await wait_for(lambda: rig.state("a1001") in ("not_ready", "wrap_up"))
    await wait_for(lambda: rig.state("a1001") == "not_ready", timeout=5)
    await rig.service.set_ready("a1001")
    await wait_for(lambda: len(rig.of(CallConnected)) == 1)
    assert rig.of(CallConnected)[0].call_id == "c2"  # c2 kept its place ahead of c3
    await rig.flush()
    assert rig.kinds("c2").count("ENTERQUEUE") == 1
    assert "READOPT" in rig.kinds("c3")
    connect = [r for r in rig.rows("c2") if r.kind == "CONNECT"][0]
    assert connect.data["holdtime"] >= 3  # counted from the original enqueue


async def test_pending_callbacks_survive_a_restart_in_their_place(rig: Rig) -> None:
    from pbx.events import ChannelHungUp

    rig.sim.add_agent_phone(AgentPhone(endpoint="13800138000@hotline-trunk", answer_delay_s=0.2))
    await rig.service.login("a1001", "")  # not ready: nobody takes the calls yet
    keep = CallerScript(dtmf=[], patience_s=600.0, talk_time_s=1.0)
    first = await rig.call("c1", keep)
    c1_enqueued = rig.clock.now()
    await rig.call("c2", CallerScript(caller_num="13900139000", dtmf=[], patience_s=600.0,
                                      talk_time_s=1.0))
    ch1 = rig.sim.find_channel(first)
    assert ch1 is not None
    rig.sim.emit.dtmf(ch1, "5", 120)  # c1 asks for a callback and hangs up
    await wait_for(lambda: any(isinstance(e, ChannelHungUp) and e.channel == first
                               for e in rig.events), timeout=5)
    assert rig.service.router.waiting_calls("sales") == ["c1", "c2"]
    await rig.flush()
    await wait_for(lambda: rig.clock.now() >= c1_enqueued + 3.0)
    await rig.stop_backend()

    rig.events.clear()
    await rig.start_backend()  # nothing in memory; c1 has no channel left to re-adopt from
    await wait_for(lambda: rig.service.router.waiting_calls("sales") == ["c1", "c2"])
    await rig.service.set_ready("a1001")
    await wait_for(lambda: rig.of(CallConnected), timeout=5)
    connected = rig.of(CallConnected)[0]
    assert connected.call_id == "c1" and connected.waited_s >= 3  # from the original enqueue
    await rig.flush()
    kinds = rig.kinds("c1")
    assert kinds.count("ENTERQUEUE") == 1 and "READOPT" in kinds
    assert kinds[-2:] == ["CONNECT", "CALLBACKDONE"]
    await rig.stop_backend()

    rig.events.clear()
    await rig.start_backend()  # a done callback is not restored again
    assert rig.service.book.get("c1") is None


async def test_an_agent_leg_ringing_at_a_restart_is_hung_up_and_the_caller_offered_afresh(
        rig: Rig, caplog: pytest.LogCaptureFixture) -> None:
    from pbx.events import ChannelBridged, ChannelHungUp

    rig.sim.phones["agent1001"] = AgentPhone(endpoint="agent1001", answer_delay_s=3.0)
    await rig.login_ready("a1001")
    caller = await rig.call("c1", CallerScript(dtmf=[], patience_s=600.0, talk_time_s=1.0))
    await wait_for(lambda: any(c.uniqueid == "hotline-agentleg-c1-1" and c.state_desc == "Ringing"
                               for c in rig.sim.channels.values()))
    old = rig.sim.find_channel("hotline-agentleg-c1-1")
    assert old is not None
    old_name = old.name
    await rig.stop_backend()  # the agent's phone keeps ringing for the caller

    rig.events.clear()
    caplog.set_level("INFO", logger="acd.service")
    await rig.start_backend()
    # the old leg is hung up by the new backend (it would answer 3 s after it began and
    # bridge the caller outside the router); the agent is ready again, as the restart
    # rules give a ringing agent, and is offered the re-adopted caller on a new leg
    await wait_for(lambda: any(isinstance(e, ChannelHungUp) and e.channel == old_name
                               for e in rig.events), timeout=5)
    (gone,) = [e for e in rig.events if isinstance(e, ChannelHungUp) and e.channel == old_name]
    assert gone.cause == 16
    assert any("hotline-agentleg-c1-1" in r.getMessage() and "no call of this process" in r.getMessage()
               for r in caplog.records)
    await wait_for(lambda: len(rig.of(CallConnected)) == 1, timeout=5)
    (connected,) = rig.of(CallConnected)
    assert (connected.call_id, connected.agent) == ("c1", "a1001")
    await wait_for(lambda: rig.state("a1001") == "wrap_up", timeout=5)
    # the caller was bridged once, to the new leg
    bridged = [e for e in rig.events if isinstance(e, ChannelBridged)]
    assert [e.uniqueid for e in bridged if e.channel == caller] == [bridged[0].uniqueid]
    assert [e.uniqueid for e in bridged if e.channel != caller] == ["hotline-agentleg-c1-2"]
    await rig.flush()
    assert rig.kinds("c1").count("CONNECT") == 1
    assert rig.kinds("c1").count("RINGNOANSWER") == 0


async def test_a_callback_dialing_at_a_restart_leaves_no_leg_behind_and_is_dialed_again(
        rig: Rig) -> None:
    from pbx.events import ChannelHungUp

    # the agent answered the callback offer (holding) and the customer's phone rings when
    # the backend stops: neither leg is anyone's in the new backend, which dials the
    # callback again, so both are hung up (the customer would answer into a hold no one
    # bridges, then get a second call)
    rig.sim.add_agent_phone(AgentPhone(endpoint="13800138000@hotline-trunk", answer_delay_s=4.0))
    await rig.service.login("a1001", "")
    first = await rig.call("c1", CallerScript(dtmf=[], patience_s=600.0, talk_time_s=1.0))
    ch1 = rig.sim.find_channel(first)
    assert ch1 is not None
    rig.sim.emit.dtmf(ch1, "5", 120)  # a callback, keeping the place; the caller hangs up
    await wait_for(lambda: any(isinstance(e, ChannelHungUp) and e.channel == first
                               for e in rig.events), timeout=5)
    await rig.service.set_ready("a1001")
    await wait_for(lambda: any(c.uniqueid == "hotline-custleg-c1-1" for c in rig.sim.channels.values()))
    await rig.service.drain()
    legs = {c.uniqueid: c.name for c in rig.sim.channels.values()
            if c.uniqueid.startswith(("hotline-agentleg-", "hotline-custleg-"))}
    assert sorted(legs) == ["hotline-agentleg-c1-1", "hotline-custleg-c1-1"]
    await rig.stop_backend()

    rig.events.clear()
    await rig.start_backend()
    await wait_for(lambda: not any(c.uniqueid.startswith(("hotline-agentleg-", "hotline-custleg-"))
                                   for c in rig.sim.channels.values()), timeout=5)
    causes = {e.channel: e.cause for e in rig.events if isinstance(e, ChannelHungUp)}
    assert {name: causes.get(name) for name in legs.values()} == {n: 16 for n in legs.values()}
    assert rig.service.router.waiting_calls("sales") == ["c1"]  # back in line
    await rig.service.set_ready("a1001")
    await wait_for(lambda: rig.of(CallConnected), timeout=5)
    assert rig.of(CallConnected)[0].call_id == "c1"
    await rig.flush()
    assert rig.kinds("c1").count("CONNECT") == 1


async def test_a_callback_ringing_its_agent_at_a_restart_rings_it_afresh_on_a_new_leg(
        rig: Rig) -> None:
    from pbx.events import ChannelHungUp

    # the agent is back ready (it was ringing) and the callback back in line, so the new
    # backend offers it at once: on a leg numbered past the old one, which is hung up
    rig.sim.phones["agent1001"] = AgentPhone(endpoint="agent1001", answer_delay_s=3.0)
    rig.sim.add_agent_phone(AgentPhone(endpoint="13800138000@hotline-trunk", answer_delay_s=0.5))
    await rig.service.login("a1001", "")
    first = await rig.call("c1", CallerScript(dtmf=[], patience_s=600.0, talk_time_s=1.0))
    ch1 = rig.sim.find_channel(first)
    assert ch1 is not None
    rig.sim.emit.dtmf(ch1, "5", 120)
    await wait_for(lambda: any(isinstance(e, ChannelHungUp) and e.channel == first
                               for e in rig.events), timeout=5)
    await rig.service.set_ready("a1001")
    await wait_for(lambda: any(c.uniqueid == "hotline-agentleg-c1-1" and c.state_desc == "Ringing"
                               for c in rig.sim.channels.values()))
    old = rig.sim.find_channel("hotline-agentleg-c1-1")
    assert old is not None
    old_name = old.name
    await rig.service.drain()
    await rig.stop_backend()

    rig.events.clear()
    await rig.start_backend()
    await wait_for(lambda: rig.of(CallConnected), timeout=5)
    (connected,) = rig.of(CallConnected)
    assert (connected.call_id, connected.agent) == ("c1", "a1001")
    (gone,) = [e for e in rig.events if isinstance(e, ChannelHungUp) and e.channel == old_name]
    assert gone.cause == 16
    await rig.flush()
    connect = [r for r in rig.rows("c1") if r.kind == "CONNECT"]
    assert len(connect) == 1 and connect[0].data["bridged_uniqueid"] == "hotline-agentleg-c1-2"
    assert "RINGNOANSWER" not in rig.kinds("c1")
