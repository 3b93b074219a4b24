"""Every recorded AMI transcript through codec + CallTracker: the calls they describe."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from hotline.clock import ManualClock
from hotline.events import Event, EventBus
from pbx.ami.codec import AmiDecoder, AmiMessage
from pbx.events import (
    CallEnded,
    CallMerged,
    CdrRecorded,
    ChannelBridged,
    ChannelHungUp,
    ChannelStateChanged,
    DialEnded,
    DtmfReceived,
    HoldChanged,
    MusicOnHoldChanged,
    OriginateResult,
    RecordingStarted,
    SpyChanged,
    TransferDone,
    VariableSet,
)
from pbx.tracker import CallTracker
from pbx.transcripts import ami_files, received_chunks

_DIR = Path(os.environ.get("HOTLINE_TRANSCRIPTS", Path(__file__).resolve().parents[3] / "shared" / "asterisk"))
ALL = sorted(p.name for p in ami_files(_DIR))


def connections(path: Path) -> list[list[bytes]]:
    conns: list[list[bytes]] = []
    for chunk in received_chunks(path):
        if chunk.startswith(b"Asterisk Call Manager/") or not conns:
            conns.append([])
        conns[-1].append(chunk)
    return conns


def replay(path: Path, rng: random.Random | None = None) -> tuple[list[Event], CallTracker]:
    """Feed the recorded chunks (or the same bytes re-cut at random sizes)."""
    bus = EventBus()
    seen: list[Event] = []
    bus.subscribe(Event, seen.append)
    tracker = CallTracker(bus, ManualClock())
    for conn in connections(path):
        decoder = AmiDecoder()
        if rng is None:
            pieces = conn
        else:
            data, pieces, i = b"".join(conn), [], 0
            while i < len(data):
                n = rng.choice((1, 2, 3, 7, 64, 500, 4096))
                pieces.append(data[i : i + n])
                i += n
        for piece in pieces:
            for msg in decoder.feed(piece):
                assert isinstance(msg, AmiMessage), msg
                tracker.feed(msg)
    return seen, tracker


def of(events: list[Event], cls: type) -> list:
    return [e for e in events if isinstance(e, cls)]


def hangups(events: list[Event]) -> dict[str, int]:
    return {e.channel: e.cause for e in of(events, ChannelHungUp)}


def ended(events: list[Event]) -> list[CallEnded]:
    return of(events, CallEnded)


@pytest.fixture
def t(transcripts_dir: Path):
    def load(prefix: str) -> tuple[list[Event], CallTracker]:
        (path,) = [p for p in ami_files(transcripts_dir) if p.name.startswith(prefix)]
        return replay(path)
    return load


@pytest.mark.parametrize("name", ALL)
def test_every_transcript_leaves_no_state_and_survives_random_chunking(transcripts_dir, name):
    path = transcripts_dir / name
    events, tracker = replay(path)
    assert not tracker.channels and not tracker.calls and not tracker.bridges
    for seed in (1, 2):
        again, _ = replay(path, random.Random(seed))
        assert again == events


def test_02a_caller_and_agent1001_bridged_both_cause_16(t):
    events, _ = t("ami-02a")
    (call,) = ended(events)
    assert call.legs == ("1795354545.3", "1795354549.4")
    assert hangups(events) == {"PJSIP/hotline-trunk-00000002": 16, "PJSIP/agent1001-00000003": 16}
    assert call.hangup_cause == 16 and call.bridged_at == pytest.approx(1795354550.077278)
    up = [e for e in of(events, ChannelStateChanged) if e.uniqueid == "1795354549.4" and e.state == "Up"]
    assert up[0].at == pytest.approx(1795354550.076458)  # the agent answered here
    (orig,) = of(events, OriginateResult)
    assert (orig.success, orig.reason, orig.uniqueid) == (True, 4, "1795354549.4")
    (merge,) = of(events, CallMerged)
    assert (merge.linkedid, merge.merged_linkedid) == ("1795354545.3", "1795354549.4")
    (rec,) = of(events, RecordingStarted)
    assert rec.filename == "/var/spool/asterisk/monitor/hotline-1795354545.3.wav"
    bridges = {e.bridge_id for e in of(events, ChannelBridged)}
    assert len(bridges) == 1


def test_02b_local_channels_fold_into_the_callers_call(t):
    events, _ = t("ami-02b")
    (call,) = ended(events)
    assert set(call.legs) == {"1795354565.6", "1795354569.7", "1795354569.8", "1795354569.9"}
    assert hangups(events)["PJSIP/agent1001-00000005"] == 16


def test_02c_ami_bridge_action_joins_caller_and_agent(t):
    events, _ = t("ami-02c")
    (call,) = ended(events)
    assert call.legs == ("1795354719.11", "1795354723.12") and call.bridged_at is not None


def test_03_no_answer_has_no_dialend_then_agent1001_is_bridged(t):
    events, _ = t("ami-03-")
    failed, ok = of(events, OriginateResult)
    assert (failed.success, failed.reason, failed.uniqueid, failed.channel) == (
        False, 3, None, "PJSIP/agent1002")
    assert (ok.reason, ok.uniqueid) == (4, "1795354925.29")
    # no DialEnd on the wire for agent1002: the tracker closes the dial from the hangup
    dial = [e for e in of(events, DialEnded) if e.dest_uniqueid == "1795354917.28"]
    assert [d.status for d in dial] == ["NOANSWER"]
    assert hangups(events)["PJSIP/agent1002-00000014"] == 19
    agent_only, caller_call = ended(events)
    assert agent_only.legs == ("1795354917.28",) and agent_only.hangup_cause == 19
    assert caller_call.legs == ("1795354914.27", "1795354925.29")
    assert caller_call.hangup_cause == 16 and caller_call.bridged_at is not None


def test_03b_unreachable_agent_times_out_with_cause_19(t):
    events, _ = t("ami-03b")
    assert of(events, OriginateResult)[0].reason == 3
    assert [e.status for e in of(events, DialEnded) if e.dest_uniqueid == "1795354948.32"] == ["NOANSWER"]
    assert ended(events)[-1].bridged_at is not None


def test_04_busy_reason_0_cause_17_then_caller_abandons(t):
    events, _ = t("ami-04")
    (busy,) = of(events, OriginateResult)  # the blocking one has no OriginateResponse
    assert (busy.success, busy.reason, busy.uniqueid) == (False, 0, None)
    assert [e.status for e in of(events, DialEnded)] == ["BUSY", "BUSY"]
    causes = hangups(events)
    assert causes["PJSIP/agent1003-0000001a"] == causes["PJSIP/agent1003-0000001b"] == 17
    caller = ended(events)[-1]
    assert caller.legs == ("1795354976.35",) and caller.hangup_cause == 0 and caller.bridged_at is None


def test_05_caller_abandons_in_music_on_hold(t):
    events, _ = t("ami-05")
    (call,) = ended(events)
    assert call.hangup_cause == 0 and call.bridged_at is None
    assert [e.playing for e in of(events, MusicOnHoldChanged)] == [True, False]


def test_06_caller_gone_while_agent_rings_agent_leg_hung_up_by_us(t):
    events, _ = t("ami-06-")
    caller, agent = ended(events)
    assert caller.legs == ("1795354989.38",) and caller.hangup_cause == 0
    assert agent.legs == ("hotline-agentleg-1795354993",) and agent.hangup_cause == 16
    (orig,) = of(events, OriginateResult)
    assert (orig.reason, orig.uniqueid) == (0, "hotline-agentleg-1795354993")
    assert [e.status for e in of(events, DialEnded)] == ["NOANSWER"]


def test_06b_agent_answers_into_a_vanished_caller(t):
    events, _ = t("ami-06b")
    assert [v.value for v in of(events, VariableSet) if v.variable == "BRIDGERESULT"] == ["NONEXISTENT"]
    caller, agent = ended(events)
    assert caller.hangup_cause == 0 and agent.hangup_cause == 0
    assert agent.legs == ("1795354828.26",) and agent.bridged_at is None
    assert of(events, OriginateResult)[0].reason == 4


def test_07a_redirect_moves_the_caller_to_agent1002(t):
    events, _ = t("ami-07a")
    (call,) = ended(events)
    assert call.legs == ("1795355056.40", "1795355059.41", "1795355063.43")
    assert hangups(events)["PJSIP/agent1001-0000001f"] == 16
    last = [e for e in of(events, ChannelBridged) if e.uniqueid == "1795355063.43"]
    assert last and last[-1].linkedid == "1795355056.40"


def test_07b_blind_transfer(t):
    events, _ = t("ami-07b")
    (xfer,) = of(events, TransferDone)
    assert (xfer.kind, xfer.target, xfer.success) == ("blind", "1002", True)
    assert (xfer.transferer_uniqueid, xfer.transferee_uniqueid) == ("1795355081.45", "1795355078.44")
    assert [h.on_hold for h in of(events, HoldChanged)] == [False]
    (call,) = ended(events)
    assert "1795355085.47" in call.legs


def test_07c_attended_transfer_ends_with_caller_bridged_to_agent1002(t):
    events, _ = t("ami-07c-")
    (xfer,) = of(events, TransferDone)
    assert xfer.kind == "attended" and xfer.target == "Local/1002@hotline-agent-dial-00000001;1"
    digits = "".join(d.digit for d in of(events, DtmfReceived) if d.uniqueid == "1795355141.52")
    assert digits == "*21002"
    caller_bridge = [e.bridge_id for e in of(events, ChannelBridged) if e.uniqueid == "1795355138.51"][-1]
    agent2_bridge = [e.bridge_id for e in of(events, ChannelBridged) if e.uniqueid == "1795355144.56"][-1]
    assert caller_bridge == agent2_bridge
    (call,) = ended(events)
    assert len(call.legs) == 5


def test_08_chanspy_listen_whisper_barge(t):
    events, _ = t("ami-08-")
    spies = of(events, SpyChanged)
    assert [s.started for s in spies] == [True, False] * 3
    assert {s.spyee_uniqueid for s in spies} == {"1795355798.108"}
    supervisors = [c for c in ended(events) if len(c.legs) == 1]
    assert len(supervisors) == 3 and all(c.hangup_cause == 0 for c in supervisors)


def test_09_lists_and_hangup_with_cause_21(t):
    events, _ = t("ami-09")
    assert hangups(events)["PJSIP/hotline-trunk-00000030"] == 21
    assert any(v.variable == "HOTLINE_TICKET" and v.value == "T-2026-0001" for v in of(events, VariableSet))
    assert [len(c.legs) for c in ended(events)] == [1, 2]


def test_11_restart_shutdown_then_numbering_restarts(t, transcripts_dir):
    events, tracker = t("ami-11")
    (call,) = ended(events)
    assert call.hangup_cause == 0
    # After the restart Asterisk reuses channel names from -00000000: a new channel
    # with a reused name is a new call, nothing leaks from before the restart.
    msg = AmiMessage()
    msg.update({"Event": "Newchannel", "Channel": "PJSIP/hotline-trunk-00000000",
                "Uniqueid": "1795356010.0", "Linkedid": "1795356010.0", "ChannelStateDesc": "Ring"})
    tracker.feed(msg)
    assert list(tracker.calls) == ["1795356010.0"]


def test_shutdown_ends_calls_still_up(t, transcripts_dir):
    (path,) = [p for p in ami_files(transcripts_dir) if p.name.startswith("ami-11")]
    bus = EventBus()
    seen: list[Event] = []
    bus.subscribe(Event, seen.append)
    tracker = CallTracker(bus, ManualClock())
    first = b"".join(connections(path)[0])
    for msg in AmiDecoder().feed(first):
        if msg.get("Event") != "Hangup":  # pretend the Hangup was lost
            tracker.feed(msg)
    (call,) = ended(seen)
    assert call.legs == ("1795355997.0",) and not tracker.channels


def test_12_hold_and_unhold(t):
    events, _ = t("ami-12")
    holds = [(h.uniqueid, h.on_hold) for h in of(events, HoldChanged)]
    assert holds == [("1795355230.67", True), ("1795355230.67", False)]
    moh = [(m.uniqueid, m.playing) for m in of(events, MusicOnHoldChanged)]
    assert ("1795355232.68", True) in moh and ("1795355232.68", False) in moh


def test_13_cdr_becomes_cdr_recorded_and_changes_nothing_else(transcripts_dir):
    (path,) = [p for p in ami_files(transcripts_dir) if p.name.startswith("ami-13")]
    events, _ = replay(path)
    bus = EventBus()
    filtered: list[Event] = []
    bus.subscribe(Event, filtered.append)
    tracker = CallTracker(bus, ManualClock())
    for msg in AmiDecoder().feed(b"".join(received_chunks(path))):
        if msg.get("Event") not in ("Cdr", "CEL"):
            tracker.feed(msg)
    assert filtered == [e for e in events if not isinstance(e, CdrRecorded)]
    cdrs = of(events, CdrRecorded)
    assert [(c.uniqueid, c.channel, c.dstchannel, c.lastapp, c.duration, c.billsec) for c in cdrs] == [
        ("1795355869.119", "PJSIP/hotline-trunk-0000005d", "", "MusicOnHold", "10", "10"),
        ("1795355872.120", "PJSIP/agent1001-0000005e", "", "Bridge", "0", "0"),
        ("1795355872.120", "PJSIP/agent1001-0000005e", "PJSIP/hotline-trunk-0000005d", "Bridge",
         "7", "7")]
    assert cdrs[0].start == "2026-11-22 13:57:49" and cdrs[0].at == 1795355880.316771
    assert cdrs[0].clid == '"张安娜" <13800138000>' and cdrs[0].disposition == "ANSWERED"
    (call,) = ended(events)
    assert call.hangup_cause == 16 and len(call.legs) == 2
