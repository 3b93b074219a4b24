"""The outbound side of ``Router.handle``: blended campaign calls in the same router.

A campaign's record to dial is a :class:`~acd.core.model.WaitingCall` with ``callback`` =
the number, in the campaign's queue; it is matched like any call, so **blending is the
router's ordinary choice**: an agent in an inbound queue and a campaign queue takes the
best waiting call of its highest membership tier first (give inbound queues the higher
``Membership.priority``: inbound first, outbound when inbound is quiet), and holds at
most one offer. The steps after the offer::

    Offer ─▶ reserved ─PreviewShown─▶ previewing ─(click) OfferRinging─▶ ringing
                      ─OfferRinging─▶ ringing ─CustomerDialing─▶ dialing
    dialing ─CustomerAnswered─▶ on_call ─CallEnded─▶ wrap_up
    dialing ─CustomerFailed─▶ ready (or the not-ready reason asked for meanwhile)
    previewing ─CustomerFailed (skip)─▶ ready

``CustomerDialing`` takes the call out of the router (the campaign decides retries); the
agent keeps ``call_id`` until the dial ends.
"""

from __future__ import annotations

from acd.core import inputs as ev
from acd.core.commands import Command, Rejection
from acd.core.lifecycle import AgentLifecycle
from acd.core.records import AgentRecord
from acd.core.states import State, Trigger


class OutboundSteps(AgentLifecycle):
    def _outbound_agent(self, call_id: str, agent_id: str, states: tuple[State, ...],
                        out: list[Command]) -> AgentRecord | None:
        rec = self.agents.get(agent_id)
        if rec is None or rec.call_id != call_id or rec.state not in states:
            where = "unknown" if rec is None else f"{rec.state.value} for {rec.call_id}"
            out.append(Rejection(self.now, call_id, f"Agent {agent_id} is not "
                                 f"{' or '.join(s.value for s in states)} for call {call_id} "
                                 f"(it is {where})."))
            return None
        return rec

    def _on_preview(self, e: ev.PreviewShown, out: list[Command]) -> None:
        rec = self._outbound_agent(e.call_id, e.agent_id, (State.RESERVED,), out)
        call = self.calls.get(e.call_id)
        if rec is None or call is None:
            return
        if self._move(rec, Trigger.PREVIEW, out, call_id=e.call_id):
            call.offer_token += 1  # no ring timer while the agent reads the record

    def _on_customer_dialing(self, e: ev.CustomerDialing, out: list[Command]) -> None:
        rec = self._outbound_agent(e.call_id, e.agent_id, (State.RESERVED, State.RINGING), out)
        if rec is None or not self._move(rec, Trigger.DIAL, out, call_id=e.call_id):
            return
        call = self.calls.pop(e.call_id, None)
        if call is not None:
            call.answered = True
            rec.wrap_queue = call.queue
        rec.call_id = e.call_id

    def _on_customer_answered(self, e: ev.CustomerAnswered, out: list[Command]) -> None:
        rec = self._outbound_agent(e.call_id, e.agent_id, (State.DIALING,), out)
        if rec is None or not self._move(rec, Trigger.ANSWER, out, call_id=e.call_id):
            return
        rec.call_id = e.call_id
        rec.calls_today += 1
        rec.answered_at = self.now

    def _on_customer_failed(self, e: ev.CustomerFailed, out: list[Command]) -> None:
        rec = self._outbound_agent(e.call_id, e.agent_id, (State.DIALING, State.PREVIEWING), out)
        if rec is None:
            return
        if rec.state is State.PREVIEWING:
            call = self.calls.get(e.call_id)
            if call is not None:
                self.line.remove(call)
                self.calls.pop(e.call_id, None)
        if rec.pending_reason is not None:
            reason, rec.pending_reason = rec.pending_reason, None
            self._move(rec, Trigger.OFFER_CANCELLED, out, index=False)
            self._move(rec, Trigger.NOT_READY, out, reason=reason)
            return
        self._become_ready(rec, Trigger.OFFER_CANCELLED, out)
