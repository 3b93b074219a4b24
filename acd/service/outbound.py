"""Campaign dials through the router: agent first, then the customer, blended with inbound.

``dial_out(OutboundRequest)`` puts the record in the campaign's queue as a waiting call
with ``callback`` = the number, so the router picks the agent (blending: the agent's
membership tiers; one offer at a time). Then, as for a callback (README approach 3):

1. Offer: the agent is rung (``hotline-agent,hold``). A *preview* offer rings nothing: the
   record pops on the console (``CallOffered``), the agent is ``previewing``, and
   :meth:`OutboundCalls.dial_preview` (the agent's click) rings the agent.
2. The agent answers: ``CustomerDialing`` (agent ``dialing``), ``Originate
   PJSIP/<number>@trunk Context=hotline-outbound Exten=s`` with ``HOTLINE_AMD`` (the
   campaign's AMD choice) and ``ChannelId = hotline-custleg-<call>-<n>``.
3. ``OriginateResponse Success`` (Reason 4): with AMD off, AMI ``Bridge`` at once;
   otherwise the ``AMDSTATUS`` VarSet decides: HUMAN / NOTSURE -> Bridge; MACHINE -> the
   dialplan hangs up or leaves the message (the agent is released), or with ``agent`` it is
   bridged like a person. Bridged: ``CustomerAnswered`` (agent ``on_call``), CONNECT.
4. Failure: ``OriginateResponse Failure`` Reason 0 (busy 486, or hung up) / 3 (no answer,
   no SIP response), or a hang-up before the answer: the agent's leg is hung up and the
   agent is free (``CustomerFailed``, no RONA). The result is published once the
   customer leg's ``Hangup`` gave its cause (busy 17, no answer 19, ...), or at once when
   no channel was ever created.

Predictive dials (``OutboundRequest.predictive``) turn this around: the customer is
dialed at once, unbound (``Originate`` as in 2.). Answered by a person (AMD off, HUMAN or
NOTSURE; a MACHINE too with ``agent``) the customer's channel becomes a caller waiting in
the campaign's queue, and the router offers it like an inbound call (agent leg
``Application=Bridge``; blending and one offer per agent as for any call). If no agent has
been offered it ``connect_window_s`` after the answer, it is an **abandon** (``why``
``no_agent``): it leaves the queue (ABANDON row) and we hang it up (cause 16). An offer
that fails (the agent's phone fails or rings unanswered) puts it back in line for the next
free agent while the window lasts; failing after the window it is an abandon too (``why``
``agent_failed``; the same whether Asterisk's verdict or the router's ring timer comes
first: ``WaitingCall.offer_until``), and the failing agent goes not ready as after any
failed offer; an offer withdrawn after the window (the agent went not ready) is an abandon
with ``why`` ``no_agent``. A customer
hanging up while waiting is an abandon too (``customer_left``, with its cause).

Every dial's end is one :class:`acd.events.OutboundDialEnded` on the bus; the campaign
runner (``outbound.live``) logs it and decides the retry. Legs carry ``HOTLINE_OUTBOUND``:
a restarted backend takes the dials up again (:mod:`acd.service.outbound_restart`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, replace

from acd.core import (
    CallLeft,
    CustomerAnswered,
    CustomerDialing,
    CustomerFailed,
    OfferAccepted,
    PreviewShown,
    WaitingCall,
)
from acd.events import CallAbandoned, OutboundDialEnded, OutboundPreviewDialed
from acd.ports import ContactCenterError
from acd.requests import OutboundRequest, RoutingRequest, outbound_tag
from acd.service.calls import LiveCall
from acd.service.context import AcdContext
from acd.service.queueing import Queueing
from pbx.ami.actions import Bridge, Hangup, Originate, caller_id
from pbx.events import ChannelCreated, ChannelHungUp, OriginateResult, VariableSet

OUTBOUND_CONTEXT = "hotline-outbound"
# OriginateResponse Reason -> result (README "OriginateResponse": 0 busy or hung up,
# 3 no answer or no SIP response); a hang-up cause before the answer -> result.
_BY_REASON = {0: "busy", 3: "no_answer"}
_BY_CAUSE = {17: "busy", 19: "no_answer", 18: "no_answer"}


@dataclass(eq=False, slots=True)
class Dial:
    """The customer leg of one campaign dial."""

    call: LiveCall
    leg: str
    created: bool = False  # a Newchannel was seen: a Hangup with the cause will follow
    answered: bool = False  # OriginateResponse Success
    result: str | None = None  # decided, waiting for the cause
    amd_status: str | None = None
    done: bool = False
    ahead: bool = False  # predictive: dialed before any agent
    queued: bool = False  # predictive: answered, waiting in the queue for an agent
    deadline: float = 0.0  # predictive: the end of the connect window (clock time)


def ahead_call(req: OutboundRequest, leg: str, channel: str) -> LiveCall:
    """The call of a predictive dial whose customer leg is ``leg`` (its Uniqueid)."""
    routing = RoutingRequest(call_id=req.call_id, uniqueid=leg, channel=channel,
                             caller_num=req.number, caller_name=req.customer_name,
                             queue=req.queue, skills=req.skills,
                             customer_id=req.customer_id, enqueued_at=req.requested_at,
                             data={"campaign": req.campaign, "record": req.record,
                                   "mode": "predictive"})
    return LiveCall(request=routing, queue=req.queue, enqueued_at=req.requested_at, outbound=req)


class OutboundCalls:
    """Campaign dials from the router's offer to the end of the customer's leg."""

    def __init__(self, ctx: AcdContext, queueing: Queueing) -> None:
        self.ctx = ctx
        self.queueing = queueing
        self.dials: dict[str, Dial] = {}  # customer leg -> its dial
        self.agent_of: dict[str, str] = {}  # customer leg -> the agent released meanwhile

    # --- requests ----------------------------------------------------------------------

    def dial_out(self, req: OutboundRequest) -> None:
        """Raises ValueError (unknown queue, duplicate id) with the router's sentence."""
        if req.predictive:
            self._dial_ahead(req)
            return
        cfg = self.ctx.config.queue(req.queue)
        routing = RoutingRequest(call_id=req.call_id, uniqueid="", channel="",
                                 caller_num=req.number, caller_name=req.customer_name,
                                 queue=req.queue, skills=req.skills,
                                 customer_id=req.customer_id, enqueued_at=req.requested_at,
                                 data={"campaign": req.campaign, "record": req.record})
        call = LiveCall(request=routing, queue=req.queue, enqueued_at=req.requested_at,
                        callback=req.number, outbound=req)
        waiting = WaitingCall.from_request(routing, cfg).with_callback(req.number)
        self.queueing.arrive(call, waiting)

    def _dial_ahead(self, req: OutboundRequest) -> None:
        if self.ctx.config.queue(req.queue) is None:
            raise ValueError(f"Queue {req.queue} is not configured; a campaign dials into its queue.")
        leg = f"hotline-custleg-{req.call_id}-0"
        if self.ctx.book.get(req.call_id) is not None or leg in self.dials:
            raise ValueError(f"Call {req.call_id} is already dialed; dial a record once per id.")
        dial = self.dials[leg] = Dial(ahead_call(req, leg, ""), leg, ahead=True)
        self._originate(dial)

    def held(self, queue: str) -> int:
        """Answered predictive customers in ``queue`` no agent has been offered yet."""
        return sum(1 for d in self.dials.values()
                   if d.queued and d.call.queue == queue and d.call.agent is None)

    def show_preview(self, call: LiveCall, agent: str) -> None:
        self.ctx.feed(PreviewShown(self.ctx.now(), call.call_id, agent))

    def previewing(self, agent: str) -> LiveCall:
        call = next((c for c in self.ctx.book.by_id.values()
                     if c.outbound is not None and c.outbound.preview and c.agent == agent
                     and not c.previewed), None)
        if call is None:
            raise ContactCenterError(f"Agent {agent} has no outbound record on screen.")
        return call

    def dial_preview(self, agent: str, ring: Callable[[LiveCall], None]) -> None:
        """The agent clicked Dial on the previewed record: ring the agent, then the customer."""
        call = self.previewing(agent)
        call.previewed = True
        self.ctx.bus.publish(OutboundPreviewDialed(at=self.ctx.now(), call_id=call.call_id,
                                                   queue=call.queue, agent=agent))
        ring(call)

    def skip_preview(self, agent: str) -> None:
        call = self.previewing(agent)
        self._release(call, "skipped", None)

    # --- the agent answered: dial the customer ------------------------------------------

    def agent_answered(self, call: LiveCall) -> None:
        assert call.agent is not None and call.outbound is not None
        self.ctx.feed(CustomerDialing(self.ctx.now(), call.call_id, call.agent))
        self.ctx.book.by_agent[call.agent] = call
        leg = f"hotline-custleg-{call.call_id}-{call.offers}"
        call.customer_leg = leg
        self.ctx.book.add_leg(call, leg)
        self._originate(self.dials.setdefault(leg, Dial(call, leg)))

    def _originate(self, dial: Dial) -> None:
        call, leg = dial.call, dial.leg
        req = call.outbound
        assert req is not None
        variables = {"HOTLINE_CALL_ID": call.call_id, "HOTLINE_AMD": req.amd,
                     "HOTLINE_OUTBOUND": outbound_tag(req)}
        if req.amd == "message":
            variables["HOTLINE_AMD_MESSAGE"] = req.amd_message
        self.ctx.send(Originate(channel=self.ctx.config.customer_dial(req.number),
                                context=OUTBOUND_CONTEXT, exten="s",
                                timeout_ms=int(req.ring_s * 1000), channel_id=leg,
                                variables=variables,
                                caller_id=caller_id(req.campaign or call.queue, req.caller_id)),
                      on_error=lambda _exc: self._failed(dial, "failed", None))

    # --- pbx events about customer legs ---------------------------------------------------

    def on_created(self, ev: ChannelCreated) -> None:
        dial = self.dials.get(ev.uniqueid)
        if dial is not None:
            dial.created = True

    def on_originate(self, ev: OriginateResult) -> bool:
        """True if ``ev`` was a campaign dial's customer leg."""
        dial = self.dials.get(ev.uniqueid or "")
        if dial is None:
            return False
        if not ev.success:
            self._failed(dial, _BY_REASON.get(ev.reason, "failed"), None)
            return True
        dial.answered = True
        call = dial.call
        call.request = replace(call.request, channel=ev.channel, uniqueid=ev.uniqueid or "")
        assert call.outbound is not None
        if call.outbound.amd == "off":
            self._to_agent(dial)
        return True

    def _to_agent(self, dial: Dial) -> None:
        """A person is on the line: bridge the reserved agent, or (predictive) queue them."""
        if not dial.ahead:
            self._bridge(dial)
            return
        self.hold(dial, self.ctx.now())

    def hold(self, dial: Dial, answered_at: float, *, restarted: bool = False,
             queued_before: bool = False) -> None:
        """A predictive customer answered at ``answered_at`` waits in the queue for an agent
        until the connect window after the answer is over. ``restarted``: taken up after a
        restart (``acd.service.outbound_restart``): if the window closed while no backend
        ran it is an abandon at once (``why`` ``restart``) and no agent is rung for it.
        ``queued_before``: the earlier process logged its ENTERQUEUE (none is logged again)."""
        call, req, now = dial.call, dial.call.outbound, self.ctx.now()
        assert req is not None
        self.dials[dial.leg] = dial
        call.request = replace(call.request, enqueued_at=answered_at)
        call.enqueued_at = answered_at
        dial.queued = True
        dial.deadline = answered_at + req.connect_window_s
        if restarted and now >= dial.deadline:
            self.lost_while_down(call, queued_before=queued_before)
            self._hang_up_ahead(dial, "abandoned", "restart")
            return
        if queued_before:
            self.queueing.adopting.add(call.call_id)
        try:
            self.queueing.arrive(call, replace(WaitingCall.from_request(
                call.request, self.ctx.config.queue(call.queue)), offer_until=dial.deadline))
        except ValueError:
            dial.queued = False
            self._hang_up_ahead(dial, "failed", None)
            return
        finally:
            self.queueing.adopting.discard(call.call_id)
        asyncio.get_running_loop().call_later(
            (dial.deadline - now) / self.ctx.time_scale, self._window_over, dial)

    def lost_while_down(self, call: LiveCall, *, queued_before: bool) -> None:
        """A predictive customer answered at ``call.enqueued_at`` was lost while no backend
        ran: the queue rows as live (the ENTERQUEUE unless the earlier process logged it,
        then ABANDON), today's abandon and ``CallAbandoned``; the dial's end is the caller's."""
        now = self.ctx.now()
        waited = max(0.0, now - call.enqueued_at)
        if not queued_before:
            self.ctx.journal.enterqueue(call, call.enqueued_at, 1)
        self.ctx.journal.left(call, now, "abandon", 1)
        self.ctx.today().abandoned(call.queue, waited)
        self.ctx.bus.publish(CallAbandoned(at=now, call_id=call.call_id, queue=call.queue,
                                           waited_s=waited, position=1, while_ringing=None))

    def _window_over(self, dial: Dial) -> None:
        """The connect window after the answer is over: no agent offered is an abandon."""
        call = dial.call
        if dial.done or call.agent is not None or call.connected_at is not None:
            return
        if self.ctx.book.get(call.call_id) is call:
            self.ctx.feed(CallLeft(self.ctx.now(), call.call_id, "abandon"))  # ABANDON row
        self._hang_up_ahead(dial, "abandoned", "no_agent")

    def too_late(self, call: LiveCall) -> bool:
        """A predictive customer's offer failed (the agent's phone failed or was not
        answered: Asterisk's verdict or the router's ring timer, whichever came first).
        Within the connect window the router offers them to the next free agent; once it is
        over (True; the router sees the same from ``WaitingCall.offer_until``) the failing
        agent goes not ready as for any failed offer (RONA, busy, unreachable) and the
        customer leaves the queue (ABANDON row) instead of going back in line; then
        :meth:`abandon_late` hangs them up."""
        dial = self.dials.get(call.uniqueid)
        if dial is None or not dial.queued or dial.done:
            return False
        return self.ctx.now() >= dial.deadline  # else the window timer still runs

    def abandon_late(self, call: LiveCall, why: str) -> None:
        """Hang up the customer whose offer ended after the window: ``why`` ``agent_failed``
        (the agent's phone failed or rang unanswered) or ``no_agent`` (the offered agent
        went not ready or logged out meanwhile)."""
        dial = self.dials.get(call.uniqueid)
        if dial is not None and not dial.done:
            self._hang_up_ahead(dial, "abandoned", why)

    def _hang_up_ahead(self, dial: Dial, result: str, why: str | None) -> None:
        dial.done = True
        self.dials.pop(dial.leg, None)
        self.publish(dial.call, None, result, 16, dial.amd_status, why)
        if dial.call.channel:
            self.ctx.send(Hangup(dial.call.channel, cause=16), on_error=lambda _exc: None)

    def on_hangup(self, ev: ChannelHungUp) -> None:
        """A predictive customer leg hung up before an agent was bridged (before the
        ACD's own hang-up handling: a queued one then leaves the queue as an abandon)."""
        dial = self.dials.get(ev.uniqueid)
        if dial is None or not dial.ahead or dial.done:
            return
        if dial.queued:
            dial.done = True
            self.dials.pop(dial.leg, None)
            self.publish(dial.call, dial.call.agent, "abandoned", ev.cause, dial.amd_status,
                         "customer_left")
            return
        result = dial.result or ("machine" if dial.amd_status == "MACHINE"
                                 else "abandoned" if dial.answered
                                 else _BY_CAUSE.get(ev.cause, "failed"))
        dial.created = False
        self._failed(dial, result, ev.cause)

    def on_varset(self, ev: VariableSet) -> None:
        if ev.variable != "AMDSTATUS":
            return
        dial = self.dials.get(ev.uniqueid)
        if dial is None or dial.done or dial.result is not None:
            return
        dial.amd_status = ev.value
        assert dial.call.outbound is not None
        if ev.value == "MACHINE" and dial.call.outbound.amd != "agent":
            # hotline-outbound hangs up or plays the message itself; the agent is free now
            self._failed(dial, "machine", None)
        elif ev.value != "HANGUP":
            self._to_agent(dial)

    def customer_gone(self, call: LiveCall, cause: int) -> bool:
        """The customer leg hung up before the bridge. True if it was a campaign dial."""
        leg = call.customer_leg or ""
        dial = self.dials.get(leg)
        if dial is None:
            return False
        result = dial.result or ("machine" if dial.amd_status == "MACHINE"
                                 else "abandoned" if dial.answered
                                 else _BY_CAUSE.get(cause, "failed"))
        dial.created = False  # the cause is known now
        self._failed(dial, result, cause)
        return True

    def connected(self, call: LiveCall) -> None:
        """The customer and the agent are bridged."""
        assert call.agent is not None and call.outbound is not None
        if call.outbound.predictive:  # offered like an inbound call: the offer is accepted
            dial = self.dials.get(call.uniqueid)
            self.ctx.feed(OfferAccepted(self.ctx.now(), call.call_id, call.agent))
        else:
            dial = self.dials.get(call.customer_leg or "")
            self.ctx.feed(CustomerAnswered(self.ctx.now(), call.call_id, call.agent))
        result = "machine" if dial is not None and dial.amd_status == "MACHINE" else "answered"
        if dial is not None:
            dial.done = True
            self.dials.pop(dial.leg, None)
        # the talk is not over: its end (and hang-up cause) is the COMPLETE* row
        self.publish(call, call.agent, result, None, dial.amd_status if dial else None)

    # --- ends ------------------------------------------------------------------------------

    def _bridge(self, dial: Dial) -> None:
        call = dial.call
        if call.leg_channel is None or not call.channel:
            self._failed(dial, "failed", None)
            return
        self.ctx.send(Bridge(call.leg_channel, call.channel),
                      on_error=lambda _exc: self._failed(dial, "failed", None))

    def _failed(self, dial: Dial, result: str, cause: int | None) -> None:
        """The customer will not be bridged: free the agent now, publish the result once
        the leg's hang-up cause is known."""
        if dial.done:
            return
        if dial.result is None:
            dial.result = result
            self._release(dial.call, None, None)
        if dial.created and cause is None:
            return  # its Hangup follows with the cause (busy 17, no answer 19, ...)
        dial.done = True
        self.dials.pop(dial.leg, None)
        self.ctx.book.forget_leg(dial.leg)
        self.publish(dial.call, self.agent_of.pop(dial.leg, None), dial.result, cause,
                     dial.amd_status)

    def _release(self, call: LiveCall, publish: str | None, cause: int | None) -> None:
        """Hang up the agent's leg and free the agent (no RONA: not the agent's fault)."""
        agent = call.agent
        if agent is None or self.ctx.book.get(call.call_id) is not call:
            return
        if call.customer_leg:
            self.agent_of[call.customer_leg] = agent
        leg = call.leg
        call.agent = call.leg = None
        self.ctx.book.drop(call)
        if self.ctx.book.by_agent.get(agent) is call:
            del self.ctx.book.by_agent[agent]
        if leg:
            self.ctx.book.forget_leg(leg)
            self.ctx.send(Hangup(leg, cause=16), on_error=lambda _exc: None)
        self.ctx.feed(CustomerFailed(self.ctx.now(), call.call_id, agent))
        if publish is not None:
            self.publish(call, agent, publish, cause, None)

    def publish(self, call: LiveCall, agent: str | None, result: str, cause: int | None,
                amd_status: str | None, why: str | None = None) -> None:
        req = call.outbound
        assert req is not None
        self.ctx.bus.publish(OutboundDialEnded(
            at=self.ctx.now(), call_id=call.call_id, queue=call.queue, agent=agent,
            number=req.number, result=result, cause=cause, amd_status=amd_status, why=why))
