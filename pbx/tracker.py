"""CallTracker: AMI events in, channels and calls out, typed events on the bus.

Pure apart from the bus: ``feed(AmiMessage)`` is synchronous, the clock is injected
(used only when an event lacks ``Timestamp``). This module holds the event table and one
handler per AMI event; the records (:class:`Call`, :class:`Channel`) and the bookkeeping
they share (folding calls, ending legs, bridges, resync) live in :mod:`pbx.callstate`,
which :class:`CallTracker` subclasses. Facts it relies on (README and
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

from hotline.clock import Clock
from hotline.events import EventBus
from pbx.ami.codec import AmiMessage
from pbx.ami.parse import cdr_recorded, originate_result, snapshot
from pbx.callstate import CALL_ID_VAR, Call, CallState, Channel
from pbx.events import (
    CallerIdChanged,
    ChannelBridged,
    ChannelCreated,
    ChannelStateChanged,
    ChannelUnbridged,
    DialEnded,
    DialStarted,
    DtmfReceived,
    HoldChanged,
    MusicOnHoldChanged,
    RecordingStarted,
    SpyChanged,
    TransferDone,
    VariableSet,
)

__all__ = ["CALL_ID_VAR", "Call", "CallTracker", "Channel"]

_PUBLISHED_VARS = ("HOTLINE_", "IVR_", "BRIDGERESULT", "MIXMONITOR_FILENAME", "AMDSTATUS", "AMDCAUSE")


class CallTracker(CallState):
    """Turns AMI events into typed pbx events: one handler per event name in a table.

    ``feed`` costs one dict lookup for an event it does not handle; the bound handlers
    work directly on the inherited :class:`CallState` tables.
    """

    def __init__(self, bus: EventBus, clock: Clock) -> None:
        super().__init__(bus, clock)
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
            "CoreShowChannel": self._coreshowchannel, "Cdr": self._cdr,
        }

    # --- public -------------------------------------------------------------------

    def feed(self, msg: AmiMessage) -> None:
        handler = self._handlers.get(msg.get("Event", ""))
        if handler is not None:
            handler(msg)

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

    def _cdr(self, m: AmiMessage) -> None:
        """A finished CDR: passed on as is; it changes nothing the tracker knows."""
        self._publish(cdr_recorded(m, self.clock.now()))

    def _coreshowchannel(self, m: AmiMessage) -> None:
        self.adopt(snapshot(m, {}))
