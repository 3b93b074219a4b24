"""Conformance: transfers (07a, 07b, 07c0), ChanSpy (08), list actions (09), restart (11),
hold (12); plus the network-failure knobs."""

from __future__ import annotations

import asyncio

from scenario import TranscriptOf, assert_conforms, caller_in_moh, originate
from sim_rig import RawAmi

from pbx.sim import CallerScript, SimAsterisk


async def _bridged(sim: SimAsterisk, ami: RawAmi, data_suffix: str = "", **script: object) -> tuple[str, str]:
    chan = await caller_in_moh(sim, ami, **script)
    await originate(ami, "originate-1", "agent1001", chan, Data=chan + data_suffix)
    enter = await ami.wait_for(lambda m: m.get("Event") == "BridgeEnter"
                               and "agent1001" in m.get("Channel", ""))
    return chan, enter["Channel"]


async def test_blind_transfer_by_redirect_like_ami_07a(sim: SimAsterisk, ami: RawAmi,
                                                       transcript: TranscriptOf) -> None:
    chan, _ = await _bridged(sim, ami, talk_time_s=8.0)
    r = await ami.action(Action="Redirect", ActionID="redirect-2", Channel=chan,
                         Context="hotline-agent-dial", Exten="1002", Priority="1")
    assert r["Message"] == "Redirect successful"
    await ami.wait_event("Hangup", Channel=chan, timeout=5)
    await ami.wait_for(lambda m: m.get("Event") == "Hangup" and "agent1002" in m["Channel"])
    # The transcript's caller hung up 4 s after the second bridge; the same here.
    assert_conforms(ami, transcript("07a"))


async def test_blind_transfer_action_like_ami_07b(sim: SimAsterisk, ami: RawAmi,
                                                  transcript: TranscriptOf) -> None:
    chan, agent = await _bridged(sim, ami, talk_time_s=8.0)
    r = await ami.action(Action="BlindTransfer", ActionID="blindtransfer-2", Channel=agent,
                         Context="hotline-agent-dial", Exten="1002")
    assert r["Message"] == "Transfer succeeded"
    await ami.wait_event("Hangup", Channel=chan)
    await ami.wait_for(lambda m: m.get("Event") == "Hangup" and "agent1002" in m["Channel"])
    assert_conforms(ami, transcript("07b"))


async def test_atxfer_errors_without_featuremap_like_ami_07c0(sim: SimAsterisk, ami: RawAmi,
                                                              transcript: TranscriptOf) -> None:
    chan, agent = await _bridged(sim, ami, data_suffix=",T", talk_time_s=3.0)
    r = await ami.action(Action="Atxfer", Channel=agent, Context="hotline-agent-dial", Exten="1002")
    assert r["Message"] == "No attended transfer feature code found"
    r = await ami.action(Action="Atxfer", Channel="PJSIP/agent1001-99999999",
                         Context="hotline-agent-dial", Exten="1002")
    assert r["Message"] == "Channel specified does not exist"
    r = await ami.action(Action="Atxfer", Channel=agent)
    assert r["Message"] == "No extension specified"
    await ami.wait_event("Hangup", Channel=agent)
    assert_conforms(ami, transcript("07c0"))


async def test_chanspy_listen_whisper_barge_like_ami_08(sim: SimAsterisk, ami: RawAmi,
                                                        transcript: TranscriptOf) -> None:
    chan, agent = await _bridged(sim, ami, talk_time_s=12.0)
    for n, opts in enumerate(("q", "qw", "qB")):
        await originate(ami, f"originate-{2 + 2 * n}", "agent1004", chan, Application="ChanSpy",
                        Data=f"{agent},{opts}", CallerID='"Supervisor" <1004>')
        start = await ami.wait_for(lambda m: m.get("Event") == "ChanSpyStart",
                                   start=len(ami.messages))
        r = await ami.action(Action="Hangup", Channel=start["SpyerChannel"])
        assert r["Message"] == "Channel Hungup"
        await ami.wait_event("Hangup", Channel=start["SpyerChannel"])
    await ami.wait_event("Hangup", Channel=chan)
    # ami-08 also has the earlier part (a first Originate that timed out is absent);
    # the supervisor legs are compared channel by channel.
    assert_conforms(ami, transcript("08"))


