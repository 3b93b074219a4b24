"""Callback that keeps the place in line (virtual hold), and callback requests.

A waiting caller presses ``AcdConfig.callback_key``: the call becomes a callback to the
caller's number *in the same place in line*; the caller is sent to the callback context
(it confirms HOTLINE_CALLBACK_NUM and hangs up). When the turn comes the router reserves
an agent: the agent is rung first (parked in ``hotline-agent,hold`` on answer), then the
customer is called through the trunk, and on answer both are joined by the AMI Bridge
action (README approach 3). A customer who does not answer goes back in line, up to
``MAX_ATTEMPTS`` times.

Pending callbacks survive a backend restart: each one writes a ``CALLBACKPENDING`` row
(the request as JSON, the number, the attempts so far) to the call-event log, and a
``CALLBACKDONE`` row when it is over (connected, given up, or out of the queue);
:meth:`acd.service.restart.Restart.restore_callbacks` puts the pending ones back in line
at start-up, held back (listed and counted, not offered) until the first AMI resync.
"""

from __future__ import annotations

from dataclasses import replace

from acd.core import CallbackRequested, OfferAccepted, WaitingCall
from acd.core.commands import Rejection
from acd.requests import CallbackRequest, RoutingRequest
from acd.service.calls import LiveCall
from acd.service.context import AcdContext
from acd.service.queueing import Queueing, request_json
from pbx.ami.actions import Bridge, Hangup, Originate, Redirect, Setvar, caller_id
from pbx.events import DtmfReceived, OriginateResult

MAX_ATTEMPTS = 3
PENDING, DONE = "CALLBACKPENDING", "CALLBACKDONE"  # call-event kinds (restart safety)
CUSTOMER_RING_S = 30.0


