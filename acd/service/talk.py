"""A connected call: who hung up, hold time, recording, and the end of the talk.

Who ended the call is taken from the bridge, not from the Hangup order: when the caller
hangs up, Asterisk hangs the agent leg up first in some runs (ami-02a), but the party
that hung up always leaves the bridge first (BridgeLeave).
"""

from __future__ import annotations

import logging

from acd.core import CallEnded, CallHeld, CallLeft, CallResumed
from acd.events import CallCompleted
from acd.ports import RecordingStart
from acd.service.calls import LiveCall
from acd.service.offers import Offers
from pbx.ami.actions import Hangup, MixMonitor
from pbx.events import ChannelHungUp, ChannelUnbridged, HoldChanged

log = logging.getLogger("acd.service")


class Talk(Offers):
    def _on_hangup(self, ev: ChannelHungUp) -> None:
        uid = ev.uniqueid
        caller = self.book.by_uniqueid.get(uid)
        if caller is not None:
            self._caller_gone(caller)
        call = self.book.by_leg.get(uid)
        if call is not None:
            self.book.forget_leg(uid)
            if call.customer_leg == uid:
                self._customer_leg_gone(call, ev.cause)
            elif call.leg == uid:
                if call.connected_at is not None and call.conference is not None:
                    if not self._conference_goes_on(call, "agent"):
                        self.complete(call, call.first_leave or "agent")
                elif call.connected_at is not None and call.transferring == "attended":
                    self._attended_leg_gone(call)
                elif call.connected_at is not None and call.transferring == "blind":
                    pass  # accounted as a transfer by the transfer itself
                elif call.connected_at is not None:
                    if call.transferring == "hold" and call.channel:
                        # the agent hung up while the caller was parked in music on hold
                        self.send(Hangup(call.channel, cause=16), on_error=lambda _exc: None)
                    self.complete(call, call.first_leave or "agent")
                else:
                    self._leg_gone(call, uid, ev.cause)

    def _attended_leg_gone(self, call: LiveCall) -> None:
        raise NotImplementedError

    def take_abandoned(self, call: LiveCall) -> None:
        raise NotImplementedError

    def _conference_goes_on(self, call: LiveCall, side: str) -> bool:
        raise NotImplementedError

    def _customer_leg_gone(self, call: LiveCall, cause: int) -> None:
        if call.connected_at is not None and self.book.get(call.call_id) is call:
            self.complete(call, call.first_leave or "caller")
        elif call.connected_at is None:
            self._callback_customer_failed(call, cause)

    def _caller_gone(self, call: LiveCall) -> None:
        if self.book.by_uniqueid.get(call.uniqueid) is call:
            del self.book.by_uniqueid[call.uniqueid]
        if call.callback is not None and call.connected_at is None:
            return  # virtual hold: the caller hung up on purpose and keeps the place
        if call.taken is not None and call.connected_at is None:
            self.take_abandoned(call)  # gone before the transfer target answered
            return
        if call.connected_at is not None:
            if self._conference_goes_on(call, "caller"):
                return
            if call.transferring == "hold" and call.leg:
                # the caller hung up on hold: the agent is parked in hotline-agent,hold
                self.send(Hangup(call.leg, cause=16), on_error=lambda _exc: None)
            self.complete(call, call.first_leave or "caller")
            return
        call.caller_gone = True
        self.feed(CallLeft(self.now(), call.call_id, "abandon"))

    def _on_unbridged(self, ev: ChannelUnbridged) -> None:
        call = self.book.by_uniqueid.get(ev.uniqueid)
        side = "caller"
        if call is None:
            call = self.book.by_leg.get(ev.uniqueid)
            side = "agent"
            if call is not None and call.customer_leg == ev.uniqueid:
                side = "caller"
        if call is None or call.connected_at is None or call.transferring:
            return
        if call.first_leave is None:
            call.first_leave = side

    def _on_hold(self, ev: HoldChanged) -> None:
        call = self.book.by_uniqueid.get(ev.uniqueid) or self.book.by_leg.get(ev.uniqueid)
        if call is None or call.connected_at is None or call.agent is None:
            return
        self.set_hold(call, ev.on_hold)

    def set_hold(self, call: LiveCall, on_hold: bool) -> None:
        now = self.now()
        assert call.agent is not None
        if on_hold and call.hold_started is None:
            call.hold_started = now
            self.feed(CallHeld(now, call.agent))
        elif not on_hold and call.hold_started is not None:
            call.close_hold(now)
            self.feed(CallResumed(now, call.agent))

    def complete(self, call: LiveCall, by: str) -> None:
        """The talk is over (hang-up by ``by``): COMPLETE*, wrap-up for the agent."""
        if self.book.get(call.call_id) is not call or call.agent is None:
            return
        now = self.now()
        call.close_hold(now)
        self.journal.complete(call, now, by)
        self.today().talked(call.agent, call.talk_s(now))
        self.bus.publish(CallCompleted(at=now, call_id=call.call_id, queue=call.queue,
                                       agent=call.agent, talk_s=call.talk_s(now),
                                       hold_s=call.hold_s, by=by))
        self.finish_talk(call, by)

    def finish_talk(self, call: LiveCall, by: str) -> None:
        """Forget the call and put its agent in wrap-up (``by``: caller/agent/transfer)."""
        agent = call.agent
        assert agent is not None
        self.book.drop(call)
        self.last_call[agent] = (call.call_id, call.queue)
        self.feed(CallEnded(self.now(), call.call_id, agent, by))

    # --- recording --------------------------------------------------------------------

    def start_recording(self, call: LiveCall) -> None:
        """MixMonitor on the caller's channel when the queue's policy says so."""
        if self.recorder is None or not call.channel:
            return
        policy = self.config.recording_for(call.queue)
        if policy.mode == "none":
            return
        if policy.mode == "percentage" and self.rng.random() * 100.0 >= policy.percent:
            return
        file = self.recorder.begin(RecordingStart(call.call_id, call.uniqueid, call.agent, call.queue,
                                                  self.now(), policy.mode))
        self.send(MixMonitor(channel=call.channel, file=file))
