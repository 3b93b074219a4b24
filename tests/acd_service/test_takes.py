"""An agent who receives a call by blind or attended transfer (or is conferenced in) is
busy for the router from the moment the call lands on the phone: on_call on the bus, no
offer of another caller meanwhile, the call counted for that agent, and wrap-up when the
call ends - against the simulated Asterisk over real sockets."""

from __future__ import annotations

import pytest
from acdrig import EXACT, Rig, wait_for

from acd.events import AgentStateChanged, CallCompleted, CallConnected, CallOffered
from pbx.events import ChannelHungUp
from pbx.sim.config import AgentPhone, CallerScript
from pbx.sim.dialplan import terminate

WAITING = CallerScript(dtmf=[], patience_s=120.0, talk_time_s=None)


@pytest.fixture
def phones() -> list[AgentPhone]:
    return [AgentPhone(endpoint="agent1001"), AgentPhone(endpoint="agent1002", answer_delay_s=0.5)]


def _changes(rig: Rig, agent: str) -> list[tuple[str, str, str | None]]:
    return [(e.previous, e.state, e.call_id) for e in rig.of(AgentStateChanged) if e.agent == agent]


def _bye(rig: Rig, channel: str) -> None:
    ch = rig.sim.find_channel(channel)
    assert ch is not None
    terminate(rig.sim, ch, 16, "bye")


async def _transfer_to_a1002(rig: Rig, attended: bool) -> str:
    """c1 talks to a1001, who transfers it to a1002; returns the caller's channel."""
    await rig.login_ready("a1001")
    caller = await rig.call("c1", WAITING)
    await wait_for(lambda: rig.of(CallConnected))
    await rig.service.login("a1002", "")
    await rig.service.set_ready("a1002")
    await rig.service.transfer("a1001", "agent", "a1002", attended=attended)
    if attended:
        await rig.sim.sleep(1.0)  # 1002 answers the consultation
        await rig.service.complete_transfer("a1001")
    await wait_for(lambda: rig.state("a1002") == "on_call", timeout=5)
    return caller


async def _new_caller_goes_to_a1001_not_a1002(rig: Rig) -> None:
    await rig.call("c2", WAITING)
    await wait_for(lambda: rig.service.router.call("c2") is not None
                   or any(e.call_id == "c2" for e in rig.of(CallOffered)))
    assert rig.state("a1002") == "on_call"
    view = rig.service.router.call("c2")
    assert view is None or view.agent_id in (None, "a1001")
    # a1001's wrap-up (5 s) ends: c2 is offered to a1001, never to a1002 who is talking
    await wait_for(lambda: any(e.call_id == "c2" for e in rig.of(CallConnected)), timeout=5)
    assert [e.agent for e in rig.of(CallOffered) if e.call_id == "c2"] == ["a1001"]


async def test_blind_transfer_makes_the_taker_busy_until_its_wrap_up(rig: Rig) -> None:
    await _transfer_to_a1002(rig, attended=False)
    assert rig.state("a1001") in ("wrap_up", "ready", "reserved", "ringing", "on_call")
    assert ("ready", "on_call", "c1") in _changes(rig, "a1002")
    await _new_caller_goes_to_a1001_not_a1002(rig)
    await rig.sim.sleep(2.0)
    await rig.service.hangup("a1002")  # the taker has the console controls of the call
    await wait_for(lambda: rig.state("a1002") == "wrap_up", timeout=5)
    assert _changes(rig, "a1002")[-2:] == [("ready", "on_call", "c1"), ("on_call", "wrap_up", "c1")]
    landed = [e.at for e in rig.of(AgentStateChanged) if e.agent == "a1002" and e.state == "on_call"]
    done = [e for e in rig.of(CallCompleted) if e.agent == "a1002"]
    assert len(done) == 1 and done[0].call_id == "c1" and done[0].by == "agent"
    assert done[0].talk_s == pytest.approx(done[0].at - landed[0], abs=EXACT)  # from the landing
    snap = await rig.service.snapshot()
    assert {a.agent: a.calls_handled for a in snap.agents}["a1002"] == 1
    await rig.service.wrap_up("a1002", "resolved", "转接来的 / transferred in", None)
    assert rig.state("a1002") == "ready"
    await rig.flush()
    kinds = rig.kinds("c1")
    assert kinds[:3] == ["ENTERQUEUE", "CONNECT", "BLINDTRANSFER"]
    assert kinds[3:] == ["TAKECALL", "TAKECOMPLETE", "WRAPUP"]
    take, end, wrap = rig.rows("c1")[3:]
    assert (take.agent, take.data["via"], take.data["taken_from"]) == ("a1002", "blind", "a1001")
    assert (end.agent, end.data["by"], end.data["calltime"]) == ("a1002", "agent", int(done[0].talk_s))
    assert (wrap.agent, wrap.data["disposition"]) == ("a1002", "resolved")


