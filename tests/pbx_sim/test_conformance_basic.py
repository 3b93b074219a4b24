"""Conformance: the sim's AMI output against ami-02a, 02c, 03, 03b, 04, 05, 06, 06b."""

from __future__ import annotations

from scenario import TranscriptOf, assert_conforms, caller_in_moh, originate
from sim_rig import RawAmi

from pbx.sim import AgentPhone, SimAsterisk


async def test_caller_abandons_in_moh_like_ami_05(sim: SimAsterisk, ami: RawAmi,
                                                  transcript: TranscriptOf) -> None:
    chan = await caller_in_moh(sim, ami, patience_s=3.0)
    await ami.wait_event("Hangup", Channel=chan)
    assert_conforms(ami, transcript("05"))


async def test_answered_originate_app_bridge_like_ami_02a(sim: SimAsterisk, ami: RawAmi,
                                                          transcript: TranscriptOf) -> None:
    chan = await caller_in_moh(sim, ami, talk_time_s=6.0)
    await originate(ami, "originate-1", "agent1001", chan)
    await ami.wait_event("BridgeEnter", Channel=chan)
    await ami.action(Action="MixMonitor", ActionID="mixmonitor-2", Channel=chan,
                     File="/var/spool/asterisk/monitor/hotline-x.wav")
    await ami.wait_event("Hangup", Channel=chan)
    await ami.wait_for(lambda m: m.get("Event") == "Hangup" and "agent1001" in m["Channel"])
    assert_conforms(ami, transcript("02a"))


async def test_ami_bridge_action_like_ami_02c(sim: SimAsterisk, ami: RawAmi,
                                              transcript: TranscriptOf) -> None:
    chan = await caller_in_moh(sim, ami, talk_time_s=4.0)
    await originate(ami, "originate-1", "agent1001", chan, Context="hotline-agent",
                    Exten="hold", Priority="1")
    wait = await ami.wait_for(lambda m: m.get("Application") == "Wait")
    r = await ami.action(Action="Bridge", ActionID="bridge-2", Channel1=chan,
                         Channel2=wait["Channel"], Tone="no")
    assert r["Message"] == "Channels have been bridged"
    await ami.action(Action="MixMonitor", ActionID="mixmonitor-3", Channel=chan,
                     File="/var/spool/asterisk/monitor/x.wav")
    await ami.wait_for(lambda m: m.get("Event") == "Hangup" and "agent1001" in m["Channel"])
    assert_conforms(ami, transcript("02c"))


async def test_no_answer_then_second_agent_like_ami_03(sim: SimAsterisk, ami: RawAmi,
                                                       transcript: TranscriptOf) -> None:
    sim.add_agent_phone(AgentPhone("agent1002", behaviour="noanswer"))
    chan = await caller_in_moh(sim, ami, talk_time_s=3.0)
    await originate(ami, "originate-1", "agent1002", chan, timeout_ms=8000)
    resp = await ami.wait_event("OriginateResponse", ActionID="originate-1")
    assert (resp["Channel"], resp["Uniqueid"], resp["Reason"]) == ("PJSIP/agent1002", "<unknown>", "3")
    await ami.wait_for(lambda m: m.get("Event") == "Hangup" and "agent1002" in m["Channel"])
    await originate(ami, "originate-2", "agent1001", chan)
    await ami.wait_for(lambda m: m.get("Event") == "Hangup" and "agent1001" in m["Channel"])
    assert_conforms(ami, transcript("03"))


async def test_unreachable_agent_like_ami_03b(sim: SimAsterisk, ami: RawAmi,
                                              transcript: TranscriptOf) -> None:
    sim.add_agent_phone(AgentPhone("agent1002", behaviour="unreachable"))
    chan = await caller_in_moh(sim, ami, talk_time_s=3.0)
    await originate(ami, "originate-1", "agent1002", chan, timeout_ms=8000)
    await ami.wait_event("OriginateResponse", ActionID="originate-1")
    await originate(ami, "originate-2", "agent1001", chan)
    await ami.wait_for(lambda m: m.get("Event") == "Hangup" and "agent1001" in m["Channel"])
    assert_conforms(ami, transcript("03b"))


async def test_busy_agent_async_and_blocking_like_ami_04(sim: SimAsterisk, ami: RawAmi,
                                                         transcript: TranscriptOf) -> None:
    sim.add_agent_phone(AgentPhone("agent1003", behaviour="busy"))
    chan = await caller_in_moh(sim, ami, patience_s=3.0)
    await originate(ami, "originate-1", "agent1003", chan, timeout_ms=15000)
    await ami.wait_event("OriginateResponse", ActionID="originate-1")
    r = await originate(ami, "originate-2", "agent1003", chan, timeout_ms=15000, Async=None)  # type: ignore[arg-type]
    assert (r["Response"], r["Message"]) == ("Error", "Originate failed")  # type: ignore[index]
    await ami.wait_event("Hangup", Channel=chan)
    assert not [m for m in ami.messages if m.get("ActionID") == "originate-2"
                and m.get("Event") == "OriginateResponse"]
    assert_conforms(ami, transcript("04"))


async def test_caller_abandons_while_agent_rings_like_ami_06(sim: SimAsterisk, ami: RawAmi,
                                                             transcript: TranscriptOf) -> None:
    sim.add_agent_phone(AgentPhone("agent1002", behaviour="noanswer"))
    chan = await caller_in_moh(sim, ami, patience_s=6.0)
    leg = "hotline-agentleg-1795354993"
    await originate(ami, "originate-1", "agent1002", chan, timeout_ms=30000, ChannelId=leg)
    await ami.wait_event("Hangup", Channel=chan)
    r = await ami.action(Action="Hangup", ActionID="hangup-2", Channel=leg, Cause=16)
    assert r["Message"] == "Channel Hungup"
    await ami.wait_for(lambda m: m.get("Event") == "Hangup" and m.get("Uniqueid") == leg)
    assert_conforms(ami, transcript("06"))


async def test_caller_gone_agent_answers_anyway_like_ami_06b(sim: SimAsterisk, ami: RawAmi,
                                                             transcript: TranscriptOf) -> None:
    sim.add_agent_phone(AgentPhone("agent1001", answer_delay_s=6.0))
    chan = await caller_in_moh(sim, ami, patience_s=4.0)
    await originate(ami, "originate-1", "agent1001", chan, timeout_ms=30000)
    await ami.wait_for(lambda m: m.get("Event") == "Hangup" and "agent1001" in m["Channel"])
    assert_conforms(ami, transcript("06b"))
