"""Campaign dials in flight across a backend restart.

Every leg of a campaign dial carries ``HOTLINE_OUTBOUND`` (:func:`acd.requests.outbound_tag`,
set at Originate: the customer leg ``hotline-custleg-<call>-<n>`` and the agent's leg
``hotline-agentleg-<call>-<n>``), so on each ``AmiResynced`` the dials no one in this
process knows are taken up again from Asterisk's channels (Asterisk kept them while no
backend ran; their Uniqueids are our ``ChannelId``s):

* **Talking** (a leg in a bridge): its ``answered`` was published at the bridge; left alone.
* **Predictive, answered** (the customer waits in ``hotline-outbound``; the old process
  wrote ``HOTLINE_ENQUEUED_AT`` = the answer time on it): back in the campaign's queue with
  that answer time and no second ENTERQUEUE, for the rest of its connect window, offered to
  the next free agent like any predictive answer. If the window closed while no backend ran
  it is an abandon at once, exactly as live: ABANDON row, ``OutboundDialEnded``
  ``abandoned`` with ``why`` ``restart`` and cause 16, hung up; no agent is rung. Answered
  but never queued (the answer came while no backend ran, so its time is unknown) counts
  from the channel's creation (CoreShowChannel ``Duration``): the earliest it can have been,
  so a window is never stretched. A ringing agent leg of such a customer is hung up (the
  router offers the customer again, on a leg numbered past it).
* **Predictive, ringing** (or in ``AMD()``): tracked again, so its ``OriginateResponse``,
  ``AMDSTATUS`` and ``Hangup`` (broadcast to every AMI session) end it as in the live path:
  answered it is queued with the full window, otherwise busy / no_answer / machine / failed
  with the leg's cause.
* **Agent first** (progressive, preview): the reserved agent came back not ready
  (``after_call_work``, :meth:`acd.service.restart.Restart.restore_agents`) and its leg is
  unknown to this process, so the dial is ended rather than connect a customer to no one:
  its legs are hung up (cause 16) and the result is ``failed`` (the customer had not
  answered; the campaign's retry rule for failed applies) or ``abandoned`` (the customer had
  answered), ``why`` ``restart``, cause 16 (None when no customer leg existed yet).
* **Predictive with only an agent leg** (the customer hung up while no backend ran): the
  customer was answered and got no agent: ``abandoned``, ``why`` ``restart``, cause None,
  and the ABANDON row that closes the ENTERQUEUE the earlier process logged (its wait
  counted from the offer, the agent leg's creation); the ringing agent is back ready.
* **AMD still listening** (predictive: answered, ``AMD()`` running, never queued): tracked
  again as above, its ``AMDSTATUS`` decides (HUMAN / NOTSURE: queued with the full window;
  MACHINE: the dialplan's choice, result ``machine``). Agent first, the dial is ended as
  above (answered: ``abandoned``; AMD had not ruled out a person).

The result of each dial is published once (``OutboundDialEnded``); the campaign runner
(``outbound.live``) logs it against the dial it resumed from the call-event log.
"""

from __future__ import annotations

import logging

from acd.events import OutboundDialEnded
from acd.requests import OutboundRequest, parse_outbound_tag
from acd.service.context import AcdContext
from acd.service.offers import LEG_PREFIX
from acd.service.outbound import Dial, OutboundCalls, ahead_call
from acd.service.queueing import parse_request
from pbx.ami.actions import Hangup
from pbx.events import AmiResynced, ChannelSnapshot

log = logging.getLogger("acd.service")

CUSTOMER_PREFIX = "hotline-custleg-"
TAG = "HOTLINE_OUTBOUND"


