"""Channels and bridges of the simulated Asterisk, and their AMI snapshots.

A channel snapshot is the block of fields every channel event carries, in Asterisk's
order (``Channel`` .. ``Linkedid``); prefixed forms (``Dest``, ``Spyer``, ...) are used
by Dial*, ChanSpy* and transfer events.

Each call-flow feature keeps its per-channel state in one typed field of
:class:`Channel`, written by one module only (named in the field's comment; others may
read it), and registers what it must do when the channel ends in :class:`HangupHooks`
when it attaches that state, so ending a channel (``dialplan.terminate``) needs to know
no feature.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from .config import CalleeScript, CallerScript

STATE_DESC = {0: "Down", 4: "Ring", 5: "Ringing", 6: "Up"}
DOWN, RING, RINGING, UP = 0, 4, 5, 6

CAUSE_TEXT = {
    0: "Unknown",
    16: "Normal Clearing",
    17: "User busy",
    19: "User alerting, no answer",
    21: "Call Rejected",
}
# SIP response behind a cause, reported as ``TechCause`` (ami-03, ami-04, ami-09).
TECH_CAUSE = {17: 486, 19: 480, 21: 403}

Fields = list[tuple[str, Any]]

# How a channel ends (dialplan.terminate): ``bye`` (the phone hung up), ``ami`` (Hangup
# action), ``restart`` (core restart), ``dialplan`` (the Hangup() application).
How = Literal["bye", "ami", "restart", "dialplan"]
Continuation = Callable[[], None]
# ``result(ok, reason, channel)``: the moment Asterisk sends ``OriginateResponse``.
OriginateResult = Callable[[bool, int, "Channel | None"], None]
HangupHook = Callable[[int, How], None]  # (cause, how)


@dataclass(eq=False)
class Bridge:
    uniqueid: str
    channels: list[Channel] = field(default_factory=list)
    technology: str = "simple_bridge"
    # a two-party bridge is "basic" with no creator; a ConfBridge conference is a "base"
    # bridge of technology softmix created by "ConfBridge" and named after the room
    type: str = "basic"
    creator: str = "<unknown>"
    name: str = "<unknown>"

    def fields(self, prefix: str = "Bridge", count: int | None = None) -> Fields:
        n = len(self.channels) if count is None else count
        return [
            (f"{prefix}Uniqueid", self.uniqueid),
            (f"{prefix}Type", self.type),
            (f"{prefix}Technology", self.technology),
            (f"{prefix}Creator", self.creator),
            (f"{prefix}Name", self.name),
            (f"{prefix}NumChannels", n),
            (f"{prefix}VideoSourceMode", "none"),
        ]


@dataclass(eq=False)
class HangupHooks:
    """What the features attached to a channel do when it ends, at the points of
    ``dialplan.terminate`` where Asterisk's events show them (ami-05/07c/08/09, README).
    A feature registers its hooks once, when it first attaches its state; a hook whose
    state is gone by then does nothing.

    ``takeover``: may take the hang-up over (returns True: an attended transfer
    completes instead); ``leaving``: once MusicOnHold is stopped, before the channel
    leaves a two-party bridge (a spy stops, a ringing Originate fails, a conference
    member leaves its room); ``unbridged``: after that (a Dial() still ringing is
    cancelled); ``gone``: after its Hangup, once off the channel table (the other Local
    half follows, spies are hung up, the recording is written); ``last``: after its
    device state and CDR (kicked conference guests hang up)."""

    takeover: list[Callable[[int, How], bool]] = field(default_factory=list)
    leaving: list[HangupHook] = field(default_factory=list)
    unbridged: list[HangupHook] = field(default_factory=list)
    gone: list[HangupHook] = field(default_factory=list)
    last: list[HangupHook] = field(default_factory=list)

    @staticmethod
    def run(hooks: list[HangupHook], cause: int, how: How) -> None:
        for hook in list(hooks):
            hook(cause, how)


@dataclass(eq=False)
class CallerState:
    """The scripted caller behind an inbound channel and its timers (dialplan.py)."""

    script: CallerScript | None = None
    patience: asyncio.TimerHandle | None = None     # gives up waiting in MusicOnHold
    moh_timeout: asyncio.TimerHandle | None = None  # MusicOnHold(default,600) runs out
    talk: asyncio.TimerHandle | None = None         # hangs up after talk_time_s
    held_once: bool = False                         # the scripted hold was armed


@dataclass(eq=False)
class DialState:
    """A dialplan ``Dial()`` (dial.py): ``dialing`` the leg still ringing, ``peer`` the
    leg that answered (the caller is in a Dial bridge), ``dialed_by`` on the dialled leg."""

    dialing: Channel | None = None
    peer: Channel | None = None
    dialed_by: Channel | None = None


@dataclass(eq=False)
class SpyState:
    """ChanSpy (spy.py): on the spy, whom it spies; on the spied channel, its spies."""

    spyee: Channel | None = None
    spyers: list[Channel] = field(default_factory=list)


@dataclass(eq=False)
class ConferenceState:
    """ConfBridge (confbridge.py): the room joined (None once left) and whether the
    user's profile is *marked* (caller and agent; guests are not)."""

    room: str | None = None
    marked: bool = False


@dataclass(eq=False)
class CdrState:
    """What the channel's CDRs need (cdr.py, see its module doc)."""

    app: tuple[str, str] = ("", "")          # last application and its data
    answered: float | None = None            # first Newstate Up
    bridged: tuple[float, str] | None = None  # when and with whom it was first bridged
    dialed: Channel | None = None            # the leg its own Dial() rang (party B)
    originated: bool = False                 # an AMI-originated agent leg


