"""Bus subscriber writing the tracker's events to the call-event log (``call_events``).

One row per fact, ``call_id`` = ``HOTLINE_CALL_ID`` when the call carries it, else the
call's linkedid (the caller's, after an agent leg was folded in). Kinds:

=============  ==============================================  =====================
kind           from                                            data
=============  ==============================================  =====================
CHAN_START     ChannelCreated                                  channel, caller, context, exten
ANSWER         ChannelStateChanged to Up                       channel
DIAL           DialStarted (uniqueid = the dialled leg)        channel, dial_string, from
DIAL_END       DialEnded (also synthesised on a ring timeout)  channel, status
ORIGINATE      OriginateResult                                 action_id, channel, success, reason
BRIDGE         ChannelBridged                                  channel, bridge_id
UNBRIDGE       ChannelUnbridged                                channel, bridge_id
HOLD / UNHOLD  HoldChanged                                     —
VARSET         VariableSet (HOTLINE_*, IVR_*, ...)             variable, value
TRANSFER       TransferDone (uniqueid = the transferer)        kind, target, success
SPY_START/STOP SpyChanged (uniqueid = the spied channel)       spyer
RECORDING      RecordingStarted                                channel, filename
MERGE          CallMerged                                      merged_linkedid, leg
HANGUP         ChannelHungUp                                   channel, cause, cause_txt
CALL_END       CallEnded                                       legs, answered_at, bridged_at, cause
=============  ==============================================  =====================

Handlers run synchronously inside ``publish`` while the tracker still knows the
channel, so the call of a hung-up leg is still resolvable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hotline.eventlog import CallEventLog, LogRow
from hotline.events import EventBus
from pbx.events import (
    CallEnded,
    CallMerged,
    ChannelBridged,
    ChannelCreated,
    ChannelHungUp,
    ChannelStateChanged,
    ChannelUnbridged,
    DialEnded,
    DialStarted,
    HoldChanged,
    OriginateResult,
    RecordingStarted,
    SpyChanged,
    TransferDone,
    VariableSet,
)
from pbx.tracker import CallTracker


class CallLogWriter:
    def __init__(self, bus: EventBus, log: CallEventLog, tracker: CallTracker) -> None:
        self.log = log
        self.tracker = tracker
        self._unsubscribe: list[Callable[[], None]] = [
            bus.subscribe(ChannelCreated, self._created),
            bus.subscribe(ChannelStateChanged, self._state),
            bus.subscribe(DialStarted, self._dial),
            bus.subscribe(DialEnded, self._dial_end),
            bus.subscribe(OriginateResult, self._originate),
            bus.subscribe(ChannelBridged, self._bridged),
            bus.subscribe(ChannelUnbridged, self._unbridged),
            bus.subscribe(HoldChanged, self._hold),
            bus.subscribe(VariableSet, self._varset),
            bus.subscribe(TransferDone, self._transfer),
            bus.subscribe(SpyChanged, self._spy),
            bus.subscribe(RecordingStarted, self._recording),
            bus.subscribe(CallMerged, self._merged),
            bus.subscribe(ChannelHungUp, self._hungup),
            bus.subscribe(CallEnded, self._ended),
        ]

    def close(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()

    def _row(self, at: float, kind: str, uniqueid: str | None, data: dict[str, Any],
             linkedid: str | None = None) -> None:
        ref = self.tracker.call_ref(uniqueid, linkedid)
        if ref is not None:
            call_id, linkedid = ref
        else:
            call_id = linkedid or uniqueid or "unknown"
        self.log.append(LogRow(ts=at, call_id=call_id, kind=kind, uniqueid=uniqueid,
                               linkedid=linkedid, data=data))

    def _created(self, e: ChannelCreated) -> None:
        self._row(e.at, "CHAN_START", e.uniqueid,
                  {"channel": e.channel, "caller_num": e.caller_num, "caller_name": e.caller_name,
                   "context": e.context, "exten": e.exten}, e.linkedid)

    def _state(self, e: ChannelStateChanged) -> None:
        if e.state == "Up":
            self._row(e.at, "ANSWER", e.uniqueid, {"channel": e.channel})

    def _dial(self, e: DialStarted) -> None:
        self._row(e.at, "DIAL", e.dest_uniqueid,
                  {"channel": e.dest_channel, "dial_string": e.dial_string, "from": e.uniqueid})

    def _dial_end(self, e: DialEnded) -> None:
        self._row(e.at, "DIAL_END", e.dest_uniqueid, {"channel": e.dest_channel, "status": e.status})

    def _originate(self, e: OriginateResult) -> None:
        data = {"action_id": e.action_id, "channel": e.channel, "success": e.success,
                "reason": e.reason}
        if e.uniqueid is None:  # a failed leg without ChannelId: no call to attach it to
            self.log.append(LogRow(ts=e.at, call_id=f"originate:{e.action_id}"[:64],
                                   kind="ORIGINATE", data=data))
        else:
            self._row(e.at, "ORIGINATE", e.uniqueid, data)

    def _bridged(self, e: ChannelBridged) -> None:
        self._row(e.at, "BRIDGE", e.uniqueid, {"channel": e.channel, "bridge_id": e.bridge_id},
                  e.linkedid)

    def _unbridged(self, e: ChannelUnbridged) -> None:
        self._row(e.at, "UNBRIDGE", e.uniqueid, {"channel": e.channel, "bridge_id": e.bridge_id})

    def _hold(self, e: HoldChanged) -> None:
        self._row(e.at, "HOLD" if e.on_hold else "UNHOLD", e.uniqueid, {})

    def _varset(self, e: VariableSet) -> None:
        self._row(e.at, "VARSET", e.uniqueid, {"variable": e.variable, "value": e.value})

    def _transfer(self, e: TransferDone) -> None:
        self._row(e.at, "TRANSFER", e.transferer_uniqueid,
                  {"kind": e.kind, "target": e.target, "success": e.success,
                   "transferee": e.transferee_uniqueid})

    def _spy(self, e: SpyChanged) -> None:
        self._row(e.at, "SPY_START" if e.started else "SPY_STOP", e.spyee_uniqueid,
                  {"spyer": e.spyer_uniqueid})

    def _recording(self, e: RecordingStarted) -> None:
        self._row(e.at, "RECORDING", e.uniqueid, {"channel": e.channel, "filename": e.filename})

    def _merged(self, e: CallMerged) -> None:
        self._row(e.at, "MERGE", e.uniqueid, {"merged_linkedid": e.merged_linkedid}, e.linkedid)

    def _hungup(self, e: ChannelHungUp) -> None:
        self._row(e.at, "HANGUP", e.uniqueid,
                  {"channel": e.channel, "cause": e.cause, "cause_txt": e.cause_txt}, e.linkedid)

    def _ended(self, e: CallEnded) -> None:
        self.log.append(LogRow(ts=e.at, call_id=e.call_id or e.linkedid, kind="CALL_END",
                               linkedid=e.linkedid,
                               data={"legs": list(e.legs), "answered_at": e.answered_at,
                                     "bridged_at": e.bridged_at, "cause": e.hangup_cause}))
