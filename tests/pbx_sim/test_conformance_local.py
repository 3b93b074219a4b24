"""Conformance: Local channels (approach 2 of the README, ami-02b) and the attended
transfer through a Local consultation leg (ami-07c)."""

from __future__ import annotations

from scenario import TranscriptOf, assert_conforms, caller_in_moh, originate
from sim_rig import RawAmi

from pbx.sim import AgentPhone, SimAsterisk


def _is(event: str, channel_part: str):  # type: ignore[no-untyped-def]
    return lambda m: m.get("Event") == event and channel_part in m.get("Channel", "")


async def test_originate_local_dialplan_bridge_like_ami_02b(sim: SimAsterisk, ami: RawAmi,
                                                            transcript: TranscriptOf) -> None:
    chan = await caller_in_moh(sim, ami, talk_time_s=6.0)
    await originate(ami, "originate-1", "", chan, Channel="Local/1001@hotline-agent-dial",
                    Context="hotline-agent", Exten="bridge", Priority="1",
                    Variable=f"HOTLINE_CALLER={chan}")
    swap = await ami.wait_for(lambda m: m.get("Event") == "BridgeEnter" and "SwapUniqueid" in m)
    assert swap["Channel"].startswith("PJSIP/agent1001-")
    await ami.action(Action="MixMonitor", ActionID="mixmonitor-2", Channel=chan,
                     File="/var/spool/asterisk/monitor/hotline-x.wav")
    await ami.wait_event("Hangup", Channel=chan)
    await ami.wait_for(_is("Hangup", "PJSIP/agent1001"))
    resp = next(m for m in ami.messages if m.get("Event") == "OriginateResponse")
    assert resp["Channel"].endswith(";1") and resp["Reason"] == "4"
    assert_conforms(ami, transcript("02b"))


async def test_originate_local_to_busy_agent_fails_and_clears_both_halves(
        sim: SimAsterisk, ami: RawAmi) -> None:
    sim.add_agent_phone(AgentPhone("agent1003", behaviour="busy"))
    chan = await caller_in_moh(sim, ami, patience_s=60.0)
    await originate(ami, "originate-1", "", chan, Channel="Local/1003@hotline-agent-dial",
                    Context="hotline-agent", Exten="bridge", Variable=f"HOTLINE_CALLER={chan}")
    resp = await ami.wait_event("OriginateResponse")
    assert (resp["Response"], resp["Reason"]) == ("Failure", "0")
    assert resp["Channel"] == "Local/1003@hotline-agent-dial"
    for half in (";1", ";2"):
        await ami.wait_for(lambda m, h=half: m.get("Event") == "Hangup"
                           and m.get("Channel", "").endswith(h))
    busy = await ami.wait_for(_is("DialEnd", "Local/"))
    assert busy["DialStatus"] == "BUSY"
    assert chan in sim.channels and not any(c.startswith("Local/") for c in sim.channels)


async def test_originate_local_unknown_context_fails_at_once(sim: SimAsterisk, ami: RawAmi) -> None:
    await originate(ami, "o", "", "x", Channel="Local/1001@elsewhere", Context="hotline-agent",
                    Exten="bridge")
    resp = await ami.wait_event("OriginateResponse")
    assert (resp["Response"], resp["Reason"]) == ("Failure", "0")
    assert not any(m.get("Event") == "Newchannel" for m in ami.messages)