class Callbacks:
    """Callbacks: virtual hold, IVR requests, and ringing agent then customer."""

    def __init__(self, ctx: AcdContext, queueing: Queueing) -> None:
        self.ctx = ctx
        self.queueing = queueing
        self.attempts: dict[str, int] = {}

    def on_dtmf(self, ev: DtmfReceived) -> None:
        call = self.ctx.book.by_uniqueid.get(ev.uniqueid)
        if (call is None or ev.digit != self.ctx.config.callback_key or call.callback is not None
                or call.connected_at is not None or call.leg is not None):
            return
        self.convert_to_callback(call, call.request.caller_num, keep_book=True)

    def convert_to_callback(self, call: LiveCall, number: str, *, keep_book: bool) -> None:
        """``keep_book``: the call is still in line (virtual hold); otherwise it left the
        queue (exit rule ``callback``) and comes back as a callback with its enqueue time."""
        now = self.ctx.now()
        if keep_book:
            out = self.ctx.feed(CallbackRequested(now, call.call_id, number))
            if any(isinstance(c, Rejection) for c in out):
                return
            call.callback = number
        else:
            call = LiveCall(request=call.request, queue=call.queue, enqueued_at=call.enqueued_at,
                            origposition=call.origposition, callback=number)
            waiting = WaitingCall.from_request(call.request, self.ctx.config.queue(call.queue))
            self.queueing.adopting.add(call.call_id)
            try:
                self.queueing.arrive(call, waiting.with_callback(number))
            finally:
                self.queueing.adopting.discard(call.call_id)
        self.ctx.journal.note(call, "CALLBACKREQ", now, number=number, keep_place=keep_book)
        self.note_pending(call)
        channel = call.request.channel
        if channel:
            self.ctx.send(Setvar("HOTLINE_CALLBACK_NUM", number, channel=channel))
            self.ctx.send(Redirect(channel, self.ctx.config.callback_context, "s"))

    def request_callback(self, request: CallbackRequest) -> None:
        """A callback asked for in the IVR (after hours, or instead of waiting)."""
        req = RoutingRequest(call_id=request.call_id, uniqueid="", channel="",
                             caller_num=request.number, caller_name="", queue=request.queue,
                             skills=request.skills, language=request.language,
                             priority=request.priority, customer_id=request.customer_id,
                             enqueued_at=request.requested_at)
        call = LiveCall(request=req, queue=req.queue, enqueued_at=request.requested_at,
                        callback=request.number)
        self.queueing.arrive(call, WaitingCall.from_callback(request, self.ctx.config.queue(request.queue)))
        self.note_pending(call)

    def note_pending(self, call: LiveCall) -> None:
        """The row a restarted backend re-adopts the callback from."""
        self.ctx.journal.note(call, PENDING, self.ctx.now(), number=call.callback,
                          request=request_json(call.request, call.origposition),
                          attempts=self.attempts.get(call.call_id, 0))

    def note_done(self, call: LiveCall, why: str) -> None:
        if call.callback is not None and call.outbound is None:
            self.attempts.pop(call.call_id, None)
            self.ctx.journal.note(call, DONE, self.ctx.now(), why=why)

    # --- when the turn comes ---------------------------------------------------------------

    def agent_answered(self, call: LiveCall) -> None:
        """The agent answered the callback offer: now call the customer."""
        assert call.agent is not None and call.callback is not None
        now = self.ctx.now()
        self.ctx.feed(OfferAccepted(now, call.call_id, call.agent))
        self.ctx.book.by_agent[call.agent] = call
        leg = f"hotline-custleg-{call.call_id}-{call.offers}"
        call.customer_leg = leg
        self.ctx.book.add_leg(call, leg)
        self.ctx.send(Originate(channel=self.ctx.config.customer_dial(call.callback), context="hotline-agent",
                            exten="hold", timeout_ms=int(CUSTOMER_RING_S * 1000), channel_id=leg,
                            variables={"HOTLINE_CALL_ID": call.call_id},
                            caller_id=caller_id(call.queue, call.callback)),
                  on_error=lambda _exc: self.customer_failed(call, 0))

    def on_customer_answered(self, ev: OriginateResult) -> None:
        call = self.ctx.book.by_leg.get(ev.uniqueid or "")
        if call is None or call.customer_leg != ev.uniqueid or not ev.success:
            return
        if call.leg_channel is None:
            return
        call.request = replace(call.request, channel=ev.channel, uniqueid=ev.uniqueid or "")
        self.ctx.send(Bridge(call.leg_channel, ev.channel))

    def customer_failed(self, call: LiveCall, reason: int) -> None:
        """The customer did not answer: the agent is released, the callback goes back in
        line with its original enqueue time (or is given up after MAX_ATTEMPTS)."""
        if call.connected_at is not None or self.ctx.book.get(call.call_id) is not call:
            return
        agent = call.agent
        if agent is None:
            return
        now = self.ctx.now()
        if call.leg:
            self.ctx.send(Hangup(call.leg, cause=16), on_error=lambda _exc: None)
        n = self.attempts[call.call_id] = self.attempts.get(call.call_id, 0) + 1
        self.ctx.journal.note(call, "CALLBACKFAIL", now, agent=agent, attempt=n, reason=reason)
        self.ctx.finish_talk(call, "agent")
        if n < MAX_ATTEMPTS and call.callback is not None:
            again = LiveCall(request=replace(call.request, channel="", uniqueid=""),
                             queue=call.queue, enqueued_at=call.enqueued_at,
                             origposition=call.origposition, callback=call.callback)
            self.callback_again(again)
            self.note_pending(again)
        else:
            self.note_done(call, "given_up")

    def callback_again(self, call: LiveCall, *, held_back: bool = False) -> None:
        """Back in line with its enqueue time and no second ENTERQUEUE (``held_back``:
        offered once released, :meth:`acd.service.restart.Restart.on_resynced`)."""
        assert call.callback is not None
        waiting = WaitingCall.from_request(call.request, self.ctx.config.queue(call.queue))
        self.queueing.adopting.add(call.call_id)
        try:
            self.queueing.arrive(call, waiting.with_callback(call.callback), held_back=held_back)
        finally:
            self.queueing.adopting.discard(call.call_id)
