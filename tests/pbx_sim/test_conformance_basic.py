"""Conformance: the sim's AMI output against ami-02a, 02c, 03, 03b, 04, 05, 06, 06b."""

from __future__ import annotations

from conftest import RawAmi
from scenario import assert_conforms, caller_in_moh, originate

from pbx.sim import AgentPhone, SimAsterisk


async def test_caller_abandons_in_moh_like_ami_05(sim: SimAsterisk, ami: RawAmi) -> None:
    chan = await caller_in_moh(sim, ami, patience_s=3.0)
    await ami.wait_event("Hangup", Channel=chan)
    assert_conforms(ami, "05")


async def test_answered_originate_app_bridge_like_ami_02a(sim: SimAsterisk, ami: RawAmi) -> None:
    chan = await caller_in_moh(sim, ami, talk_time_s=6.0)
    await originate(ami, "originate-1", "agent1001", chan)
    await ami.wait_event("BridgeEnter", Channel=chan)
    await ami.action(Action="MixMonitor", ActionID="mixmonitor-2", Channel=chan,
                     File="/var/spool/asterisk/monitor/hotline-x.wav")
    await ami.wait_event("Hangup", Channel=chan)
    await ami.wait_for(lambda m: m.get("Event") == "Hangup" and "agent1001" in m["Channel"])
    assert_conforms(ami, "02a")
