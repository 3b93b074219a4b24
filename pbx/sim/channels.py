"""Channels and bridges of the simulated Asterisk, and their AMI snapshots.

A channel snapshot is the block of fields every channel event carries, in Asterisk's
order (``Channel`` .. ``Linkedid``); prefixed forms (``Dest``, ``Spyer``, ...) are used
by Dial*, ChanSpy* and transfer events.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

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
    # the coroutine/timers driving this channel; cancelled when it hangs up
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)
    timers: list[asyncio.TimerHandle] = field(default_factory=list)
    # free-form links used by the flows (originate, dial peer, spyee...)
    links: dict[str, Any] = field(default_factory=dict)

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
