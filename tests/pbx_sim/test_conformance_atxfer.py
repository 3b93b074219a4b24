"""Conformance: attended transfer with ``[featuremap] atxfer => *2`` (ami-07c), and the
paths the transcript does not show (target busy, target hangs up, transferer hangs up
while the target still rings)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from scenario import TranscriptOf, assert_conforms, caller_in_moh, originate
from sim_rig import SPEED, RawAmi

from pbx.ami.codec import AmiMessage
from pbx.sim import AgentPhone, SimAsterisk, SimConfig


@pytest.fixture
async def sim() -> AsyncIterator[SimAsterisk]:
    s = SimAsterisk(SimConfig(ami_port=0, speed=SPEED, seed=1, skip_ivr=True,
                              epoch=1795355130.0, atxfer_featuremap="*2"))
    for n in range(1001, 1005):
        s.add_agent_phone(AgentPhone(endpoint=f"agent{n}"))
    await s.start()
    yield s
    await s.stop()


def _on(event: str, part: str):  # type: ignore[no-untyped-def]
    return lambda m: m.get("Event") == event and part in m.get("Channel", "")


async def _bridged(sim: SimAsterisk, ami: RawAmi, **script: object) -> tuple[str, str]:
    chan = await caller_in_moh(sim, ami, **script)
    await originate(ami, "originate-1", "agent1001", chan, Data=chan + ",T")
    enter = await ami.wait_for(_on("BridgeEnter", "agent1001"))
    return chan, enter["Channel"]


async def _atxfer(ami: RawAmi, agent: str, exten: str = "1002") -> None:
    r = await ami.action(Action="Atxfer", ActionID="atxfer-2", Channel=agent,
                         Context="hotline-agent-dial", Exten=exten)
    assert r["Message"] == "Atxfer successfully queued"


async def test_attended_transfer_completed_like_ami_07c(sim: SimAsterisk, ami: RawAmi,
                                                        transcript: TranscriptOf) -> None:
    chan, agent = await _bridged(sim, ami, talk_time_s=10.0)
    await _atxfer(ami, agent)
    await ami.wait_for(_on("BridgeEnter", "agent1002"))
    r = await ami.action(Action="Hangup", ActionID="hangup-3", Channel=agent)
    assert r["Message"] == "Channel Hungup"
    swap = await ami.wait_for(lambda m: m.get("Event") == "BridgeEnter" and "SwapUniqueid" in m)
    assert swap["Channel"] == chan
    final = swap["BridgeUniqueid"]
    await ami.wait_event("Hangup", Channel=chan)
    await ami.wait_for(_on("Hangup", "agent1002"))
    xfer = next(m for m in ami.messages if m.get("Event") == "AttendedTransfer")
    assert xfer["TransferTargetChannel"].endswith(";1") and xfer["TransfereeChannel"] == chan
    # the caller talked to PJSIP/agent1002 directly in the end
    peers = [m for m in ami.messages if m.get("Event") == "BridgeEnter"
             and m["BridgeUniqueid"] == final]
    swapped = next(m["Channel"] for m in ami.messages if m.get("Event") == "Newchannel"
                   and m["Uniqueid"] == swap["SwapUniqueid"])
    assert swapped.endswith(";2")
    members = {p["Channel"].split("-")[0] for p in peers if p["Channel"] != swapped}
    assert members == {"PJSIP/agent1002", "PJSIP/hotline"}
    assert_conforms(ami, transcript("07c"))


async def _back_with_caller(ami: RawAmi, chan: str, agent: str, start: int) -> AmiMessage:
    unhold = await ami.wait_for(_on("Unhold", agent), start=start)
    stop = await ami.wait_for(_on("MusicOnHoldStop", chan), start=start)
    assert ami.messages.index(stop) < ami.messages.index(unhold)
    back = await ami.wait_for(_on("BridgeEnter", agent), start=start)
    assert back["BridgeNumChannels"] == "2"
    return back


async def test_attended_transfer_to_busy_target_returns_transferer(
        sim: SimAsterisk, ami: RawAmi) -> None:
    sim.add_agent_phone(AgentPhone("agent1003", behaviour="busy"))
    chan, agent = await _bridged(sim, ami, talk_time_s=6.0)
    start = len(ami.messages)
    await _atxfer(ami, agent, "1003")
    await ami.wait_for(_on("Hangup", "Local/1003@hotline-agent-dial-00000000;1"), start=start)
    await _back_with_caller(ami, chan, agent, start)
    # the original call goes on and ends normally
    await ami.wait_event("Hangup", Channel=chan)
    gone = await ami.wait_event("Hangup", Channel=agent)
    assert gone["Cause"] == "16"
    assert not any(m.get("Event") == "AttendedTransfer" for m in ami.messages)


async def test_target_hangs_up_during_consultation(sim: SimAsterisk, ami: RawAmi) -> None:
    sim.add_agent_phone(AgentPhone("agent1002", talk_time_s=1.0))
    chan, agent = await _bridged(sim, ami, talk_time_s=8.0)
    start = len(ami.messages)
    await _atxfer(ami, agent)
    await ami.wait_for(_on("BridgeEnter", "agent1002"), start=start)
    await ami.wait_for(_on("Hangup", "agent1002"), start=start)
    await _back_with_caller(ami, chan, agent, start)
    assert not [c for c in sim.channels if c.startswith(("Local/", "PJSIP/agent1002"))]


async def test_transferer_hangs_up_while_target_rings(sim: SimAsterisk, ami: RawAmi) -> None:
    sim.add_agent_phone(AgentPhone("agent1002", answer_delay_s=2.0))
    chan, agent = await _bridged(sim, ami, talk_time_s=10.0)
    start = len(ami.messages)
    await _atxfer(ami, agent)
    await ami.wait_for(_on("Newstate", "agent1002"), start=start)
    await ami.action(Action="Hangup", Channel=agent)
    xfer = await ami.wait_event("AttendedTransfer")
    assert xfer["TransferTargetChannelState"] == "5"  # still ringing: the caller hears it
    swap = await ami.wait_for(lambda m: m.get("Event") == "BridgeEnter" and "SwapUniqueid" in m)
    assert swap["Channel"] == chan
    await ami.wait_event("Hangup", Channel=chan)
