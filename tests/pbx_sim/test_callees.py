"""Dialed customers through the trunk (pbx.sim.callees): Originate responses and hang-up
causes as chan_pjsip reports them for the agent legs of ami-02a/03/03b/04, and the
``hotline-outbound`` dialplan's AMD() paths."""

from __future__ import annotations

from collections import Counter

import pytest
from sim_rig import RawAmi

from pbx.ami.codec import AmiMessage
from pbx.sim import SimAsterisk
from pbx.sim.callees import draw
from pbx.sim.config import CalleeModel, CalleeScript

NUMBER = "13800138000"


async def dial(ami: RawAmi, aid: str, *, timeout_ms: int = 20000, amd: str | None = None,
               number: str = NUMBER) -> None:
    fields: dict[str, object] = dict(
        Action="Originate", ActionID=aid, Channel=f"PJSIP/{number}@hotline-trunk",
        Context="hotline-outbound", Exten="s", Priority="1", Timeout=str(timeout_ms),
        CallerID='"回访" <4008001234>', ChannelId=f"hotline-custleg-{aid}", Async="true")
    if amd is not None:
        fields["Variable"] = f"HOTLINE_AMD={amd}"
    r = await ami.action(**fields)
    assert r["Message"] == "Originate successfully queued"


def events_of(ami: RawAmi, uid: str) -> list[AmiMessage]:
    return [m for m in ami.messages if m.get("Uniqueid") == uid or m.get("DestUniqueid") == uid]


def names(msgs: list[AmiMessage]) -> list[str]:
    return [m["Event"] for m in msgs if m.get("Event") in (
        "Newchannel", "DialBegin", "DialState", "Newstate", "DialEnd", "HangupRequest",
        "OriginateResponse", "Hangup", "Newexten", "VarSet")]


async def test_busy_customer_fails_with_reason_0_and_cause_17_like_ami_04(
        sim: SimAsterisk, ami: RawAmi) -> None:
    sim.add_callee(NUMBER, CalleeScript("busy", busy_after_s=1.0))
    await dial(ami, "o1")
    hangup = await ami.wait_event("Hangup", Uniqueid="hotline-custleg-o1")
    assert (hangup["Cause"], hangup["TechCause"], hangup["Channel"][:19]) == (
        "17", "486", "PJSIP/hotline-trunk")
    seq = [n for n in names(events_of(ami, "hotline-custleg-o1")) if n not in ("Newexten", "VarSet")]
    assert seq[-4:] == ["HangupRequest", "DialEnd", "OriginateResponse", "Hangup"]
    resp = next(m for m in ami.messages if m.get("Event") == "OriginateResponse")
    assert (resp["Response"], resp["Reason"]) == ("Failure", "0")
    assert next(m for m in ami.messages if m.get("Event") == "DialEnd")["DialStatus"] == "BUSY"


async def test_no_answer_fails_with_reason_3_cause_19_and_no_dialend_like_ami_03(
        sim: SimAsterisk, ami: RawAmi) -> None:
    sim.add_callee(NUMBER, CalleeScript("noanswer"))
    t0 = sim.now()
    await dial(ami, "o1", timeout_ms=25000)
    resp = await ami.wait_event("OriginateResponse", ActionID="o1", timeout=5)
    assert resp["Reason"] == "3" and resp["Response"] == "Failure"
    assert (resp["Channel"], resp["Uniqueid"]) == (f"PJSIP/{NUMBER}@hotline-trunk", "hotline-custleg-o1")
    assert sim.now() - t0 == pytest.approx(25.0, abs=0.1)
    hangup = await ami.wait_event("Hangup", Uniqueid="hotline-custleg-o1")
    assert (hangup["Cause"], hangup["TechCause"]) == ("19", "480")
    assert "DialEnd" not in names(events_of(ami, "hotline-custleg-o1"))
    assert "Ringing" in [m.get("ChannelStateDesc") for m in events_of(ami, "hotline-custleg-o1")
                         if m.get("Event") == "Newstate"]


async def test_unreachable_hangs_up_before_the_originate_response_like_ami_03b(
        sim: SimAsterisk, ami: RawAmi) -> None:
    sim.add_callee(NUMBER, CalleeScript("unreachable"))
    await dial(ami, "o1", timeout_ms=10000)
    await ami.wait_event("OriginateResponse", ActionID="o1", timeout=5)
    seq = names(events_of(ami, "hotline-custleg-o1"))
    assert seq.index("Hangup") < seq.index("OriginateResponse")
    assert "Newstate" not in seq  # no 180 Ringing without a SIP response


