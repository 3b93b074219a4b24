"""Campaign dials through the ACD over the simulated Asterisk: agent first, then the
customer (pbx.sim.callees), AMD paths, results with hang-up causes, and blending."""

from __future__ import annotations

import pytest
from acdrig import Rig, agent, wait_for

from acd.core import Membership, QueueConfig
from acd.events import CallConnected, OutboundDialEnded
from acd.requests import OutboundRequest
from acd.service import AcdConfig, AgentProfile
from pbx.sim.config import CalleeScript, CallerScript

NUMBER = "13800138000"


@pytest.fixture
def config() -> AcdConfig:
    qs = (QueueConfig("sales", skills=("sales",), ring_timeout_s=10.0, wrap_up_s=5.0),
          QueueConfig("huifang", skills=("sales",), ring_timeout_s=10.0, wrap_up_s=5.0))
    blended = AgentProfile(agent(1001).agent.__class__(
        "a1001", {"sales": 5}, frozenset({"zh"}),
        queues={"sales": Membership(priority=1), "huifang": Membership(priority=0)}),
        "PJSIP/agent1001")
    return AcdConfig(queues=qs, agents={"a1001": blended})


def req(cid: str, rig: Rig, number: str = NUMBER, **kw: object) -> OutboundRequest:
    return OutboundRequest(call_id=cid, queue="huifang", number=number, caller_id="4008001234",
                           requested_at=rig.service.now(), campaign="huifang", **kw)  # type: ignore[arg-type]


def ended(rig: Rig) -> list[OutboundDialEnded]:
    return rig.of(OutboundDialEnded)


async def test_a_person_answers_and_is_bridged_to_the_reserved_agent(rig: Rig) -> None:
    rig.sim.add_callee(NUMBER, CalleeScript("answer", answer_delay_s=4.0, talk_time_s=20.0))
    await rig.login_ready("a1001")
    rig.service.dial_out(req("ob1", rig))
    await wait_for(lambda: rig.state("a1001") == "dialing", timeout=5)
    assert rig.sim.dialed == [(NUMBER, "answer")]  # the agent was reserved before the dial
    await wait_for(lambda: rig.state("a1001") == "on_call", timeout=5)
    assert [(e.result, e.agent) for e in ended(rig)] == [("answered", "a1001")]
    assert rig.of(CallConnected)[0].call_id == "ob1"
    await wait_for(lambda: rig.state("a1001") == "wrap_up", timeout=5)  # customer hung up
    await rig.service.wrap_up("a1001", rig.config.disposition_codes[0].code, "回访完成", None)
    assert rig.state("a1001") == "ready"
    await rig.flush()
    kinds = rig.kinds("ob1")
    assert kinds[0] == "ENTERQUEUE" and "CONNECT" in kinds and "WRAPUP" in kinds


@pytest.mark.parametrize(("behaviour", "result", "cause"), [
    ("busy", "busy", 17), ("noanswer", "no_answer", 19), ("unreachable", "no_answer", 19)])
async def test_a_customer_not_reached_frees_the_agent_with_the_cause(
        rig: Rig, behaviour: str, result: str, cause: int) -> None:
    rig.sim.add_callee(NUMBER, CalleeScript(behaviour))  # type: ignore[arg-type]
    await rig.login_ready("a1001")
    rig.service.dial_out(req("ob1", rig, ring_s=10.0))
    await wait_for(lambda: bool(ended(rig)), timeout=5)
    (e,) = ended(rig)
    assert (e.result, e.cause, e.agent) == (result, cause, "a1001")
    await wait_for(lambda: rig.state("a1001") == "ready", timeout=5)  # not RONA: not its fault
    assert rig.service.book.get("ob1") is None


@pytest.mark.parametrize(("amd", "result", "state"), [
    ("hangup", "machine", "ready"), ("message", "machine", "ready"), ("agent", "machine", "on_call")])
