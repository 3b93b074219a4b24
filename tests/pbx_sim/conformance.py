"""Compare the simulator's AMI output with a real Asterisk transcript.

Both streams are reduced to the events the backend consumes, each as
``(event, channel label, selected fields)``. Channel names and ids are replaced by
labels that say what the channel is (``caller``, ``agent1001#1``...), so the
comparison is about names, order and id *relations*, not values. Comparison is per
channel: the README states that the interleaving of two channels' events (Hangup of
caller vs agent, OriginateResponse vs DialEnd) varies between runs of the real thing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from pbx.ami.codec import AmiDecoder, AmiMessage
from pbx.transcripts import received_stream

CONSUMED = {
    "Newchannel", "Newstate", "NewCallerid", "DialBegin", "DialState", "DialEnd",
    "BridgeCreate", "BridgeEnter", "BridgeLeave", "BridgeDestroy", "OriginateResponse",
    "MusicOnHoldStart", "MusicOnHoldStop", "Hangup", "HangupRequest", "SoftHangupRequest",
    "DTMFBegin", "DTMFEnd", "Hold", "Unhold", "BlindTransfer", "AttendedTransfer",
    "ChanSpyStart", "ChanSpyStop", "MixMonitorStart", "CoreShowChannel",
    "CoreShowChannelsComplete", "Status", "StatusComplete", "Shutdown", "FullyBooted",
    "LocalBridge", "LocalOptimizationBegin", "LocalOptimizationEnd", "BridgeMerge",
}
VARS = re.compile(r"^(HOTLINE_.*|BRIDGERESULT|MIXMONITOR_FILENAME|IVR_CHOICE|AGISTATUS)$")
# Fields whose value matters (ids are checked through relations instead).
KEEP = ("Cause", "TechCause", "DialStatus", "Reason", "Response", "Digit", "Direction",
        "Class", "ChannelState", "Variable", "Value", "Context", "Exten", "Priority",
        "Shutdown", "Restart", "Result", "IsExternal", "EventList", "ListItems",
        "LocalOptimization", "Success", "DestType")


def decode(data: bytes) -> list[AmiMessage]:
    out: list[AmiMessage] = []
    for part in data.split(b"Asterisk Call Manager/11.0.0\r\n"):
        for m in AmiDecoder(expect_banner=False).feed(part):
            if isinstance(m, AmiMessage):
                out.append(m)
    return out


def transcript_messages(path: Path) -> list[AmiMessage]:
    return decode(received_stream(path))


class Labeler:
    """Stable labels for channel names and uniqueids, by first appearance."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.ids: dict[str, str] = {}
        self.counts: dict[str, int] = {}

    def name(self, channel: str) -> str:
        if channel not in self.names:
            base = re.sub(r"-[0-9a-f]{8}(;\d)?$", "", channel)
            kind = "caller" if "hotline-trunk" in base else base.rsplit("/", 1)[-1]
            self.counts[kind] = self.counts.get(kind, 0) + 1
            self.names[channel] = f"{kind}#{self.counts[kind]}"
        return self.names[channel]

    def uid(self, uniqueid: str, channel: str | None = None) -> str:
        if uniqueid not in self.ids:
            self.ids[uniqueid] = (f"uid({self.name(channel)})" if channel
                                  else f"uid#{len(self.ids) + 1}")
        return self.ids[uniqueid]


