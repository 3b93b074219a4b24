"""Conformance: ChanSpy after the phones stopped sending RTP (ami-08b)."""

from __future__ import annotations

from scenario import TranscriptOf, assert_conforms, caller_in_moh, originate
from sim_rig import RawAmi

from pbx.ami.codec import AmiMessage
from pbx.sim import SimAsterisk


async def _spy(ami: RawAmi, n: int, agent: str, caller: str, opts: str) -> AmiMessage:
    await originate(ami, f"originate-{n}", "agent1004", caller, Application="ChanSpy",
                    Data=f"{agent},{opts}", CallerID='"Supervisor" <1004>')
    start = await ami.wait_for(lambda m: m.get("Event") == "ChanSpyStart", start=len(ami.messages))
    r = await ami.action(Action="Hangup", ActionID=f"hangup-{n + 1}", Channel=start["SpyerChannel"])
    assert r["Message"] == "Channel Hungup"
    return start


async def test_chanspy_hangup_ignored_without_rtp_like_ami_08b(sim: SimAsterisk, ami: RawAmi,
                                                               transcript: TranscriptOf) -> None:
    chan = await caller_in_moh(sim, ami, talk_time_s=12.0)
    await originate(ami, "originate-1", "agent1001", chan)
    enter = await ami.wait_for(lambda m: m.get("Event") == "BridgeEnter"
                               and "agent1001" in m.get("Channel", ""))
    agent = enter["Channel"]
    first = await _spy(ami, 2, agent, chan, "q")
    await ami.wait_event("Hangup", Channel=first["SpyerChannel"])
    sim.rtp_flowing = False  # the phones' 7 s pcap has ended
    stuck = [await _spy(ami, 4, agent, chan, "qw"), await _spy(ami, 6, agent, chan, "q")]
    for s in stuck:
        assert s["SpyerChannel"] in sim.channels  # answered "Channel Hungup", still up
    await ami.wait_event("Hangup", Channel=chan)
    for s in stuck:
        gone = await ami.wait_event("Hangup", Channel=s["SpyerChannel"])
        assert gone["Cause"] == "0"
    assert_conforms(ami, transcript("08b"))
