"""Redirect with ExtraChannel and ConfBridge rooms (three-way calls).

There is no transcript of either: the field names follow the Asterisk 22 AMI
documentation of ConfbridgeStart/Join/Leave/End, the reply texts manager.c (see
pbx/sim/confbridge.py and transfer.dual_redirect for what is inferred)."""

from __future__ import annotations

from scenario import caller_in_moh, originate
from sim_rig import RawAmi

from pbx.sim import SimAsterisk

BRIDGE_FIELDS = ("BridgeUniqueid", "BridgeType", "BridgeTechnology", "BridgeCreator",
                 "BridgeName", "BridgeNumChannels", "BridgeVideoSourceMode")
CHANNEL_FIELDS = ("Channel", "ChannelState", "ChannelStateDesc", "CallerIDNum", "CallerIDName",
                  "ConnectedLineNum", "ConnectedLineName", "Language", "AccountCode", "Context",
                  "Exten", "Priority", "Uniqueid", "Linkedid")


def keys(m: object) -> list[str]:
    return [k for k, _ in m.items()][3:]  # type: ignore[attr-defined]  # after Event/Privilege/Timestamp


async def _bridged(sim: SimAsterisk, ami: RawAmi) -> tuple[str, str]:
    chan = await caller_in_moh(sim, ami, talk_time_s=None)
    await originate(ami, "o1", "agent1001", chan)
    enter = await ami.wait_for(lambda m: m.get("Event") == "BridgeEnter"
                               and "agent1001" in m.get("Channel", ""))
    return chan, enter["Channel"]


async def test_dual_redirect_moves_both_parties_without_hanging_either_up(
        sim: SimAsterisk, ami: RawAmi) -> None:
    chan, agent = await _bridged(sim, ami)
    mark = len(ami.messages)
    r = await ami.action(Action="Redirect", Channel=chan, Context="hotline-wait", Exten="s",
                         Priority=1, ExtraChannel=agent, ExtraContext="hotline-agent",
                         ExtraExten="hold", ExtraPriority=1)
    assert r["Message"] == "Dual Redirect successful"
    await ami.wait_event("MusicOnHoldStart", Channel=chan)
    await ami.wait_for(lambda m: m.get("Event") == "Newexten" and m.get("Channel") == agent
                       and m.get("Application") == "Wait", start=mark)
    after = [m for m in ami.messages[mark:] if m.get("Event")]
    assert [m["Event"] for m in after if m["Event"].startswith("Bridge")] == [
        "BridgeLeave", "BridgeLeave", "BridgeDestroy"]
    assert not [m for m in after if m["Event"] in ("Hangup", "SoftHangupRequest")]
    assert not [m for m in after if m.get("Variable") == "BRIDGERESULT"]  # Bridge() interrupted
    assert chan in sim.channels and agent in sim.channels
    # the Bridge action joins them again (console unhold)
    r = await ami.action(Action="Bridge", Channel1=chan, Channel2=agent)
    assert r["Message"] == "Channels have been bridged"
    await ami.wait_event("BridgeEnter", Channel=agent)
    missing = await ami.action(Action="Redirect", Channel=chan, Context="hotline-wait", Exten="s",
                               ExtraChannel="PJSIP/agent1009-0000ffff")
    assert (missing["Response"], missing["Message"]) == (
        "Error", "ExtraChannel does not exist: PJSIP/agent1009-0000ffff")


async def test_confbridge_room_events_and_guest_leaves_with_the_last_marked_user(
        sim: SimAsterisk, ami: RawAmi) -> None:
    chan, agent = await _bridged(sim, ami)
    for c in (chan, agent):
        await ami.action(Action="Setvar", Channel=c, Variable="HOTLINE_CONF", Value="room-1")
    await ami.action(Action="Redirect", Channel=chan, Context="hotline-conference", Exten="s",
                     Priority=1, ExtraChannel=agent, ExtraContext="hotline-conference",
                     ExtraExten="s", ExtraPriority=1)
    await originate(ami, "o2", "agent1002", chan, Context="hotline-conference", Exten="guest",
                    Priority="1", Variable="HOTLINE_CONF=room-1", ChannelId="guest-leg")
    joins = [await ami.wait_for(lambda m, n=n: m.get("Event") == "ConfbridgeJoin"
                                and m.get("Channel", "").startswith(n))
             for n in (chan, agent, "PJSIP/agent1002")]
    start = await ami.wait_event("ConfbridgeStart")
    assert keys(start) == ["Conference", *BRIDGE_FIELDS]
    assert (start["Conference"], start["BridgeTechnology"], start["BridgeCreator"],
            start["BridgeName"], start["BridgeType"]) == ("room-1", "softmix", "ConfBridge",
                                                          "room-1", "base")
    for j in joins:
        assert keys(j) == ["Conference", *BRIDGE_FIELDS, *CHANNEL_FIELDS, "Admin", "Muted"]
        assert j["Conference"] == "room-1" and j["BridgeUniqueid"] == start["BridgeUniqueid"]
    # a ConfBridge room does not hand its Linkedid to the third party
    guest_enter = await ami.wait_event("BridgeEnter", Channel=joins[2]["Channel"])
    assert guest_enter["Linkedid"] == "guest-leg"
    i = ami.messages.index(joins[2])
    assert ami.messages.index(guest_enter) > i  # ConfbridgeJoin before BridgeEnter
    # the caller leaves: the agent and the third party stay
    mark = len(ami.messages)
    await ami.action(Action="Hangup", Channel=chan, Cause=16)
    leave = await ami.wait_event("ConfbridgeLeave", Channel=chan)
    assert keys(leave) == ["Conference", *BRIDGE_FIELDS, *CHANNEL_FIELDS, "Admin"]
    assert agent in sim.channels and joins[2]["Channel"] in sim.channels
    # the agent (last marked user) leaves: the guest is kicked, the room ends
    await ami.action(Action="Hangup", Channel=agent, Cause=16)
    await ami.wait_event("Hangup", Channel=joins[2]["Channel"])
    names = [m.get("Event") for m in ami.messages[mark:]
             if m.get("Event", "").startswith(("Confbridge", "BridgeDestroy"))]
    assert names == ["ConfbridgeLeave", "ConfbridgeLeave", "ConfbridgeLeave", "ConfbridgeEnd",
                     "BridgeDestroy"]
    assert not sim.conferences
