"""Call and channel records and their bookkeeping: the state under :mod:`pbx.tracker`.

:class:`CallState` owns the four tables the tracker keeps (channels by uniqueid, calls by
linkedid and alias, bridge members) and the operations that change more than one of
them at once. :class:`pbx.tracker.CallTracker` subclasses it and adds one handler per AMI
event; the split is by responsibility only, so handlers call these methods directly (no
extra layer per event). Invariants:

* Every live channel is in ``channels`` and in the ``legs`` of exactly one call; that call
  is reachable in ``calls`` under its ``key`` and every one of its ``aliases``.
* When a leg reports another linkedid (``BridgeEnter``, a ConfBridge room, a resync) its
  whole call is folded into the call of that linkedid (:class:`CallMerged`); the old
  linkedid stays an alias, so later events naming it still resolve.
* A dialled channel hanging up with its dial open gets a synthesised ``DialEnded`` (a
  timed-out dial has no ``DialEnd``): the status Asterisk would have given for the cause.
* When the last leg of a call hangs up the call ends (:class:`CallEnded`) and the call,
  its aliases and emptied bridges are dropped, so memory stays flat over a day.
* On ``AmiDisconnected`` every channel is marked stale; on ``AmiResynced`` stale channels
  Asterisk no longer reports are ended and unknown ones are adopted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hotline.clock import Clock
from hotline.events import EventBus
from pbx.ami.codec import AmiMessage
from pbx.events import (
    AmiDisconnected,
    AmiResynced,
    CallEnded,
    CallMerged,
    ChannelHungUp,
    ChannelSnapshot,
    DialEnded,
    PbxEvent,
)

CALL_ID_VAR = "HOTLINE_CALL_ID"
# A dial that ended by hangup without DialEnd: the status Asterisk would have given.
_DIAL_STATUS_BY_CAUSE = {17: "BUSY", 19: "NOANSWER", 18: "NOANSWER", 21: "CHANUNAVAIL",
                         34: "CONGESTION", 20: "CHANUNAVAIL", 1: "CHANUNAVAIL"}


@dataclass(slots=True, eq=False)
class Call:
    key: str  # the linkedid the call was first seen with
    started_at: float
    legs: dict[str, Channel] = field(default_factory=dict)
    all_legs: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    call_id: str | None = None
    answered_at: float | None = None
    bridged_at: float | None = None
    cause: int | None = None  # of the root leg, else the first leg to hang up

    @property
    def ref(self) -> str:
        """Our id of the call: HOTLINE_CALL_ID when known, else the linkedid."""
        return self.call_id or self.key


@dataclass(slots=True, eq=False)
class Channel:
    uniqueid: str
    name: str
    linkedid: str
    call: Call
    state: str = "Down"
    caller_num: str = ""
    caller_name: str = ""
    bridge_id: str = ""
    dialing: bool = False  # DialBegin seen for this channel as destination, no DialEnd yet
    stale: bool = False
    variables: dict[str, str] = field(default_factory=dict)


class CallState:
    """Channels, calls (by linkedid and alias) and bridges; publishes what their changes mean.

    Pure apart from the bus; the clock is read only where an event carries no time.
    """

    def __init__(self, bus: EventBus, clock: Clock) -> None:
        self.bus = bus
        self.clock = clock
        self.channels: dict[str, Channel] = {}
        self.calls: dict[str, Call] = {}  # linkedid (and aliases) -> call
        self.bridges: dict[str, set[str]] = {}
        bus.subscribe(AmiDisconnected, self._on_disconnected)
        bus.subscribe(AmiResynced, self._on_resynced)

    # --- public -------------------------------------------------------------------

    def call_of(self, uniqueid: str) -> Call | None:
        ch = self.channels.get(uniqueid)
        return ch.call if ch is not None else None

    def call_ref(self, uniqueid: str | None, linkedid: str | None = None) -> tuple[str, str] | None:
        """``(call id, linkedid)`` of the call a channel (or linkedid) belongs to."""
        ch = self.channels.get(uniqueid) if uniqueid else None
        call = ch.call if ch is not None else (self.calls.get(linkedid) if linkedid else None)
        return (call.ref, call.key) if call is not None else None

    # --- helpers --------------------------------------------------------------------

    def _at(self, msg: AmiMessage) -> float:
        ts = msg.get("Timestamp")
        if ts:
            try:
                return float(ts)
            except ValueError:
                pass
        return self.clock.now()

    def _publish(self, event: PbxEvent) -> None:
        self.bus.publish(event)

    def _channel(self, msg: AmiMessage) -> Channel | None:
        ch = self.channels.get(msg.get("Uniqueid", ""))
        if ch is not None:
            ch.stale = False
        return ch

    # --- channels and calls ---------------------------------------------------------

    def _add(self, uid: str, name: str, linkedid: str, at: float) -> Channel:
        call = self.calls.get(linkedid)
        if call is None:
            call = self.calls[linkedid] = Call(key=linkedid, started_at=at)
        ch = Channel(uniqueid=uid, name=name, linkedid=linkedid, call=call)
        call.legs[uid] = ch
        call.all_legs.append(uid)
        self.channels[uid] = ch
        return ch

    def _regroup(self, ch: Channel, linkedid: str, at: float) -> None:
        """The channel now reports ``linkedid``: fold its call into that one."""
        ch.linkedid = linkedid
        source = ch.call
        target = self.calls.get(linkedid)
        if target is source:
            return
        if target is None:  # first sight of that linkedid (e.g. caller not adopted)
            self.calls[linkedid] = source
            source.aliases.append(linkedid)
            return
        for uid, leg in source.legs.items():
            leg.call = target
            target.legs[uid] = leg
        target.all_legs.extend(source.all_legs)
        for key in (source.key, *source.aliases):
            self.calls[key] = target
            target.aliases.append(key)
        target.call_id = target.call_id or source.call_id
        target.answered_at = _first(target.answered_at, source.answered_at)
        target.bridged_at = _first(target.bridged_at, source.bridged_at)
        self._publish(CallMerged(at=at, linkedid=target.key, merged_linkedid=source.key,
                                 uniqueid=ch.uniqueid))

    def _end_channel(self, ch: Channel, at: float, cause: int, cause_txt: str) -> None:
        if ch.dialing:
            ch.dialing = False
            status = _DIAL_STATUS_BY_CAUSE.get(cause, "CANCEL")
            self._publish(DialEnded(at=at, uniqueid=None, dest_uniqueid=ch.uniqueid,
                                    dest_channel=ch.name, status=status))
        self._publish(ChannelHungUp(at=at, uniqueid=ch.uniqueid, channel=ch.name,
                                    linkedid=ch.linkedid, cause=cause, cause_txt=cause_txt))
        del self.channels[ch.uniqueid]
        if ch.bridge_id:
            self._leave_bridge(ch)
        call = ch.call
        del call.legs[ch.uniqueid]
        if ch.uniqueid == call.key or call.cause is None:
            call.cause = cause
        if not call.legs:
            for key in (call.key, *call.aliases):
                if self.calls.get(key) is call:
                    del self.calls[key]
            self._publish(CallEnded(at=at, linkedid=call.key, legs=tuple(call.all_legs),
                                    answered_at=call.answered_at, bridged_at=call.bridged_at,
                                    hangup_cause=call.cause, call_id=call.call_id))

    # --- bridges --------------------------------------------------------------------

    def _leave_bridge(self, ch: Channel) -> None:
        members = self.bridges.get(ch.bridge_id)
        if members is not None:
            members.discard(ch.uniqueid)
            if not members:
                del self.bridges[ch.bridge_id]
        ch.bridge_id = ""

    def _join_conference(self, ch: Channel, members: set[str], at: float) -> None:
        """A ConfBridge room does not hand its Linkedid to who joins (only basic bridges
        do): a third party keeps its own. Fold it into the call already in the room (the
        oldest), so its hang-up is a leg of that call, not the end of a call of its own."""
        calls = [self.channels[u].call for u in members if u in self.channels]
        calls = [c for c in calls if c is not ch.call]
        if calls:
            target = min(calls, key=lambda c: c.started_at)
            self._regroup(ch, target.key, at)

    # --- resync ---------------------------------------------------------------------

    def adopt(self, snap: ChannelSnapshot) -> Channel:
        """Take over a live channel we have no record of (after a reconnect)."""
        ch = self.channels.get(snap.uniqueid)
        if ch is None:
            ch = self._add(snap.uniqueid, snap.channel, snap.linkedid or snap.uniqueid,
                           self.clock.now() - snap.duration_s)
        elif snap.linkedid and snap.linkedid != ch.linkedid:
            self._regroup(ch, snap.linkedid, self.clock.now())
        ch.stale = False
        ch.state = snap.state or ch.state
        ch.caller_num, ch.caller_name = snap.caller_num, snap.caller_name
        ch.variables.update(snap.variables)
        if snap.variables.get(CALL_ID_VAR):
            ch.call.call_id = snap.variables[CALL_ID_VAR]
        if ch.bridge_id != snap.bridge_id:
            if ch.bridge_id:
                self._leave_bridge(ch)
        if snap.bridge_id and not ch.bridge_id:
            ch.bridge_id = snap.bridge_id
            self.bridges.setdefault(snap.bridge_id, set()).add(ch.uniqueid)
        return ch

    def _on_disconnected(self, _event: AmiDisconnected) -> None:
        for ch in self.channels.values():
            ch.stale = True

    def _on_resynced(self, event: AmiResynced) -> None:
        live = {s.uniqueid for s in event.channels}
        for ch in [c for c in self.channels.values() if c.stale and c.uniqueid not in live]:
            self._end_channel(ch, event.at, 0, "gone while AMI was disconnected")
        for snap in event.channels:
            self.adopt(snap)


def _first(a: float | None, b: float | None) -> float | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)