async def test_machine_detection_follows_the_campaign_choice(rig: Rig, amd: str, result: str,
                                                             state: str) -> None:
    rig.sim.add_callee(NUMBER, CalleeScript("machine", answer_delay_s=3.0, talk_time_s=30.0))
    await rig.login_ready("a1001")
    extra = {"amd_message": "hotline/huifang-notice"} if amd == "message" else {}
    rig.service.dial_out(req("ob1", rig, amd=amd, **extra))
    await wait_for(lambda: rig.state("a1001") == "dialing", timeout=5)
    await wait_for(lambda: rig.state("a1001") == state, timeout=5)
    if amd == "message":  # the agent is free while the dialplan leaves the notice
        assert any(c.app == "Playback" and c.app_data == "hotline/huifang-notice"
                   for c in rig.sim.channels.values())
    await wait_for(lambda: bool(ended(rig)), timeout=5)
    (e,) = ended(rig)
    assert (e.result, e.amd_status) == (result, "MACHINE")
    # hung up by the dialplan (16); passed to the agent: bridged, the talk has no cause yet
    assert e.cause == (None if amd == "agent" else 16)


async def test_a_person_passes_amd_and_is_bridged(rig: Rig) -> None:
    rig.sim.add_callee(NUMBER, CalleeScript("answer", answer_delay_s=2.0, talk_time_s=10.0))
    await rig.login_ready("a1001")
    rig.service.dial_out(req("ob1", rig, amd="hangup"))
    await wait_for(lambda: rig.state("a1001") == "on_call", timeout=5)
    (e,) = ended(rig)
    assert (e.result, e.amd_status) == ("answered", "HUMAN")


async def test_a_blended_agent_gets_an_inbound_call_ahead_of_outbound(rig: Rig) -> None:
    rig.sim.add_callee(NUMBER, CalleeScript("answer", answer_delay_s=2.0, talk_time_s=5.0))
    await rig.service.login("a1001", "")
    rig.service.dial_out(req("ob1", rig))  # waits: nobody is ready
    await rig.call("in1", CallerScript(dtmf=[], patience_s=600.0, talk_time_s=5.0))
    await rig.service.set_ready("a1001")
    await wait_for(lambda: bool(rig.of(CallConnected)), timeout=5)
    assert rig.of(CallConnected)[0].call_id == "in1"  # the older outbound record waited
    assert rig.sim.dialed == []  # and its customer was not dialed meanwhile
    await wait_for(lambda: rig.state("a1001") == "wrap_up", timeout=5)
    await rig.service.wrap_up("a1001", rig.config.disposition_codes[0].code, "", None)
    await wait_for(lambda: len(rig.of(CallConnected)) == 2, timeout=5)  # inbound is quiet now
    assert rig.of(CallConnected)[1].call_id == "ob1"


async def test_preview_dials_only_when_the_agent_clicks(rig: Rig) -> None:
    rig.sim.add_callee(NUMBER, CalleeScript("answer", answer_delay_s=2.0, talk_time_s=5.0))
    await rig.login_ready("a1001")
    rig.service.dial_out(req("ob1", rig, preview=True))
    await wait_for(lambda: rig.state("a1001") == "previewing", timeout=5)
    await rig.sim.sleep(60.0)
    assert rig.state("a1001") == "previewing" and rig.sim.dialed == []
    await rig.service.dial_preview("a1001")
    await wait_for(lambda: rig.state("a1001") == "on_call", timeout=5)
    assert rig.sim.dialed == [(NUMBER, "answer")]


async def test_a_skipped_preview_frees_the_agent(rig: Rig) -> None:
    await rig.login_ready("a1001")
    rig.service.dial_out(req("ob1", rig, preview=True))
    await wait_for(lambda: rig.state("a1001") == "previewing", timeout=5)
    await rig.service.skip_preview("a1001")
    assert rig.state("a1001") == "ready"
    assert [e.result for e in ended(rig)] == ["skipped"]
