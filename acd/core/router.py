"""The router: events in, commands out. Pure, synchronous, deterministic.

    router = Router([QueueConfig("sales", skills=("sales",))])
    router.handle(AgentLoggedIn(0.0, Agent("a1", {"sales": 7}, queues={"sales": Membership()})))
    router.handle(AgentReady(1.0, "a1"))
    router.handle(CallArrived(2.0, WaitingCall("c1", "sales", ("sales",), enqueued_at=2.0)))
    # -> [Queued(...), SetAgentState(a1 reserved), Offer(c1 -> a1, why=...)]

Matching is event-driven: a call looks for an agent when it arrives, relaxes or comes
back after a failed offer; an agent looks for a call when it becomes ready. Timers
(relaxation, max wait, announcements, ring timeout, wrap-up) fire at the first event whose
``at`` reaches them, so the service sends a :class:`Tick` at :meth:`Router.next_due`.

Invariants (checked by the property tests): a call is offered only to a ready member of
its queue that has every required skill at the current minimum proficiency and speaks
its language; an agent holds at most one offer; an agent on a call (offered,
transferred or conferenced in) is never offered another; a call that goes back in line (RONA,
agent not ready, logout) keeps its original enqueue time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from acd.core import inputs as ev
from acd.core.commands import (
    Announce,
    CancelOffer,
    Command,
    ExitQueue,
    MoveQueue,
    Offer,
    Queued,
    Rejection,
    Relaxed,
)
from acd.core.eligibility import Requirement
from acd.core.model import DEFAULT_REASONS, Exit, ExitTo, Policy, QueueConfig, WaitingCall
from acd.core.outbound import OutboundSteps
from acd.core.records import AgentRecord, CallRecord
from acd.core.states import State, Trigger
from acd.core.timers import Timer
from acd.core.views import RouterViews

_FAILED_REASON = {"rona": "RONA", "busy": "busy", "unreachable": "unreachable"}
_POLICY_WHY = {
    Policy.HIGHEST_PROFICIENCY: "highest proficiency for the call's skills, ties to the longest idle",
    Policy.LONGEST_IDLE: "longest idle eligible agent",
    Policy.LEAST_CALLS: "fewest calls today among eligible agents",
    Policy.ROUND_ROBIN: "next eligible agent in round robin",
}


class Router(OutboundSteps, RouterViews):
    """Matches waiting calls to ready agents. Pure: no I/O, no clock reads."""

    def __init__(self, queues: Iterable[QueueConfig] = (),
                 reasons: Iterable[str] = DEFAULT_REASONS, *, start: float = 0.0) -> None:
        super().__init__(start, reasons)
        for cfg in queues:
            self.set_queue(cfg)
        self._dispatch: dict[type, Callable[[Any, list[Command]], None]] = {
            ev.AgentLoggedIn: self._on_login, ev.AgentLoggedOut: self._on_logout,
            ev.AgentReady: self._on_ready, ev.AgentNotReady: self._on_not_ready,
            ev.CallArrived: self._on_arrived, ev.CallReleased: self._on_released,
            ev.CallLeft: self._on_left,
            ev.CallbackRequested: self._on_callback, ev.OfferRinging: self._on_ringing,
            ev.OfferAccepted: self._on_accepted, ev.OfferFailed: self._on_failed,
            ev.CallHeld: self._on_held, ev.CallResumed: self._on_resumed,
            ev.CallEnded: self._on_ended, ev.WrapUpDone: self._on_wrap_done,
            ev.WrapUpExtend: self._on_wrap_extend, ev.Tick: lambda e, out: None,
            ev.ResetDailyCounters: self._on_reset, ev.AgentTookCall: self._on_took,
            ev.TransferRinging: self._on_transfer_ringing, ev.TransferGone: self._on_transfer_gone,
            ev.PreviewShown: self._on_preview, ev.CustomerDialing: self._on_customer_dialing,
            ev.CustomerAnswered: self._on_customer_answered,
            ev.CustomerFailed: self._on_customer_failed,
        }

    def set_queue(self, cfg: QueueConfig) -> None:
        """Add or replace a queue's configuration; applies to calls from their next step."""
        self.queues[cfg.name] = cfg
        self._aht.setdefault(cfg.name, cfg.default_aht_s)

    def handle(self, event: ev.RouterEvent) -> list[Command]:
        """Apply one event; return the commands to execute, in order."""
        out: list[Command] = []
        timers = self.timers
        while (due := timers.pop_due(event.at)) is not None:
            if due[0] > self.now:
                self.now = due[0]  # a timer acts at its own time, before the event
            self._fire(due[2], due[3], due[4], due[0], out)
        if event.at > self.now:
            self.now = event.at
        handler = self._dispatch.get(type(event))
        if handler is None:
            out.append(Rejection(self.now, type(event).__name__,
                                 f"The router does not handle {type(event).__name__} events."))
        else:
            handler(event, out)
        return out

    def next_due(self) -> float | None:
        """When the next timer fires: send a ``Tick`` then."""
        return self.timers.next_due()

    # -- calls -----------------------------------------------------------------------

    def _on_arrived(self, e: ev.CallArrived, out: list[Command]) -> None:
        self._enter(e.call, out, hops=0, held_back=e.held_back)

    def _on_released(self, e: ev.CallReleased, out: list[Command]) -> None:
        rec = self.calls.get(e.call_id)
        if rec is None or not rec.held_back:
            out.append(Rejection(self.now, e.call_id, f"Call {e.call_id} is not held back; "
                                 "only a call that arrived held back can be released."))
            return
        rec.held_back = False
        if rec.seq:  # in line: into its class heap, at the place it already had
            self.line.remove(rec)
            self.line.push(rec)
            self._offer_for_call(rec, out)

    def _enter(self, call: WaitingCall, out: list[Command], hops: int,
               held_back: bool = False) -> None:
        cfg = self.queues.get(call.queue)
        if cfg is None:
            out.append(Rejection(self.now, call.id, f"Unknown queue {call.queue!r} for call "
                                 f"{call.id}: configure the queue or route the call to an existing one."))
            return
        if call.id in self.calls:
            out.append(Rejection(self.now, call.id, f"Call {call.id} is already known to the router."))
            return
        waited = self.now - call.enqueued_at
        if cfg.on_empty is not None and self.logged_in.get(cfg.name, 0) == 0:
            self._exit_new(call, cfg.on_empty, "empty", waited, out, hops, held_back)
            return
        if cfg.max_waiting is not None and self.line.count(cfg.name) >= cfg.max_waiting:
            self._exit_new(call, cfg.on_full, "full", waited, out, hops, held_back)
            return
        rec = CallRecord(call, self.now)
        rec.held_back = held_back
        self.calls[call.id] = rec
        self._start_queue_timers(rec, cfg)
        self.line.push(rec)
        pos = self.line.position(rec)
        out.append(Queued(self.now, call.id, cfg.name, pos, self.estimated_wait(cfg.name, pos)))
        self._offer_for_call(rec, out)

    def _exit_new(self, call: WaitingCall, rule: Exit, why: str, waited: float,
                  out: list[Command], hops: int, held_back: bool = False) -> None:
        if rule.to is ExitTo.OVERFLOW and hops < len(self.queues):
            out.append(MoveQueue(self.now, call.id, call.queue, rule.queue, why))
            target = self.queues.get(rule.queue)
            req = Requirement.of_queue(target, call.language) if target else Requirement.of(call)
            moved = WaitingCall(call.id, rule.queue, req.alternatives[0], req.min_proficiency,
                                call.language, call.priority, call.enqueued_at, call.callback,
                                call.caller_name, call.offer_until)
            self._enter(moved, out, hops + 1, held_back)
            return
        out.append(ExitQueue(self.now, call.id, call.queue, why, rule.label, waited, 0))

    def _start_queue_timers(self, rec: CallRecord, cfg: QueueConfig) -> None:
        cid, token, t0 = rec.call.id, rec.token, rec.entered_at
        if cfg.relaxations:
            self.timers.schedule(t0 + cfg.relaxations[rec.steps].after_s, Timer.RELAX, cid, token)
        if cfg.max_wait_s is not None:
            self.timers.schedule(t0 + cfg.max_wait_s, Timer.MAX_WAIT, cid, token)
        if cfg.announce_every_s:
            self.timers.schedule(t0 + cfg.announce_every_s, Timer.ANNOUNCE, cid, token)

    def _on_left(self, e: ev.CallLeft, out: list[Command]) -> None:
        rec = self.calls.get(e.call_id)
        if rec is None:
            out.append(Rejection(self.now, e.call_id, f"Call {e.call_id} is not waiting."))
            return
        self._leave(rec, e.why, out)
        if rec.agent is not None:
            agent = self.agents[rec.agent]
            out.append(CancelOffer(self.now, rec.call.id, agent.agent.id, "caller_left"))
            # The agent did nothing wrong: back to ready with the idle time it had.
            self._become_ready(agent, Trigger.OFFER_CANCELLED, out, idle_since=agent.idle_since)

    def _on_callback(self, e: ev.CallbackRequested, out: list[Command]) -> None:
        rec = self.calls.get(e.call_id)
        if rec is None or rec.agent is not None:
            state = "not waiting" if rec is None else f"already being offered to agent {rec.agent}"
            out.append(Rejection(self.now, e.call_id, f"Call {e.call_id} is {state}; "
                                 "the callback request was not recorded."))
            return
        rec.callback = e.number  # same heap entry: the place in line is kept

    def _leave(self, rec: CallRecord, why: str, out: list[Command]) -> None:
        position = self.line.position(rec) if rec.seq else 1
        self._drop(rec)
        out.append(ExitQueue(self.now, rec.call.id, rec.queue, why, "",
                             self.now - rec.call.enqueued_at, position))

    def _drop(self, rec: CallRecord) -> None:
        self.line.remove(rec)
        self.calls.pop(rec.call.id, None)

    def _back_in_line(self, rec: CallRecord, out: list[Command]) -> None:
        """An offer did not connect: the call goes back to its original place (past its
        ``offer_until`` it leaves as an abandon instead)."""
        rec.agent = None
        rec.offer_token += 1
        if self._past_window(rec):  # not offered again: it leaves as an abandon
            self._leave(rec, "abandon", out)
            return
        if rec.expired:
            self._timeout(rec, out)
            return
        self.line.push(rec)
        self._offer_for_call(rec, out)

    # -- offers ----------------------------------------------------------------------

    def _offer_for_call(self, rec: CallRecord, out: list[Command]) -> None:
        if rec.held_back:
            return
        cfg = self.queues[rec.queue]
        found = self.ready.best(rec.queue, rec.req, cfg.policy)
        if found is None:
            return
        agent, level = found
        why = (f"{_POLICY_WHY[cfg.policy]}: agent {agent.agent.id} "
               f"(proficiency {level} for {rec.req.describe()}, idle {self.now - agent.idle_since:.0f} s)")
        self._offer(rec, agent, why, out)

    def _offer_to_agent(self, agent: AgentRecord, out: list[Command]) -> None:
        found = self.line.best_for(agent, self.now)
        if found is not None:
            rec, why = found
            self._offer(rec, agent, f"agent {agent.agent.id} became available; {why}", out)

    def _offer(self, rec: CallRecord, agent: AgentRecord, why: str, out: list[Command]) -> None:
        cid = rec.call.id
        self.line.remove(rec)
        rec.agent = agent.agent.id
        rec.offer_token += 1
        self._offers += 1
        agent.last_offer[rec.queue] = self._offers
        self._move(agent, Trigger.OFFER, out, call_id=cid)
        agent.call_id = cid
        cfg = self.queues[rec.queue]
        out.append(Offer(self.now, cid, agent.agent.id, rec.queue, why,
                         self.now - rec.call.enqueued_at, cfg.ring_timeout_s, rec.callback))
        self.timers.schedule(self.now + cfg.ring_timeout_s, Timer.RING, cid, rec.offer_token)

    def _offered(self, call_id: str, agent_id: str, out: list[Command]
                 ) -> tuple[CallRecord, AgentRecord] | None:
        rec = self.calls.get(call_id)
        if rec is None or rec.agent != agent_id:
            out.append(Rejection(self.now, call_id,
                                 f"Call {call_id} is not being offered to agent {agent_id}."))
            return None
        return rec, self.agents[agent_id]

    def _on_ringing(self, e: ev.OfferRinging, out: list[Command]) -> None:
        found = self._offered(e.call_id, e.agent_id, out)
        if found is not None:
            self._move(found[1], Trigger.RING, out, call_id=e.call_id)

    def _on_accepted(self, e: ev.OfferAccepted, out: list[Command]) -> None:
        found = self._offered(e.call_id, e.agent_id, out)
        if found is None:
            return
        rec, agent = found
        if self._move(agent, Trigger.ANSWER, out, call_id=e.call_id):
            self.calls.pop(e.call_id, None)
            rec.answered = True
            agent.calls_today += 1
            agent.answered_at = self.now
            agent.wrap_queue = rec.queue

    def _on_failed(self, e: ev.OfferFailed, out: list[Command]) -> None:
        found = self._offered(e.call_id, e.agent_id, out)
        if found is not None:
            self._fail_offer(found[0], found[1], e.why, out)

    def _past_window(self, rec: CallRecord) -> bool:
        until = rec.call.offer_until
        return until is not None and self.now >= until

    def _fail_offer(self, rec: CallRecord, agent: AgentRecord, why: str,
                    out: list[Command]) -> None:
        reason = _FAILED_REASON.get(why, "unreachable")
        if not self._move(agent, Trigger.OFFER_FAILED, out, reason=reason, call_id=rec.call.id):
            return
        self._back_in_line(rec, out)

    def _withdraw_offer(self, call_id: str | None, agent_id: str, why: str,
                        out: list[Command]) -> None:
        """The offered agent went away (not ready, logout): the caller keeps the place."""
        rec = self.calls.get(call_id or "")
        if rec is not None and rec.agent == agent_id:
            out.append(CancelOffer(self.now, rec.call.id, agent_id, why))
            self._back_in_line(rec, out)

    # -- timers ----------------------------------------------------------------------

    def _fire(self, kind: Timer, subject: str, token: int, due: float,
              out: list[Command]) -> None:
        if kind is Timer.WRAP:
            agent = self.agents.get(subject)
            if agent is not None and agent.wrap_token == token and agent.state is State.WRAP_UP:
                self._finish_wrap(agent, out)
            return
        if kind is Timer.EXPECT:
            agent = self.agents.get(subject)
            if agent is not None and agent.expect_token == token and agent.expecting is not None:
                self._stop_expecting(agent, out)
            return
        rec = self.calls.get(subject)
        if rec is None:
            return
        if kind is Timer.RING:
            if rec.offer_token == token and rec.agent is not None:
                agent = self.agents[rec.agent]
                out.append(CancelOffer(self.now, subject, rec.agent, "rona"))
                self._fail_offer(rec, agent, "rona", out)
            return
        if rec.token != token:
            return  # the call moved queue since
        cfg = self.queues[rec.queue]
        if kind is Timer.RELAX:
            self._relax(rec, cfg, out)
        elif kind is Timer.MAX_WAIT:
            if rec.callback is None:
                if rec.agent is not None:
                    rec.expired = True
                else:
                    self._timeout(rec, out)
        elif kind is Timer.ANNOUNCE and cfg.announce_every_s:
            if rec.agent is None and rec.callback is None:
                pos = self.line.position(rec)
                out.append(Announce(self.now, subject, rec.queue, pos,
                                    self.estimated_wait(rec.queue, pos)))
            self.timers.schedule(due + cfg.announce_every_s, Timer.ANNOUNCE, subject, token)

    def _relax(self, rec: CallRecord, cfg: QueueConfig, out: list[Command]) -> None:
        step = cfg.relaxations[rec.steps]
        waiting = rec.seq != 0
        if step.overflow_to is not None:
            self._move_queue(rec, step.overflow_to, f"relaxation: {step.describe()}", out)
            return
        if waiting:
            self.line.remove(rec)
        rec.steps += 1
        rec.req = rec.base.relaxed(cfg, rec.steps)
        out.append(Relaxed(self.now, rec.call.id, rec.queue, rec.steps, step.describe()))
        if rec.steps < len(cfg.relaxations):
            self.timers.schedule(rec.entered_at + cfg.relaxations[rec.steps].after_s,
                                 Timer.RELAX, rec.call.id, rec.token)
        if waiting:
            self.line.push(rec)
            self._offer_for_call(rec, out)

    def _timeout(self, rec: CallRecord, out: list[Command]) -> None:
        cfg = self.queues[rec.queue]
        if cfg.on_timeout.to is ExitTo.OVERFLOW:
            self._move_queue(rec, cfg.on_timeout.queue, "timeout", out)
            return
        position = self.line.position(rec) if rec.seq else 1
        self._drop(rec)
        out.append(ExitQueue(self.now, rec.call.id, rec.queue, "timeout", cfg.on_timeout.label,
                             self.now - rec.call.enqueued_at, position))

    def _move_queue(self, rec: CallRecord, target: str, why: str, out: list[Command]) -> None:
        """Overflow: the call takes the target queue's requirement (keeping its language,
        priority and enqueue time) and that queue's relaxation clock starts now."""
        cfg = self.queues.get(target)
        if cfg is None:
            out.append(Rejection(self.now, rec.call.id, f"Queue {rec.queue} overflows to unknown "
                                 f"queue {target!r}: fix the queue configuration; the call keeps waiting."))
            return
        waiting = rec.seq != 0
        self.line.remove(rec)
        out.append(MoveQueue(self.now, rec.call.id, rec.queue, target, why))
        rec.queue = target
        rec.base = rec.req = Requirement.of_queue(cfg, rec.call.language)
        rec.steps = 0
        rec.entered_at = self.now
        rec.token += 1
        rec.expired = False
        self._start_queue_timers(rec, cfg)
        if waiting or rec.agent is None:
            self.line.push(rec)
            self._offer_for_call(rec, out)
