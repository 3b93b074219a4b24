"""Typed events that ``pbx`` publishes on the bus. Everything above ``pbx`` consumes
these instead of raw AMI messages.

Times (``at``) are epoch seconds taken from the AMI ``Timestamp`` header when present,
else from the injected clock. ``uniqueid`` identifies a channel (leg); ``linkedid``
the Asterisk call it belongs to (NB: an originated agent leg's linkedid changes to
the caller's at BridgeEnter — see ``../shared/asterisk/README.md``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hotline.events import Event


@dataclass(frozen=True, slots=True)
class PbxEvent(Event):
    at: float


# --- connection -----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class AmiConnected(PbxEvent):
    banner: str = ""


@dataclass(frozen=True, slots=True)
class AmiDisconnected(PbxEvent):
    reason: str = ""


@dataclass(frozen=True, slots=True)
class AmiResynced(PbxEvent):
    """After (re)connect: the live channels Asterisk reported, with our variables."""

    channels: tuple[ChannelSnapshot, ...] = ()


@dataclass(frozen=True, slots=True)
class PbxShutdown(PbxEvent):
    restart: bool = False


@dataclass(frozen=True, slots=True)
class ChannelSnapshot:
    """One live channel as seen by CoreShowChannels + Getvar of our variables."""

    uniqueid: str
    linkedid: str
    channel: str
    state: str
    caller_num: str
    caller_name: str
    context: str
    exten: str
    application: str
    bridge_id: str
    duration_s: float
    variables: dict[str, str] = field(default_factory=dict)


# --- channels ---------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ChannelCreated(PbxEvent):
    uniqueid: str
    linkedid: str
    channel: str
    caller_num: str
    caller_name: str
    context: str
    exten: str


@dataclass(frozen=True, slots=True)
class ChannelStateChanged(PbxEvent):
    uniqueid: str
    channel: str
    state: str  # "Down", "Ring", "Ringing", "Up", "Busy"


@dataclass(frozen=True, slots=True)
class CallerIdChanged(PbxEvent):
    uniqueid: str
    caller_num: str
    caller_name: str


@dataclass(frozen=True, slots=True)
class VariableSet(PbxEvent):
    """Only our own variables (``HOTLINE_*``, ``IVR_*``) and a few Asterisk ones we
    need (``BRIDGERESULT``, ``MIXMONITOR_FILENAME``) are published; the rest is noise."""

    uniqueid: str
    channel: str
    variable: str
    value: str


@dataclass(frozen=True, slots=True)
class DialStarted(PbxEvent):
    uniqueid: str | None  # calling channel; None for an originated leg
    dest_uniqueid: str
    dest_channel: str
    dial_string: str


@dataclass(frozen=True, slots=True)
class DialEnded(PbxEvent):
    uniqueid: str | None
    dest_uniqueid: str
    dest_channel: str
    status: str  # ANSWER, BUSY, NOANSWER, CANCEL, CONGESTION, CHANUNAVAIL


@dataclass(frozen=True, slots=True)
class ChannelBridged(PbxEvent):
    uniqueid: str
    channel: str
    linkedid: str
    bridge_id: str


@dataclass(frozen=True, slots=True)
class ChannelUnbridged(PbxEvent):
    uniqueid: str
    channel: str
    bridge_id: str


@dataclass(frozen=True, slots=True)
class ChannelHungUp(PbxEvent):
    uniqueid: str
    channel: str
    linkedid: str
    cause: int
    cause_txt: str


@dataclass(frozen=True, slots=True)
class DtmfReceived(PbxEvent):
    uniqueid: str
    digit: str
    duration_ms: int


@dataclass(frozen=True, slots=True)
class HoldChanged(PbxEvent):
    uniqueid: str
    on_hold: bool


@dataclass(frozen=True, slots=True)
class MusicOnHoldChanged(PbxEvent):
    uniqueid: str
    playing: bool


@dataclass(frozen=True, slots=True)
class OriginateResult(PbxEvent):
    """The async result of an Originate (``OriginateResponse``).

    ``reason``: 4 answered, 3 no answer/no response within Timeout, 0 busy or hung up,
    5 busy (older versions), 8 congestion. ``uniqueid`` is the ChannelId we gave, or
    ``None`` when Asterisk reported ``<unknown>``.
    """

    action_id: str
    channel: str
    uniqueid: str | None
    success: bool
    reason: int


@dataclass(frozen=True, slots=True)
class TransferDone(PbxEvent):
    kind: str  # "blind" | "attended"
    transferer_uniqueid: str
    transferee_uniqueid: str
    target: str  # extension (blind) or target channel (attended)
    success: bool


@dataclass(frozen=True, slots=True)
class SpyChanged(PbxEvent):
    spyer_uniqueid: str
    spyee_uniqueid: str
    started: bool


@dataclass(frozen=True, slots=True)
class RecordingStarted(PbxEvent):
    uniqueid: str
    channel: str
    filename: str


@dataclass(frozen=True, slots=True)
class CdrRecorded(PbxEvent):
    """Asterisk finished a CDR (cdr_manager's ``Event: Cdr``, ami-13), field by field as
    sent, named like Master.csv's columns. Times are Asterisk's local
    ``YYYY-MM-DD HH:MM:SS`` (``answer`` empty when never answered); ``uniqueid`` is the
    CDR's party A channel. Cdr carries no Linkedid."""

    accountcode: str
    src: str
    dst: str
    dcontext: str
    clid: str
    channel: str
    dstchannel: str
    lastapp: str
    lastdata: str
    start: str
    answer: str
    end: str
    duration: str
    billsec: str
    disposition: str
    amaflags: str
    uniqueid: str
    userfield: str


# --- calls (the tracker's view) ------------------------------------------------------

@dataclass(frozen=True, slots=True)
class CallEnded(PbxEvent):
    """All legs of a tracked call are gone."""

    linkedid: str
    legs: tuple[str, ...]
    answered_at: float | None
    bridged_at: float | None
    hangup_cause: int
    call_id: str | None = None  # HOTLINE_CALL_ID when a leg carried it


@dataclass(frozen=True, slots=True)
class CallMerged(PbxEvent):
    """Two tracked calls became one: an originated agent leg (with its own linkedid)
    joined the caller's bridge and took the caller's linkedid (README ami-02a)."""

    linkedid: str  # the surviving call
    merged_linkedid: str  # the call that was folded into it
    uniqueid: str  # the leg whose linkedid changed
