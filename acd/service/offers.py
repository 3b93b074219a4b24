"""Agent first: ring the agent, and only on answer bridge the waiting caller.

On the router's ``Offer``: publish ``CallOffered`` (the console pops the screen before
the phone rings), then ``Originate`` the agent's endpoint with ``ChannelId =
hotline-agentleg-<call>-<n>`` (the leg's Uniqueid is known before any event, README
ami-06), ``Application=Bridge Data=<caller channel>,T`` (approach 1; ``T`` lets the agent
transfer), ``Timeout`` = the queue's ring timeout. Outcomes (README facts):

* BridgeEnter of the leg: the agent answered and the caller is bridged -> CONNECT; the
  caller's channel gets ``HOTLINE_AGENT`` (and ``HOTLINE_CALL_ID``) for the survey.
* OriginateResponse Failure Reason 3 (no answer / no SIP response; no DialEnd on
  timeout), Reason 0 (busy 486), a hang-up of the leg before the bridge, or the router's
  own ring timer -> RINGNOANSWER, the agent goes not ready, the caller keeps its place
  (a predictive customer past its connect window leaves as an abandon instead, whichever
  of the two verdicts comes first: :meth:`acd.service.outbound.OutboundCalls.too_late`).
* The caller hangs up while the agent rings: Asterisk does NOT cancel the agent leg, so
  we hang it up by its ChannelId (Cause 16) -> ABANDON.
* The agent answers into a vanished caller: ``BRIDGERESULT=NONEXISTENT`` on the leg.
"""

from __future__ import annotations

from acd.core import CallLeft, OfferAccepted, OfferFailed, OfferRinging
from acd.core.commands import CancelOffer, Offer
from acd.events import CallConnected, CallOffered, CallRingNoAnswer
from acd.requests import outbound_tag
from acd.service.callbacks import Callbacks
from acd.service.calls import LiveCall
from acd.service.context import AcdContext
from acd.service.outbound import OutboundCalls
from acd.service.recording import start_recording
from pbx.ami.actions import Hangup, Originate, Setvar, caller_id
from pbx.events import (
    ChannelBridged,
    ChannelCreated,
    ChannelStateChanged,
    OriginateResult,
    VariableSet,
)

LEG_PREFIX = "hotline-agentleg-"
RING_MARGIN_S = 0.5
# OriginateResponse Reason -> why the offer failed (README "OriginateResponse").
_BY_REASON = {0: "busy", 5: "busy", 8: "unreachable", 1: "unreachable"}
# Hangup cause of a leg that never answered -> why.
_BY_CAUSE = {17: "busy", 19: "rona", 18: "rona"}


def leg_id(call_id: str, n: int) -> str:
    return f"{LEG_PREFIX}{call_id}-{n}"


