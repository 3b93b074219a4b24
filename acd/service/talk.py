"""A connected call: who hung up, hold time, recording, and the end of the talk.

Who ended the call is taken from the bridge, not from the Hangup order: when the caller
hangs up, Asterisk hangs the agent leg up first in some runs (ami-02a), but the party
that hung up always leaves the bridge first (BridgeLeave).
"""

from __future__ import annotations

import logging

from acd.core import CallHeld, CallLeft, CallResumed
from acd.events import CallCompleted
from acd.service.callbacks import Callbacks
from acd.service.calls import LiveCall
from acd.service.conference import Conferences
from acd.service.context import AcdContext
from acd.service.offers import Offers
from acd.service.outbound import OutboundCalls
from acd.service.takes import Takes
from acd.service.transfers import Transfers
from pbx.ami.actions import Hangup
from pbx.events import ChannelHungUp, ChannelUnbridged, HoldChanged

log = logging.getLogger("acd.service")


class Talk:
    """Connected calls: hang-ups, hold, who left first, and the end of the talk."""

    def __init__(self, ctx: AcdContext, offers: Offers, callbacks: Callbacks, takes: Takes,
                 transfers: Transfers, conferences: Conferences, outbound: OutboundCalls) -> None:
        self.ctx = ctx
        self.outbound = outbound
        self.offers = offers
        self.callbacks = callbacks
        self.takes = takes
        self.transfers = transfers
        self.conferences = conferences

    def on_hangup(self, ev: ChannelHungUp) -> None:
        uid = ev.uniqueid
        caller = self.ctx.book.by_uniqueid.get(uid)
        if caller is not None:
            self._caller_gone(caller)
        call = self.ctx.book.by_leg.get(uid)
        if call is not None:
            self.ctx.book.forget_leg(uid)
            if call.customer_leg == uid:
                self._customer_leg_gone(call, ev.cause)
            elif call.leg == uid:
                if call.connected_at is not None and call.conference is not None:
                    if not self.conferences.goes_on(call, "agent"):
                        self.complete(call, call.first_leave or "agent")
                elif call.connected_at is not None and call.transferring == "attended":
                    self.transfers.attended_leg_gone(call)
                elif call.connected_at is not None and call.transferring == "blind":
                    pass  # accounted as a transfer by the transfer itself
                elif call.connected_at is not None:
                    if call.transferring == "hold" and call.channel:
                        # the agent hung up while the caller was parked in music on hold
                        self.ctx.send(Hangup(call.channel, cause=16), on_error=lambda _exc: None)
                    self.complete(call, call.first_leave or "agent")
                else:
                    self.offers.leg_gone(call, uid, ev.cause)

    def _customer_leg_gone(self, call: LiveCall, cause: int) -> None:
        if call.connected_at is not None and self.ctx.book.get(call.call_id) is call:
            self.complete(call, call.first_leave or "caller")
        elif call.connected_at is None and not self.outbound.customer_gone(call, cause):
            self.callbacks.customer_failed(call, cause)

    def _caller_gone(self, call: LiveCall) -> None:
        if self.ctx.book.by_uniqueid.get(call.uniqueid) is call:
            del self.ctx.book.by_uniqueid[call.uniqueid]
        if call.callback is not None and call.connected_at is None:
            return  # virtual hold: the caller hung up on purpose and keeps the place
        if call.taken is not None and call.connected_at is None:
            self.takes.take_abandoned(call)  # gone before the transfer target answered
            return
        if call.connected_at is not None:
            if self.conferences.goes_on(call, "caller"):
                return
            if call.transferring == "hold" and call.leg:
                # the caller hung up on hold: the agent is parked in hotline-agent,hold
                self.ctx.send(Hangup(call.leg, cause=16), on_error=lambda _exc: None)
            self.complete(call, call.first_leave or "caller")
            return
        call.caller_gone = True
        self.ctx.feed(CallLeft(self.ctx.now(), call.call_id, "abandon"))

    def on_unbridged(self, ev: ChannelUnbridged) -> None:
        call = self.ctx.book.by_uniqueid.get(ev.uniqueid)
        side = "caller"
        if call is None:
            call = self.ctx.book.by_leg.get(ev.uniqueid)
            side = "agent"
            if call is not None and call.customer_leg == ev.uniqueid:
                side = "caller"
        if call is None or call.connected_at is None or call.transferring:
            return
        if call.first_leave is None:
            call.first_leave = side

    def on_hold(self, ev: HoldChanged) -> None:
        call = self.ctx.book.by_uniqueid.get(ev.uniqueid) or self.ctx.book.by_leg.get(ev.uniqueid)
        if call is None or call.connected_at is None or call.agent is None:
            return
        self.set_hold(call, ev.on_hold)

    def set_hold(self, call: LiveCall, on_hold: bool) -> None:
        now = self.ctx.now()
        assert call.agent is not None
        if on_hold and call.hold_started is None:
            call.hold_started = now
            self.ctx.feed(CallHeld(now, call.agent))
        elif not on_hold and call.hold_started is not None:
            call.close_hold(now)
            self.ctx.feed(CallResumed(now, call.agent))

    def complete(self, call: LiveCall, by: str) -> None:
        """The talk is over (hang-up by ``by``): COMPLETE*, wrap-up for the agent."""
        if self.ctx.book.get(call.call_id) is not call or call.agent is None:
            return
        now = self.ctx.now()
        call.close_hold(now)
        self.ctx.journal.complete(call, now, by)
        self.ctx.today().talked(call.agent, call.talk_s(now))
        self.ctx.bus.publish(CallCompleted(at=now, call_id=call.call_id, queue=call.queue,
                                       agent=call.agent, talk_s=call.talk_s(now),
                                       hold_s=call.hold_s, by=by))
        self.ctx.finish_talk(call, by)