async def test_list_actions_and_errors_like_ami_09(sim: SimAsterisk, ami: RawAmi) -> None:
    chan, agent = await _bridged(sim, ami, talk_time_s=8.0)
    b = await caller_in_moh(sim, ami, caller_num="13900139000", caller_name="王伟", dnid="4001")
    r = await ami.action(Action="CoreShowChannels", ActionID="coreshowchannels-2")
    assert (r["EventList"], r["Message"]) == ("start", "Channels will follow")
    done = await ami.wait_event("CoreShowChannelsComplete")
    assert done["ListItems"] == "3"
    items = [m for m in ami.messages if m.get("Event") == "CoreShowChannel"]
    assert all("Privilege" not in m and "Timestamp" not in m for m in items)
    bridged = next(m for m in items if m["Channel"] == chan)
    assert (bridged["Application"], bridged["Priority"], bool(bridged["BridgeId"])) == ("", "3", True)
    assert (await ami.action(Action="Getvar", Channel=chan, Variable="IVR_CHOICE"))["Value"] == "1"
    assert (await ami.action(Action="Getvar", Channel=chan, Variable="CALLERID(name)"))["Value"] == "张安娜"
    assert (await ami.action(Action="Getvar", Channel=chan, Variable="NO_SUCH_VAR"))["Value"] == ""
    assert (await ami.action(Action="Getvar", Variable="AGI_URL"))["Value"] == "agi://127.0.0.1:4573/ivr"
    missing = "PJSIP/hotline-trunk-99999999"
    assert (await ami.action(Action="Getvar", Channel=missing, Variable="X"))["Message"] == "No such channel"
    r = await ami.action(Action="Setvar", Channel=chan, Variable="HOTLINE_TICKET", Value="T-2026-0001")
    assert r["Message"] == "Variable Set"
    assert (await ami.action(Action="Setvar", Channel=missing, Variable="A", Value="x"))["Message"] == "No such channel"
    r = await ami.action(Action="Status", ActionID="status-11", Channel=b,
                         Variables="IVR_CHOICE,HOTLINE_TICKET")
    st = await ami.wait_event("Status", ActionID="status-11")
    assert st["Privilege"] == "Call" and st.getall("Variable") == ["IVR_CHOICE=1", "HOTLINE_TICKET=(null)"]
    assert (await ami.wait_event("StatusComplete", ActionID="status-11"))["Items"] == "1"
    assert (await ami.action(Action="Status", Channel=missing))["Message"] == "No such channel"
    r = await ami.action(Action="Redirect", Channel=missing, Context="hotline-wait", Exten="s", Priority="1")
    assert r["Message"] == f"Channel does not exist: {missing}"
    assert (await ami.action(Action="Hangup", Channel=missing))["Message"] == "No such channel"
    assert (await ami.action(Action="Hangup", Channel=b, Cause=21))["Message"] == "Channel Hungup"
    gone = await ami.wait_event("Hangup", Channel=b)
    assert (gone["Cause"], gone["Cause-txt"], gone["TechCause"]) == ("21", "Call Rejected", "403")
    await ami.wait_event("Hangup", Channel=agent)


async def test_core_restart_like_ami_11(sim: SimAsterisk, ami: RawAmi,
                                        transcript: TranscriptOf) -> None:
    chan = await caller_in_moh(sim, ami, patience_s=600.0)
    assert chan.endswith("-00000000")
    await sim.restart()
    await ami.eof.wait()
    assert_conforms(ami, transcript("11"), first_connection=True)
    shutdown = await ami.wait_event("Shutdown")
    assert shutdown["Restart"] == "True"
    again = RawAmi()
    await again.connect(sim.ami_port)
    await again.login()
    await again.action(Action="CoreShowChannels", ActionID="c")
    assert (await again.wait_event("CoreShowChannelsComplete"))["ListItems"] == "0"
    chan2 = await sim.place_call(CallerScript(patience_s=1.0))
    assert chan2.endswith("-00000000")
    new = await again.wait_event("Newchannel", Channel=chan2)
    assert new["Uniqueid"].endswith(".0")
    await again.close()


async def test_caller_hold_unhold_like_ami_12(sim: SimAsterisk, ami: RawAmi,
                                              transcript: TranscriptOf) -> None:
    chan, agent = await _bridged(sim, ami, talk_time_s=6.0, hold_after_s=1.0, hold_for_s=2.0)
    await ami.wait_event("Hangup", Channel=agent)
    assert_conforms(ami, transcript("12"))


async def test_drop_connections_keeps_calls(sim: SimAsterisk, ami: RawAmi) -> None:
    chan = await caller_in_moh(sim, ami, patience_s=600.0)
    sim.drop_ami_connections()
    await ami.eof.wait()
    assert not any(m.get("Event") == "Shutdown" for m in ami.messages)
    assert chan in sim.channels
    c = RawAmi()
    await c.connect(sim.ami_port)
    await c.login()
    sim.chunk_size = 1
    sim.inject_garbage(b"garbage\r\n\r\n")
    r = await c.action(Action="Getvar", Channel=chan, Variable="CALLERID(name)")
    assert r["Value"] == "张安娜"
    assert b"garbage\r\n\r\n" in c.raw
    await c.close()


async def test_same_seed_same_events(sim: SimAsterisk) -> None:
    from conformance import reduce

    async def run(seed: int) -> list[object]:
        from pbx.sim import AgentPhone, SimConfig

        s = SimAsterisk(SimConfig(speed=40.0, seed=seed, skip_ivr=True, epoch=1.0e9))
        s.add_agent_phone(AgentPhone("agent1001"))
        await s.start()
        c = RawAmi()
        await c.connect(s.ami_port)
        await c.login()
        chan = await caller_in_moh(s, c, talk_time_s=2.0)
        await originate(c, "o", "agent1001", chan)
        await c.wait_for(lambda m: m.get("Event") == "Hangup" and "agent" in m["Channel"])
        await c.close()
        await s.stop()
        return reduce(c.messages)

    assert await run(7) == await run(7)
    await asyncio.sleep(0)