class Offers:
    """The offers: the agent legs being rung and what becomes of them."""

    def __init__(self, ctx: AcdContext, callbacks: Callbacks, outbound: OutboundCalls) -> None:
        self.ctx = ctx
        self.callbacks = callbacks
        self.outbound = outbound

    def on_offer(self, cmd: Offer) -> None:
        now = self.ctx.now()
        call = self.ctx.book.get(cmd.call_id)
        profile = self.ctx.config.agents.get(cmd.agent_id)
        if call is None or profile is None:
            missing = "call" if call is None else f"phone of agent {cmd.agent_id}"
            self.ctx.rejections.append(_note(now, cmd.call_id, f"no {missing} for the offer"))
            self.ctx.feed(OfferFailed(now, cmd.call_id, cmd.agent_id, "unreachable"))
            return
        call.offers += 1
        leg = leg_id(call.call_id, call.offers)
        call.agent, call.leg, call.leg_channel = cmd.agent_id, leg, None
        call.offered_at, call.ringing = now, False
        self.ctx.book.add_leg(call, leg)
        r = call.request
        self.ctx.bus.publish(CallOffered(
            at=now, call_id=call.call_id, queue=cmd.queue, agent=cmd.agent_id,
            caller_num=r.caller_num, caller_name=r.caller_name, customer_id=r.customer_id,
            skills=r.skills, ivr_path=r.ivr_path, waited_s=cmd.waited_s, reason=cmd.why))
        if call.outbound is not None and call.outbound.preview and not call.previewed:
            self.outbound.show_preview(call, cmd.agent_id)  # rung when the agent clicks Dial
            return
        self.ring(call, cmd.agent_id, cmd.ring_timeout_s)

    def ring(self, call: LiveCall, agent: str, ring_timeout_s: float) -> None:
        """Originate the agent's leg ``call.leg`` (set by the offer)."""
        assert call.leg is not None
        leg, r = call.leg, call.request
        endpoint = self.ctx.endpoint_of(agent)
        variables = {"HOTLINE_CALL_ID": call.call_id, "HOTLINE_AGENT": agent}
        if call.outbound is not None:  # a restarted backend ends the dial (acd.service.outbound_restart)
            variables["HOTLINE_OUTBOUND"] = outbound_tag(call.outbound)
        # Asterisk's verdict (no answer vs unreachable vs busy) should arrive before the
        # router's own ring timer, which stays as the backstop: ring slightly shorter.
        timeout_ms = max(1000, int((ring_timeout_s - RING_MARGIN_S) * 1000))
        if call.callback:
            originate = Originate(channel=endpoint, context="hotline-agent", exten="hold",
                                  timeout_ms=timeout_ms, channel_id=leg, variables=variables,
                                  caller_id=caller_id(r.caller_name or call.callback, call.callback))
        else:
            originate = Originate(channel=endpoint, application="Bridge", data=f"{call.channel},T",
                                  timeout_ms=timeout_ms, channel_id=leg, variables=variables,
                                  caller_id=caller_id(r.caller_name, r.caller_num))
        self.ctx.send(originate, on_error=lambda _exc: self.offer_failed(call, leg, "unreachable"))

    def offer_not_made(self, cmd: Offer, exc: Exception) -> None:
        """Executing ``cmd`` raised before its Originate was queued: the agent was never rung."""
        call = self.ctx.book.get(cmd.call_id)
        if call is not None and call.agent == cmd.agent_id and call.leg is not None:
            self.offer_failed(call, call.leg, "unreachable")
        elif self.ctx.router.agent(cmd.agent_id) is not None:
            self.ctx.feed(OfferFailed(self.ctx.now(), cmd.call_id, cmd.agent_id, "unreachable"))

    def on_cancel(self, cmd: CancelOffer) -> None:
        call = self.ctx.book.get(cmd.call_id)
        if call is None or call.leg is None or call.agent != cmd.agent_id:
            return
        leg = call.leg
        if cmd.why == "rona":  # the router's ring timer came before Asterisk's verdict
            self._log_rona(call, cmd.agent_id, "rona")
        call.agent = call.leg = None
        self.ctx.send(Hangup(leg, cause=16))
        if cmd.why != "caller_left" and self._late(call):  # the router lets it leave
            self.outbound.abandon_late(call, "agent_failed" if cmd.why == "rona" else "no_agent")

    def _log_rona(self, call: LiveCall, agent: str, why: str) -> None:
        now = self.ctx.now()
        self.ctx.journal.ringnoanswer(call, agent, now, why)
        self.ctx.bus.publish(CallRingNoAnswer(at=now, call_id=call.call_id, queue=call.queue,
                                          agent=agent, rang_s=max(0.0, now - call.offered_at)))

    def offer_failed(self, call: LiveCall, leg: str, why: str) -> None:
        """The leg ``leg`` will not connect; the first report wins, later ones are ignored."""
        if call.leg != leg or call.connected_at is not None or call.agent is None:
            return
        agent = call.agent
        self._log_rona(call, agent, why)
        call.agent = call.leg = None
        self.ctx.send(Hangup(leg, cause=16), on_error=lambda _exc: None)  # usually gone already
        # a predictive customer past its connect window is not offered again: an abandon
        late = self._late(call)
        self.ctx.feed(OfferFailed(self.ctx.now(), call.call_id, agent, why))
        if late:
            self.outbound.abandon_late(call, "agent_failed")

    def _late(self, call: LiveCall) -> bool:
        return (call.outbound is not None and call.outbound.predictive
                and self.outbound.too_late(call))

    # --- pbx events about agent legs ---------------------------------------------------

    def on_channel_created(self, ev: ChannelCreated) -> None:
        call = self.ctx.book.by_leg.get(ev.uniqueid)
        if call is not None and call.leg == ev.uniqueid:
            call.leg_channel = ev.channel

    def on_state(self, ev: ChannelStateChanged) -> None:
        call = self.ctx.book.by_leg.get(ev.uniqueid)
        if call is None or call.leg != ev.uniqueid or call.agent is None:
            return
        call.leg_channel = ev.channel
        if ev.state == "Ringing" and not call.ringing:
            call.ringing = True
            self.ctx.feed(OfferRinging(self.ctx.now(), call.call_id, call.agent))
        elif (ev.state == "Up" and call.outbound is not None and not call.outbound.predictive
              and call.customer_leg is None):
            self.outbound.agent_answered(call)
        elif ev.state == "Up" and call.callback and call.connected_at is None:
            self.callbacks.agent_answered(call)

    def on_originate(self, ev: OriginateResult) -> None:
        uid = ev.uniqueid or ""
        call = self.ctx.book.by_leg.get(uid)
        if call is None or ev.success:
            return
        if call.customer_leg == uid:
            self.callbacks.customer_failed(call, ev.reason)
            return
        why = _BY_REASON.get(ev.reason, "unreachable")
        if ev.reason == 3:
            why = "rona" if call.ringing else "unreachable"
        self.offer_failed(call, uid, why)

    def leg_gone(self, call: LiveCall, leg: str, cause: int) -> None:
        """An agent leg hung up before it was bridged."""
        if call.caller_gone:
            return
        why = _BY_CAUSE.get(cause, "unreachable")
        if why == "rona" and not call.ringing:
            why = "unreachable"
        self.offer_failed(call, leg, why)

    def on_bridged(self, ev: ChannelBridged) -> None:
        call = self.ctx.book.by_leg.get(ev.uniqueid)
        if call is None or call.leg != ev.uniqueid or call.connected_at is not None:
            return
        if call.agent is None:
            return
        now = self.ctx.now()
        call.leg_channel = ev.channel
        call.connected_at = now
        self.ctx.book.by_agent[call.agent] = call
        if call.outbound is not None:
            self.outbound.connected(call)
        elif call.callback is None:  # a callback's offer was accepted when the agent answered
            self.ctx.feed(OfferAccepted(now, call.call_id, call.agent))
        self.ctx.journal.connect(call, now)
        self.callbacks.note_done(call, "connected")  # a callback: nothing left to restore
        if call.channel:
            # The caller's channel outlives the agent leg: the post-call survey
            # (hotline-survey, AGI survey,agent=${HOTLINE_AGENT}) reads who took the call.
            self.ctx.send(Setvar("HOTLINE_AGENT", call.agent, channel=call.channel))
            self.ctx.send(Setvar("HOTLINE_CALL_ID", call.call_id, channel=call.channel))
        self.ctx.today().answered(call.queue, call.holdtime())
        self.ctx.bus.publish(CallConnected(at=now, call_id=call.call_id, queue=call.queue,
                                       agent=call.agent, waited_s=call.holdtime()))
        start_recording(self.ctx, call)

    def on_varset(self, ev: VariableSet) -> None:
        if ev.variable != "BRIDGERESULT" or ev.value != "NONEXISTENT":
            return
        call = self.ctx.book.by_leg.get(ev.uniqueid)
        if call is not None and call.leg == ev.uniqueid and call.connected_at is None:
            # The caller vanished without us seeing its hang-up (ami-06b).
            call.caller_gone = True
            self.ctx.feed(CallLeft(self.ctx.now(), call.call_id, "abandon"))


def _note(at: float, subject: str, reason: str):
    from acd.core.commands import Rejection

    return Rejection(at, subject, reason)
