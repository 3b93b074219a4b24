"""Conformance: the sim's ``Cdr`` events (cdr_manager) against ami-13.

Field names and order, and every value that is not a time or an id, must equal the
transcript's; ids are compared through what they refer to (the channel's own
Uniqueid, the caller's channel name), times through their relations (answer within
start..end, Duration/BillableSeconds as whole seconds). ami-13 is the ami-02a flow with
cdr_manager on; the caller's talk time is the transcript's (about 7 s bridged).
"""

from __future__ import annotations

import datetime as dt

from conformance import Labeler, transcript_messages
from scenario import TranscriptOf, caller_in_moh, originate
from sim_rig import RawAmi

from pbx.ami.codec import AmiMessage
from pbx.sim import SimAsterisk

TIMES = ("StartTime", "AnswerTime", "EndTime")


def _cdrs(messages: list[AmiMessage]) -> list[tuple[tuple[str, str], ...]]:
    """Each Cdr as (field, value) pairs, ids and times replaced by what they mean."""
    lab = Labeler()
    uids: dict[str, str] = {}
    for m in messages:
        if m.get("Event") == "Newchannel":
            uids[m["Uniqueid"]] = lab.name(m["Channel"])
    out = []
    for m in messages:
        if m.get("Event") != "Cdr":
            continue
        start, end = (dt.datetime.fromisoformat(m[k]) for k in ("StartTime", "EndTime"))
        answer = dt.datetime.fromisoformat(m["AnswerTime"]) if m["AnswerTime"] else None
        assert start <= end and (answer is None or start <= answer <= end)
        assert int(m["BillableSeconds"]) <= int(m["Duration"])
        fields = []
        for k, v in m.items():
            if k == "Timestamp":
                continue
            if k in ("Channel", "DestinationChannel", "LastData") and v.startswith("PJSIP/"):
                v = lab.name(v)
            elif k == "UniqueID":
                v = f"uid({uids[v]})"
            elif k in TIMES:
                v = "set" if v else ""
            elif k == "BillableSeconds":
                v = "=Duration" if v == m["Duration"] else "<Duration"
            elif k == "Duration":
                v = "0" if v == "0" else ">0"
            fields.append((k, v))
        out.append(tuple(fields))
    return out


def _channel(cdr: tuple[tuple[str, str], ...]) -> str:
    return dict(cdr)["Channel"]


async def test_answered_call_cdrs_like_ami_13(sim: SimAsterisk, ami: RawAmi,
                                              transcript: TranscriptOf) -> None:
    sim.cdr = True
    chan = await caller_in_moh(sim, ami, talk_time_s=7.0)
    await originate(ami, "originate-1", "agent1001", chan)
    await ami.wait_event("Hangup", Channel=chan)
    await ami.wait_for(lambda m: m.get("Event") == "Cdr" and "agent1001" in m["Channel"]
                       and m["DestinationChannel"] == chan)
    # per channel: which of caller and agent hangs up first varies (README ami-02a)
    want = sorted(_cdrs(transcript_messages(transcript("13"))), key=_channel)
    got = sorted(_cdrs(ami.messages), key=_channel)
    assert len(got) == 3
    assert got == want


async def test_caller_cdr_just_before_its_hangup_agent_cdrs_after(
        sim: SimAsterisk, ami: RawAmi, transcript: TranscriptOf) -> None:
    sim.cdr = True
    chan = await caller_in_moh(sim, ami, talk_time_s=3.0)
    await originate(ami, "originate-1", "agent1001", chan)
    await ami.wait_for(lambda m: m.get("Event") == "Cdr" and m["DestinationChannel"] == chan)
    for msgs in (transcript_messages(transcript("13")), ami.messages):
        seq = [(m["Event"], "caller" if "trunk" in m["Channel"] else "agent") for m in msgs
               if m.get("Event") in ("Cdr", "Hangup")]
        caller = [e for e, who in seq if who == "caller"]
        agent = [e for e, who in seq if who == "agent"]
        assert (caller, agent) == (["Cdr", "Hangup"], ["Hangup", "Cdr", "Cdr"])


async def test_abandoned_caller_has_one_cdr_and_an_unanswered_agent_leg_none(
        sim: SimAsterisk, ami: RawAmi) -> None:
    from pbx.sim import AgentPhone

    sim.cdr = True
    sim.add_agent_phone(AgentPhone("agent1002", behaviour="noanswer"))
    chan = await caller_in_moh(sim, ami, patience_s=6.0)
    await originate(ami, "originate-1", "agent1002", chan, timeout_ms=3000)
    await ami.wait_event("OriginateResponse", ActionID="originate-1")
    await ami.wait_event("Hangup", Channel=chan)
    cdrs = [m for m in ami.messages if m.get("Event") == "Cdr"]
    assert [(m["Channel"], m["LastApplication"], m["Disposition"]) for m in cdrs] == [
        (chan, "MusicOnHold", "ANSWERED")]


async def test_cdrs_off_by_default_as_on_the_test_bed(sim: SimAsterisk, ami: RawAmi) -> None:
    chan = await caller_in_moh(sim, ami, patience_s=2.0)
    await ami.wait_event("Hangup", Channel=chan)
    assert not [m for m in ami.messages if m.get("Event") == "Cdr"]
