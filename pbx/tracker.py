"""CallTracker: AMI events in, channels and calls out, typed events on the bus.

Pure apart from the bus: ``feed(AmiMessage)`` is synchronous, the clock is injected
(used only when an event lacks ``Timestamp``). Facts it relies on (README and
``../shared/asterisk/ami-*.txt``):

* A call is a group of channels sharing a ``Linkedid``. An originated agent leg starts
  with its own linkedid and takes the caller's at ``BridgeEnter``: its whole group is
  then folded into the caller's call (:class:`CallMerged`); later events still naming
  the old linkedid resolve through an alias.
* A channel entering a ConfBridge room (``BridgeCreator: ConfBridge``) keeps its own
  Linkedid; it is folded into the call already in the room all the same.
* A timed-out dial has no ``DialEnd``: when a dialled channel hangs up with its dial
  open, a ``DialEnded`` is synthesised from the cause (19 -> NOANSWER, 17 -> BUSY ...).
* The call ends (``CallEnded``) when its last leg hangs up; finished channels, calls,
  aliases and bridges are dropped so memory stays flat over a day.
* On ``AmiDisconnected`` every channel is marked stale; on ``AmiResynced`` stale
  channels Asterisk no longer reports are ended and unknown ones are adopted.
* Unknown events cost one dict lookup; ``VarSet`` (40 % of the stream) is published
  only for ``HOTLINE_*``, ``IVR_*``, ``BRIDGERESULT`` and ``MIXMONITOR_FILENAME``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from hotline.clock import Clock
from hotline.events import EventBus
from pbx.ami.codec import AmiMessage
from pbx.ami.parse import originate_result, snapshot
from pbx.events import (
    AmiDisconnected,
    AmiResynced,
    CallEnded,
    CallerIdChanged,
    CallMerged,
    ChannelBridged,
    ChannelCreated,
    ChannelHungUp,
    ChannelSnapshot,
    ChannelStateChanged,
    ChannelUnbridged,
    DialEnded,
    DialStarted,
    DtmfReceived,
    HoldChanged,
    MusicOnHoldChanged,
    PbxEvent,
    RecordingStarted,
    SpyChanged,
    TransferDone,
    VariableSet,
)

CALL_ID_VAR = "HOTLINE_CALL_ID"
_PUBLISHED_VARS = ("HOTLINE_", "IVR_", "BRIDGERESULT", "MIXMONITOR_FILENAME")
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


class CallTracker:
    def __init__(self, bus: EventBus, clock: Clock) -> None:
        self.bus = bus
        self.clock = clock
        self.channels: dict[str, Channel] = {}
        self.calls: dict[str, Call] = {}  # linkedid (and aliases) -> call
        self.bridges: dict[str, set[str]] = {}
        self._handlers: dict[str, Callable[[AmiMessage], None]] = {
            "Newchannel": self._newchannel, "Newstate": self._newstate,
            "NewCallerid": self._newcallerid, "VarSet": self._varset,
            "DialBegin": self._dialbegin, "DialEnd": self._dialend,
            "BridgeEnter": self._bridge_enter, "BridgeLeave": self._bridge_leave,
            "BridgeDestroy": self._bridge_destroy, "Hangup": self._hangup,
            "DTMFEnd": self._dtmf, "Hold": self._hold, "Unhold": self._hold,
            "MusicOnHoldStart": self._moh, "MusicOnHoldStop": self._moh,
            "OriginateResponse": self._originate_response,
            "BlindTransfer": self._blind_transfer, "AttendedTransfer": self._attended_transfer,
            "ChanSpyStart": self._spy, "ChanSpyStop": self._spy,
            "MixMonitorStart": self._mixmonitor, "Shutdown": self._shutdown,
            "CoreShowChannel": self._coreshowchannel,
        }
        bus.subscribe(AmiDisconnected, self._on_disconnected)
        bus.subscribe(AmiResynced, self._on_resynced)

    # --- public -------------------------------------------------------------------

    def feed(self, msg: AmiMessage) -> None:
        handler = self._handlers.get(msg.get("Event", ""))
        if handler is not None:
            handler(msg)

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

    def _leave_bridge(self, ch: Channel) -> None:
        members = self.bridges.get(ch.bridge_id)
        if members is not None:
            members.discard(ch.uniqueid)
            if not members:
                del self.bridges[ch.bridge_id]
        ch.bridge_id = ""

    # --- channel events -------------------------------------------------------------

    def _newchannel(self, m: AmiMessage) -> None:
        uid = m.get("Uniqueid", "")
        if not uid or uid in self.channels:
            return
        at = self._at(m)
        ch = self._add(uid, m.get("Channel", ""), m.get("Linkedid") or uid, at)
        ch.state = m.get("ChannelStateDesc", "Down")
        ch.caller_num = m.get("CallerIDNum", "")
        ch.caller_name = m.get("CallerIDName", "")
        self._publish(ChannelCreated(at=at, uniqueid=uid, linkedid=ch.linkedid, channel=ch.name,
                                     caller_num=ch.caller_num, caller_name=ch.caller_name,
                                     context=m.get("Context", ""), exten=m.get("Exten", "")))

    def _newstate(self, m: AmiMessage) -> None:
        ch = self._channel(m)
        if ch is None:
            return
        state = m.get("ChannelStateDesc", "")
        if state == ch.state:
            return
        ch.state = state
        at = self._at(m)
        if state == "Up" and ch.call.answered_at is None:
            ch.call.answered_at = at
        self._publish(ChannelStateChanged(at=at, uniqueid=ch.uniqueid, channel=ch.name, state=state))

    def _newcallerid(self, m: AmiMessage) -> None:
        ch = self._channel(m)
        if ch is None:
            return
        ch.caller_num = m.get("CallerIDNum", "")
        ch.caller_name = m.get("CallerIDName", "")
        self._publish(CallerIdChanged(at=self._at(m), uniqueid=ch.uniqueid,
                                      caller_num=ch.caller_num, caller_name=ch.caller_name))

    def _varset(self, m: AmiMessage) -> None:
        var = m.get("Variable", "")
        if not var.startswith(_PUBLISHED_VARS):
            return
        ch = self._channel(m)
        if ch is None:
            return
        value = m.get("Value", "")
        ch.variables[var] = value
        if var == CALL_ID_VAR and value:
            ch.call.call_id = value
        self._publish(VariableSet(at=self._at(m), uniqueid=ch.uniqueid, channel=ch.name,
                                  variable=var, value=value))

    def _dialbegin(self, m: AmiMessage) -> None:
        dest = self.channels.get(m.get("DestUniqueid", ""))
        if dest is not None:
            dest.dialing = True
        self._publish(DialStarted(at=self._at(m), uniqueid=m.get("Uniqueid"),
                                  dest_uniqueid=m.get("DestUniqueid", ""),
                                  dest_channel=m.get("DestChannel", ""),
                                  dial_string=m.get("DialString", "")))

    def _dialend(self, m: AmiMessage) -> None:
        dest = self.channels.get(m.get("DestUniqueid", ""))
        if dest is not None:
            dest.dialing = False
        self._publish(DialEnded(at=self._at(m), uniqueid=m.get("Uniqueid"),
                                dest_uniqueid=m.get("DestUniqueid", ""),
                                dest_channel=m.get("DestChannel", ""),
                                status=m.get("DialStatus", "")))

    def _bridge_enter(self, m: AmiMessage) -> None:
        ch = self._channel(m)
        if ch is None:
            return
        at = self._at(m)
        linkedid = m.get("Linkedid")
        if linkedid and linkedid != ch.linkedid:
            self._regroup(ch, linkedid, at)
        bid = m.get("BridgeUniqueid", "")
        if ch.bridge_id and ch.bridge_id != bid:
            self._leave_bridge(ch)
        ch.bridge_id = bid
        members = self.bridges.setdefault(bid, set())
        if m.get("BridgeCreator") == "ConfBridge":
            self._join_conference(ch, members, at)
        members.add(ch.uniqueid)
        if len(members) > 1 and ch.call.bridged_at is None:
            ch.call.bridged_at = at
        self._publish(ChannelBridged(at=at, uniqueid=ch.uniqueid, channel=ch.name,
                                     linkedid=ch.linkedid, bridge_id=bid))

    def _join_conference(self, ch: Channel, members: set[str], at: float) -> None:
        """A ConfBridge room does not hand its Linkedid to who joins (only basic bridges
        do): a third party keeps its own. Fold it into the call already in the room (the
        oldest), so its hang-up is a leg of that call, not the end of a call of its own."""
        calls = [self.channels[u].call for u in members if u in self.channels]
        calls = [c for c in calls if c is not ch.call]
        if calls:
            target = min(calls, key=lambda c: c.started_at)
            self._regroup(ch, target.key, at)

    def _bridge_leave(self, m: AmiMessage) -> None:
        ch = self._channel(m)
        if ch is None:
            return
        bid = m.get("BridgeUniqueid", "")
        if ch.bridge_id == bid:
            self._leave_bridge(ch)
        self._publish(ChannelUnbridged(at=self._at(m), uniqueid=ch.uniqueid, channel=ch.name,
                                       bridge_id=bid))

    def _bridge_destroy(self, m: AmiMessage) -> None:
        self.bridges.pop(m.get("BridgeUniqueid", ""), None)

    def _hangup(self, m: AmiMessage) -> None:
        ch = self._channel(m)
        if ch is None:
            return
        try:
            cause = int(m.get("Cause", "0"))
        except ValueError:
            cause = 0
        self._end_channel(ch, self._at(m), cause, m.get("Cause-txt", ""))

    def _dtmf(self, m: AmiMessage) -> None:
        ch = self._channel(m)
        if ch is None:
            return
        ms = m.get("DurationMs", "0")
        self._publish(DtmfReceived(at=self._at(m), uniqueid=ch.uniqueid, digit=m.get("Digit", ""),
                                   duration_ms=int(ms) if ms.isdigit() else 0))

    def _hold(self, m: AmiMessage) -> None:
        ch = self._channel(m)
        if ch is not None:
            self._publish(HoldChanged(at=self._at(m), uniqueid=ch.uniqueid,
                                      on_hold=m["Event"] == "Hold"))

    def _moh(self, m: AmiMessage) -> None:
        ch = self._channel(m)
        if ch is not None:
            self._publish(MusicOnHoldChanged(at=self._at(m), uniqueid=ch.uniqueid,
                                             playing=m["Event"] == "MusicOnHoldStart"))

    def _mixmonitor(self, m: AmiMessage) -> None:
        ch = self._channel(m)
        if ch is not None:
            self._publish(RecordingStarted(at=self._at(m), uniqueid=ch.uniqueid, channel=ch.name,
                                           filename=ch.variables.get("MIXMONITOR_FILENAME", "")))

    # --- events without a channel of their own ---------------------------------------

    def _originate_response(self, m: AmiMessage) -> None:
        self._publish(originate_result(m, self.clock.now()))

    def _blind_transfer(self, m: AmiMessage) -> None:
        self._publish(TransferDone(at=self._at(m), kind="blind",
                                   transferer_uniqueid=m.get("TransfererUniqueid", ""),
                                   transferee_uniqueid=m.get("TransfereeUniqueid", ""),
                                   target=m.get("Extension", ""),
                                   success=m.get("Result") == "Success"))

    def _attended_transfer(self, m: AmiMessage) -> None:
        target = m.get("TransferTargetChannel") or m.get("DestApp") or m.get("DestBridgeUniqueid", "")
        self._publish(TransferDone(at=self._at(m), kind="attended",
                                   transferer_uniqueid=m.get("OrigTransfererUniqueid", ""),
                                   transferee_uniqueid=m.get("TransfereeUniqueid", ""),
                                   target=target, success=m.get("Result") == "Success"))

    def _spy(self, m: AmiMessage) -> None:
        self._publish(SpyChanged(at=self._at(m), spyer_uniqueid=m.get("SpyerUniqueid", ""),
                                 spyee_uniqueid=m.get("SpyeeUniqueid", ""),
                                 started=m["Event"] == "ChanSpyStart"))

    def _shutdown(self, m: AmiMessage) -> None:
        """Asterisk stops: every channel is gone (numbering restarts afterwards)."""
        at = self._at(m)
        for ch in list(self.channels.values()):
            self._end_channel(ch, at, 0, "Asterisk shut down")
        self.bridges.clear()

    def _coreshowchannel(self, m: AmiMessage) -> None:
        self.adopt(snapshot(m, {}))

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