async def test_attended_transfer_makes_the_taker_busy_until_the_caller_hangs_up(rig: Rig) -> None:
    caller = await _transfer_to_a1002(rig, attended=True)
    await wait_for(lambda: rig.state("a1001") != "on_hold")
    assert ("ready", "on_call", "c1") in _changes(rig, "a1002")
    await _new_caller_goes_to_a1001_not_a1002(rig)
    _bye(rig, caller)
    await wait_for(lambda: rig.state("a1002") == "wrap_up", timeout=5)
    assert _changes(rig, "a1002")[-1] == ("on_call", "wrap_up", "c1")
    done = [e for e in rig.of(CallCompleted) if e.agent == "a1002"]
    assert [(e.call_id, e.by) for e in done] == [("c1", "caller")]
    await wait_for(lambda: rig.state("a1002") == "ready", timeout=5)  # wrap-up timer (5 s)
    await rig.flush()
    assert rig.kinds("c1") == ["ENTERQUEUE", "CONNECT", "ATTENDEDTRANSFER", "TAKECALL",
                               "TAKECOMPLETE"]
    assert rig.rows("c1")[3].data["via"] == "attended"


async def test_not_ready_taker_is_on_call_then_back_to_its_reason(rig: Rig) -> None:
    await rig.login_ready("a1001")
    caller = await rig.call("c1", WAITING)
    await wait_for(lambda: rig.of(CallConnected))
    await rig.service.login("a1002", "")
    await rig.service.set_not_ready("a1002", "meal")
    await rig.service.transfer("a1001", "agent", "a1002", attended=False)
    await wait_for(lambda: rig.state("a1002") == "on_call", timeout=5)
    _bye(rig, caller)
    await wait_for(lambda: rig.state("a1002") == "not_ready", timeout=5)
    assert [s for _p, s, _c in _changes(rig, "a1002")][-3:] == ["on_call", "wrap_up", "not_ready"]
    view = rig.service.router.agent("a1002")
    assert view is not None and view.reason == "meal"


async def test_caller_leaving_before_the_taker_answers_leaves_the_taker_ready(rig: Rig) -> None:
    await rig.login_ready("a1001", "a1002")
    caller = await rig.call("c1", WAITING)
    await wait_for(lambda: rig.of(CallConnected))
    await rig.service.transfer("a1001", "agent", "a1002", attended=False)
    await wait_for(lambda: any(c.endpoint == "agent1002" for c in rig.sim.channels.values()))
    _bye(rig, caller)  # agent1002 is still ringing (answer delay 0.5 s)
    await wait_for(lambda: any(e.channel == caller for e in rig.of(ChannelHungUp)), timeout=5)
    assert rig.state("a1002") == "ready" and not rig.service.book.by_id
    await rig.flush()
    assert "TAKECALL" not in rig.kinds("c1")


async def test_agent_conferenced_in_is_busy_until_its_leg_leaves(rig: Rig) -> None:
    await rig.login_ready("a1001", "a1002")
    caller = await rig.call("c1", WAITING)
    await wait_for(lambda: rig.of(CallConnected))
    await rig.service.conference("a1001", "1002")
    await wait_for(lambda: rig.state("a1002") == "on_call", timeout=5)
    assert rig.state("a1001") == "on_call"
    await rig.call("c2", WAITING)
    await rig.sim.sleep(1.0)
    assert not [e for e in rig.of(CallOffered) if e.call_id == "c2"]
    assert rig.service.router.position("c2") == 1
    _bye(rig, caller)
    await rig.service.hangup("a1001")  # last marked user: the room ends, 1002 is kicked
    await wait_for(lambda: rig.state("a1002") == "wrap_up", timeout=5)
    done = [e for e in rig.of(CallCompleted) if e.agent == "a1002"]
    assert [e.call_id for e in done] == ["c1"]
    await rig.flush()
    takes = [r for r in rig.rows("c1") if r.kind in ("TAKECALL", "TAKECOMPLETE")]
    assert [(r.kind, r.agent, r.data["via"]) for r in takes] == [
        ("TAKECALL", "a1002", "conference"), ("TAKECOMPLETE", "a1002", "conference")]


async def test_taker_can_transfer_the_call_on_and_goes_to_wrap_up(rig: Rig) -> None:
    await _transfer_to_a1002(rig, attended=False)
    await rig.sim.sleep(1.0)
    await rig.service.transfer("a1002", "agent", "a1001", attended=False)
    await wait_for(lambda: rig.state("a1002") == "wrap_up", timeout=5)
    await wait_for(lambda: rig.state("a1001") == "on_call", timeout=5)
    assert _changes(rig, "a1001")[-1][1:] == ("on_call", "c1")
    await rig.flush()
    rows = [(r.kind, r.agent) for r in rig.rows("c1")]
    assert rows == [("ENTERQUEUE", None), ("CONNECT", "a1001"), ("BLINDTRANSFER", "a1001"),
                    ("TAKECALL", "a1002"), ("BLINDTRANSFER", "a1002"), ("TAKECALL", "a1001")]
    assert rig.rows("c1")[4].data["holdtime"] == rig.rows("c1")[1].data["holdtime"]