@dataclass(eq=False)
class LocalPair:
    """Two Local channel halves joined back to back (local.py). ``originated``: ``;1``
    was originated by AMI and runs the dialplan (02b), so the phone's channel moves over
    ``;1``; otherwise (an attended transfer's target, 07c) the channel beside ``;1``
    moves over ``;2``. ``locked``: no optimisation yet (a consultation in progress).
    ``on_teardown``: what the pair's owner does when one half hangs up, before the other
    half follows (a pending Originate fails)."""

    one: Channel
    two: Channel
    context: str
    exten: str
    originated: bool = False
    locked: bool = False
    gone: bool = False
    on_teardown: Continuation | None = None

    def other(self, ch: Channel) -> Channel:
        return self.two if ch is self.one else self.one


@dataclass(eq=False)
class Consultation:
    """An attended transfer in progress (atxfer.py), on the transferer."""

    transferer: Channel
    transferee: Channel
    orig: Bridge
    consult: Bridge
    pair: LocalPair
    transferer_after: Continuation | None  # the transferer's own after-bridge continuation


@dataclass(eq=False)
class Channel:
    """One live channel. ``app``/``app_data`` is the dialplan application it runs;
    ``role`` says who drives it (``caller``, ``agent``, ``spy``)."""

    name: str
    uniqueid: str
    linkedid: str
    device: str
    role: str
    created_at: float
    state: int = DOWN
    cid_num: str = ""
    cid_name: str = ""
    conn_num: str = "<unknown>"
    conn_name: str = "<unknown>"
    language: str = "en"
    context: str = ""
    exten: str = ""
    priority: int = 1
    dnid: str = ""
    app: str = ""
    app_data: str = ""
    vars: dict[str, str] = field(default_factory=dict)
    bridge: Bridge | None = None
    moh: bool = False
    held: bool = False
    alive: bool = True
    endpoint: str = ""
    mixmonitor: str | None = None
    mixmonitor_started: float = 0.0
    mixmonitor_legs: dict[str, str] = field(default_factory=dict)  # "r" / "t" -> leg file
    # the coroutine/timers driving this channel; cancelled when it hangs up
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)
    timers: list[asyncio.TimerHandle] = field(default_factory=list)
    hooks: HangupHooks = field(default_factory=HangupHooks)
    # what the channel's dialplan does when its bridge breaks: set by whoever bridges it,
    # taken (and run or dropped) by whoever takes it out of the bridge
    after_bridge: Continuation | None = None
    # per-feature state; the module in brackets writes it, see the classes above
    caller: CallerState = field(default_factory=CallerState)  # [dialplan]
    wait: asyncio.TimerHandle | None = None  # [agent_dialplan] Wait() of hotline-agent,hold
    originate: OriginateResult | None = None  # [originate] the OriginateResponse still due
    dial: DialState | None = None  # [dial]
    spy: SpyState | None = None  # [spy]
    conference: ConferenceState | None = None  # [confbridge]
    cdr: CdrState = field(default_factory=CdrState)  # [cdr]
    local: LocalPair | None = None  # [local]
    atxfer: Consultation | None = None  # [atxfer]
    callee: CalleeScript | None = None  # [callees] a dialed customer's script

    @property
    def state_desc(self) -> str:
        return STATE_DESC[self.state]

    def snapshot(self, prefix: str = "") -> Fields:
        return [
            (f"{prefix}Channel", self.name),
            (f"{prefix}ChannelState", self.state),
            (f"{prefix}ChannelStateDesc", self.state_desc),
            (f"{prefix}CallerIDNum", self.cid_num),
            (f"{prefix}CallerIDName", self.cid_name),
            (f"{prefix}ConnectedLineNum", self.conn_num),
            (f"{prefix}ConnectedLineName", self.conn_name),
            (f"{prefix}Language", self.language),
            (f"{prefix}AccountCode", ""),
            (f"{prefix}Context", self.context),
            (f"{prefix}Exten", self.exten),
            (f"{prefix}Priority", self.priority),
            (f"{prefix}Uniqueid", self.uniqueid),
            (f"{prefix}Linkedid", self.linkedid),
        ]

    def cancel_timers(self) -> None:
        for t in self.timers:
            t.cancel()
        self.timers.clear()

    def peer(self) -> Channel | None:
        """The other channel of a two-party bridge."""
        if self.bridge is None:
            return None
        others = [c for c in self.bridge.channels if c is not self]
        return others[0] if others else None


class IdAllocator:
    """Uniqueids ``<epoch>.<n>`` and channel suffixes ``-0000000N`` (hex), per boot."""

    def __init__(self) -> None:
        self.next_uid = 0
        self.next_chan = 0
        self.next_local = 0
        self.next_opt = 0

    def uniqueid(self, now: float) -> str:
        uid = f"{int(now)}.{self.next_uid}"
        self.next_uid += 1
        return uid

    def channel_suffix(self) -> str:
        suffix = f"{self.next_chan:08x}"
        self.next_chan += 1
        return suffix

    def local_suffix(self) -> str:
        suffix = f"{self.next_local:08x}"
        self.next_local += 1
        return suffix

    def optimization_id(self) -> int:
        """The ``Id`` of LocalOptimizationBegin/End: 0, 1, ... per boot."""
        n = self.next_opt
        self.next_opt += 1
        return n