class OutboundRestart:
    """Re-adopts (or ends) the campaign dials an earlier process left in Asterisk."""

    def __init__(self, ctx: AcdContext, outbound: OutboundCalls) -> None:
        self.ctx = ctx
        self.outbound = outbound
        self.resynced = False
        # the dials taken up -> their end once published (a campaign loaded after the
        # resync asks for it: ``after_restart``)
        self.taken: dict[str, OutboundDialEnded | None] = {}

    def on_ended(self, ev: OutboundDialEnded) -> None:
        if ev.call_id in self.taken:
            self.taken[ev.call_id] = ev

    def after_restart(self, call_id: str) -> OutboundDialEnded | bool | None:
        """See :meth:`acd.ports.OutboundDialer.dial_after_restart`."""
        if call_id in self.taken:
            return self.taken[call_id] or True
        return False if self.resynced else None

    def on_resynced(self, ev: AmiResynced) -> int:
        """Returns how many dials were taken up (re-adopted or ended)."""
        dials: dict[str, tuple[OutboundRequest, list[ChannelSnapshot]]] = {}
        for snap in ev.channels:
            tag = snap.variables.get(TAG)
            if not tag:
                continue
            try:
                req = parse_outbound_tag(tag)
            except ValueError as exc:
                log.warning("channel %s: %s; left alone", snap.channel, exc)
                continue
            dials.setdefault(req.call_id, (req, []))[1].append(snap)
        taken = 0
        for call_id, (req, legs) in sorted(dials.items()):
            if (self.ctx.book.get(call_id) is not None
                    or any(s.uniqueid in self.outbound.dials for s in legs)
                    or any(s.bridge_id for s in legs)):
                continue  # ours already, or talking
            customer = next((s for s in legs if s.uniqueid.startswith(CUSTOMER_PREFIX)), None)
            agent_legs = [s for s in legs if s.uniqueid.startswith(LEG_PREFIX)]
            for s in agent_legs:
                self.ctx.send(Hangup(s.channel, cause=16), on_error=lambda _exc: None)
            self.taken[call_id] = None
            if req.predictive and customer is not None:
                self._predictive(req, customer, agent_legs)
            else:
                self._end(req, customer, agent_legs)
            taken += 1
        self.resynced = True
        if taken:
            log.info("took up %d campaign dial(s) in flight after AMI resync", taken)
        return taken

    def _predictive(self, req: OutboundRequest, snap: ChannelSnapshot,
                    agent_legs: list[ChannelSnapshot]) -> None:
        now = self.ctx.now()
        call = ahead_call(req, snap.uniqueid, snap.channel)
        # the next agent leg is numbered past the old ones (being hung up): its Uniqueid
        # must not be taken for theirs
        call.offers = max((_leg_number(s.uniqueid) for s in agent_legs), default=0)
        answered = snap.state == "Up"
        dial = Dial(call, snap.uniqueid, created=True, answered=answered, ahead=True)
        self.outbound.dials[dial.leg] = dial
        self.ctx.journal.note(call, "READOPT", now, channel=snap.channel)
        queued = "HOTLINE_REQUEST" in snap.variables  # the old process put it in line
        if queued:
            try:
                call.origposition = parse_request(snap.variables["HOTLINE_REQUEST"])[1]
            except (ValueError, TypeError):
                call.origposition = 1
        if not answered:
            return  # ringing: its OriginateResponse / Hangup end it
        if not queued and req.amd != "off" and snap.application == "AMD":
            return  # AMD() still listens: its AMDSTATUS decides (acd.service.outbound)
        if not queued and req.amd != "off" and snap.application != "Wait":
            dial.amd_status = "MACHINE"  # the dialplan leaves the message or hangs up
            return
        try:
            answered_at = float(snap.variables.get("HOTLINE_ENQUEUED_AT") or "")
        except ValueError:  # answered while no backend ran: the earliest it can have been
            answered_at = now - snap.duration_s
        self.outbound.hold(dial, min(answered_at, now), restarted=True, queued_before=queued)

    def _end(self, req: OutboundRequest, customer: ChannelSnapshot | None,
             agent_legs: list[ChannelSnapshot]) -> None:
        """A dial no agent of this process can take (its agent legs are hung up already)."""
        call = ahead_call(req, customer.uniqueid if customer is not None else "", "")
        if customer is None:
            result, cause = ("abandoned" if req.predictive else "failed"), None
            if req.predictive and agent_legs:
                # an agent leg exists only once the customer answered and was queued (the
                # earlier process logged its ENTERQUEUE): close that with the ABANDON row,
                # the wait counted from the offer (the answer time went with the customer)
                call.enqueued_at = self.ctx.now() - max(s.duration_s for s in agent_legs)
                self.outbound.lost_while_down(call, queued_before=True)
        else:
            self.ctx.send(Hangup(customer.channel, cause=16), on_error=lambda _exc: None)
            result, cause = ("abandoned" if customer.state == "Up" else "failed"), 16
        self.ctx.journal.note(call, "READOPT", self.ctx.now(), ended=result)
        self.outbound.publish(call, None, result, cause, None, "restart")


def _leg_number(uniqueid: str) -> int:
    """``hotline-agentleg-<call>-<n>`` -> n (0 if there is none)."""
    n = uniqueid.rpartition("-")[2]
    return int(n) if n.isdigit() else 0