async def test_answered_person_passes_amd_as_human_and_waits_for_the_bridge(
        sim: SimAsterisk, ami: RawAmi) -> None:
    sim.add_callee(NUMBER, CalleeScript("answer", answer_delay_s=3.0, patience_s=5.0))
    await dial(ami, "o1", amd="hangup")
    resp = await ami.wait_event("OriginateResponse", ActionID="o1")
    assert (resp["Response"], resp["Reason"], resp["Channel"][:19]) == ("Success", "4", "PJSIP/hotline-trunk")
    status = await ami.wait_event("VarSet", Variable="AMDSTATUS")
    assert status["Value"] == "HUMAN"
    await ami.wait_for(lambda m: m.get("Event") == "Newexten" and m.get("Application") == "Wait"
                       and m.get("Uniqueid") == "hotline-custleg-o1")
    seq = names(events_of(ami, "hotline-custleg-o1"))
    assert seq.index("DialEnd") < seq.index("OriginateResponse")  # ami-02a order
    # nobody joins: the person hangs up after saying hello into the silence
    hangup = await ami.wait_event("Hangup", Uniqueid="hotline-custleg-o1", timeout=5)
    assert hangup["Cause"] == "0"


@pytest.mark.parametrize(("amd", "apps", "cause"), [
    ("hangup", ["AMD", "GotoIf", "Hangup"], "16"),
    ("message", ["AMD", "GotoIf", "Playback", "Hangup"], "16"),
    ("agent", ["AMD", "GotoIf", "Wait"], None),
])
async def test_a_machine_takes_the_campaign_amd_path(sim: SimAsterisk, ami: RawAmi, amd: str,
                                                     apps: list[str], cause: str | None) -> None:
    sim.add_callee(NUMBER, CalleeScript("machine", answer_delay_s=2.0, talk_time_s=20.0))
    await dial(ami, "o1", amd=amd)
    status = await ami.wait_event("VarSet", Variable="AMDSTATUS")
    assert status["Value"] == "MACHINE"
    if cause is None:
        await ami.wait_for(lambda m: m.get("Application") == "Wait"
                           and m.get("Uniqueid") == "hotline-custleg-o1")
    else:
        hangup = await ami.wait_event("Hangup", Uniqueid="hotline-custleg-o1", timeout=5)
        assert hangup["Cause"] == cause
    ran = [m["Application"] for m in events_of(ami, "hotline-custleg-o1")
           if m.get("Event") == "Newexten" and m.get("Context") == "hotline-outbound"]
    assert ran[2:] == apps


async def test_ami_hangup_of_a_ringing_customer_fails_it_with_reason_0(
        sim: SimAsterisk, ami: RawAmi) -> None:
    sim.add_callee(NUMBER, CalleeScript("noanswer"))
    await dial(ami, "o1")
    await ami.wait_for(lambda m: m.get("Event") == "Newstate" and m.get("Uniqueid") == "hotline-custleg-o1")
    r = await ami.action(Action="Hangup", Channel="hotline-custleg-o1", Cause="16")
    assert r["Message"] == "Channel Hungup"
    resp = await ami.wait_event("OriginateResponse", ActionID="o1")
    assert resp["Reason"] == "0"


def test_drawn_customers_follow_the_model_probabilities() -> None:
    import random

    model = CalleeModel(p_answer=0.3, p_machine=0.1, p_busy=0.1)
    rng = random.Random(5)
    got = Counter(draw(model, rng.random(), (rng.random(), rng.random())).behaviour
                  for _ in range(20_000))
    assert got["answer"] / 20_000 == pytest.approx(0.30, abs=0.01)
    assert got["machine"] / 20_000 == pytest.approx(0.10, abs=0.01)
    assert got["busy"] / 20_000 == pytest.approx(0.10, abs=0.01)
    assert got["noanswer"] / 20_000 == pytest.approx(0.50, abs=0.01)
    with pytest.raises(ValueError, match="add up to at most 1"):
        CalleeModel(p_answer=0.8, p_busy=0.3)