def reduce(messages: Iterable[AmiMessage], *, var_values: bool = True,
           skip_ids: set[str] | None = None) -> list[tuple[str, str, tuple[tuple[str, str], ...]]]:
    lab = Labeler()
    out = []
    for m in messages:
        ev = m.get("Event")
        if ev is None:
            continue
        if ev == "VarSet":
            if not VARS.match(m.get("Variable", "")):
                continue
        elif ev not in CONSUMED:
            continue
        chan = m.get("Channel") or m.get("DestChannel") or m.get("SpyerChannel") or \
            m.get("TransfererChannel") or m.get("OrigTransfererChannel") or \
            m.get("LocalOneChannel") or ""
        label = lab.name(chan) if chan and ev != "OriginateResponse" else ""
        if ev == "OriginateResponse":
            label = "originate"
        fields: list[tuple[str, str]] = []
        for k in KEEP:
            if k in m:
                v = m[k]
                if k == "Value" and (not var_values or m.get("Variable") == "MIXMONITOR_FILENAME"):
                    v = "*"
                elif k == "Value" and re.match(r"(PJSIP|Local)/", v):
                    v = lab.name(v)  # a channel name: compare what it refers to
                fields.append((k, v))
        # id relations
        for key in ("Uniqueid", "Linkedid", "DestUniqueid", "DestLinkedid",
                    "SpyeeUniqueid", "TransfereeUniqueid", "SwapUniqueid", "SourceUniqueid",
                    "LocalTwoUniqueid", "SecondTransfererUniqueid", "TransferTargetUniqueid"):
            if key in m and m[key] != "<unknown>":
                owner = m.get("Channel") if key in ("Uniqueid",) else None
                fields.append((key, lab.uid(m[key], owner)))
            elif key in m:
                fields.append((key, "<unknown>"))
        if ev == "OriginateResponse":
            ch = m.get("Channel", "")
            fields.append(("Channel", "dialstring" if re.fullmatch(r"PJSIP/[\w-]+", ch) and
                           not re.search(r"-[0-9a-f]{8}$", ch) else lab.name(ch)))
        if skip_ids:
            fields = [f for f in fields if f[0] not in skip_ids]
        out.append((ev, label, tuple(fields)))
    return out


def _canonical(events: list[tuple[str, tuple[tuple[str, str], ...]]]) -> None:
    """``DialState RINGING`` and ``Newstate Ringing`` of one leg come in either order
    (ami-02a vs ami-03/06b): put them in one order before comparing."""
    ringing = [e for e in events if e[0] == "Newstate" and dict(e[1]).get("ChannelState") == "5"]
    dialstate = [i for i, e in enumerate(events) if e[0] == "DialState"]
    if len(ringing) == 1 and dialstate:
        events.remove(ringing[0])
        at = next(i for i, e in enumerate(events) if e[0] == "DialState")
        events.insert(at + 1, ringing[0])


def per_channel(seq: list[tuple[str, str, tuple[tuple[str, str], ...]]]):  # type: ignore[no-untyped-def]
    by: dict[str, list[tuple[str, tuple[tuple[str, str], ...]]]] = {}
    for ev, label, fields in seq:
        by.setdefault(label, []).append((ev, fields))
    for events in by.values():
        _canonical(events)
    return by


def names_only(seq):  # type: ignore[no-untyped-def]
    by: dict[str, list[str]] = {}
    for ev, label, _ in seq:
        by.setdefault(label, []).append(ev)
    return by


IVR_EVENTS = {"AGIExecStart", "AGIExecEnd", "DTMFBegin", "DTMFEnd", "VarSet", "Newexten",
              "MusicOnHoldStart"}
IVR_KEEP = ("Command", "ResultCode", "Result", "Digit", "DurationMs", "Direction",
            "Variable", "Value", "Context", "Priority", "Application", "AppData", "Class")


def ivr_part(messages: Iterable[AmiMessage], caller: str) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    """The caller's IVR as the backend sees it: from the ``AGI`` step to
    ``MusicOnHoldStart`` in hotline-wait (AGIExec*, DTMF*, the IVR VarSets, Newexten).
    Channel names and the FastAGI port in values are normalised."""
    out: list[tuple[str, tuple[tuple[str, str], ...]]] = []
    started = False
    for m in messages:
        ev = m.get("Event")
        if m.get("Channel") != caller or ev not in IVR_EVENTS:
            continue
        if ev == "Newexten" and m.get("Application") == "AGI":
            started = True
        if not started or (ev == "VarSet" and not VARS.match(m.get("Variable", ""))):
            continue
        fields = []
        for k in IVR_KEEP:
            if k in m:
                v = m[k].replace(caller, "<caller>")
                fields.append((k, re.sub(r"agi://127\.0\.0\.1:\d+/", "agi://127.0.0.1:PORT/", v)))
        out.append((ev, tuple(fields)))
        if ev == "MusicOnHoldStart":
            break
    return out
