"""The router's state, and the agent side of ``Router.handle``: log in/out, ready, not
ready, a call taken outside an offer (transfer, conference), hold, hang-up and wrap-up,
each going through the table in :mod:`acd.core.states`."""

from __future__ import annotations

from collections.abc import Iterable

from acd.core import inputs as ev
from acd.core.commands import Command, ExitQueue, Rejection, SetAgentState
from acd.core.model import Agent, QueueConfig
from acd.core.ready import ReadyIndex
from acd.core.records import AgentRecord, CallRecord, tiers_of
from acd.core.states import (
    OFFERED_STATES,
    STAFFED_STATES,
    TRANSITIONS,
    Rejected,
    State,
    Trigger,
    transition,
)
from acd.core.timers import Timer, Timers
from acd.core.waiting import WaitingLine

_IDLE = frozenset({State.READY, State.NOT_READY, State.LOGGED_OUT})
AHT_SMOOTHING = 0.1  # weight of the newest call in the average handle time (EWMA)


class RouterState:
    """Everything the router knows. Only the router mutates it."""

    def __init__(self, start: float, reasons: Iterable[str]) -> None:
        self.now = start
        self.queues: dict[str, QueueConfig] = {}
        self.reasons = frozenset(reasons)
        self.agents: dict[str, AgentRecord] = {}
        self.calls: dict[str, CallRecord] = {}  # waiting or offered (not yet answered)
        self.line = WaitingLine()
        self.ready = ReadyIndex()
        self.timers = Timers()
        self.logged_in: dict[str, int] = {}  # queue -> members logged in
        self.staffed: dict[str, int] = {}  # queue -> members ready, busy or in wrap-up
        self._aht: dict[str, float] = {}  # queue -> smoothed handle time (talk + wrap-up)
        self._offers = 0


class AgentLifecycle(RouterState):
    def _offer_to_agent(self, agent: AgentRecord, out: list[Command]) -> None:
        raise NotImplementedError

    def _withdraw_offer(self, call_id: str | None, agent_id: str, why: str,
                        out: list[Command]) -> None:
        raise NotImplementedError

    def _exit_empty_queues(self, queues: Iterable[str], out: list[Command]) -> None:
        """Callers of a queue whose last member logged out leave by its ``on_empty`` rule."""
        for queue in queues:
            cfg = self.queues.get(queue)
            if cfg is None or cfg.on_empty is None or self.logged_in.get(queue, 0):
                continue
            for rec in sorted(self.line.waiting(queue).values(), key=lambda r: r.key):
                self.line.remove(rec)
                self.calls.pop(rec.call.id, None)
                out.append(ExitQueue(self.now, rec.call.id, queue, "empty", cfg.on_empty.label,
                                     self.now - rec.call.enqueued_at, 1))

    def _move(self, rec: AgentRecord, trigger: Trigger, out: list[Command], *,
              reason: str | None = None, call_id: str | None = None,
              idle_since: float | None = None, index: bool = True) -> bool:
        """Apply ``trigger`` through the transition table and keep the indexes right."""
        prev = rec.state
        to = TRANSITIONS.get((prev, trigger))
        if to is None:
            rejected = transition(rec.agent.id, prev, trigger)
            assert isinstance(rejected, Rejected)
            out.append(Rejection(self.now, rec.agent.id, rejected.reason))
            return False
        if prev is to and (to is not State.NOT_READY or reason == rec.reason):
            return True
        if rec.indexed:
            self.ready.remove(rec)
            rec.indexed = False
        if (prev in STAFFED_STATES) is not (to in STAFFED_STATES) or (
                prev is State.LOGGED_OUT or to is State.LOGGED_OUT):
            self._count_members(rec.agent, prev, -1)
            self._count_members(rec.agent, to, +1)
        rec.state = to
        rec.reason = reason if to is State.NOT_READY else None
        if to is not State.WRAP_UP:
            rec.wrap_token += 1
        if to in _IDLE:
            rec.call_id = None
        if to is State.READY:
            rec.idle_since = self.now if idle_since is None else idle_since
            if index and rec.expecting is None:
                self.ready.add(rec)
                rec.indexed = True
        out.append(SetAgentState(self.now, rec.agent.id, to.value, prev.value, rec.reason,
                                 call_id or rec.call_id))
        return True

    def _become_ready(self, rec: AgentRecord, trigger: Trigger, out: list[Command],
                      idle_since: float | None = None) -> None:
        """Make the agent ready and give it the best waiting call; index it only if none
        (a freed agent usually takes a call at once: no index churn)."""
        if not self._move(rec, trigger, out, idle_since=idle_since, index=False):
            return
        if rec.state is State.READY and rec.expecting is None:
            self._offer_to_agent(rec, out)
            if rec.state is State.READY and not rec.indexed:
                self.ready.add(rec)
                rec.indexed = True

    def _count_members(self, agent: Agent, state: State, delta: int) -> None:
        if state is State.LOGGED_OUT:
            return
        staffed = state in STAFFED_STATES
        for queue in agent.queues:
            self.logged_in[queue] = self.logged_in.get(queue, 0) + delta
            if staffed:
                self.staffed[queue] = self.staffed.get(queue, 0) + delta

    def _agent(self, agent_id: str, out: list[Command]) -> AgentRecord | None:
        rec = self.agents.get(agent_id)
        if rec is None:
            out.append(Rejection(self.now, agent_id,
                                 f"Unknown agent {agent_id}: log the agent in first."))
        return rec

    def _on_login(self, e: ev.AgentLoggedIn, out: list[Command]) -> None:
        rec = self.agents.get(e.agent.id)
        if rec is None:
            rec = self.agents[e.agent.id] = AgentRecord(e.agent, self.now)
        if rec.state is State.LOGGED_OUT:
            rec.agent, rec.tiers = e.agent, tiers_of(e.agent)
            self.line.forget_agent(e.agent.id)
            self._move(rec, Trigger.LOGIN, out, reason="login")
            return
        # A logged-in agent's profile changed (skills, queues): re-index and look again.
        old = rec.agent
        if rec.indexed:
            self.ready.remove(rec)
            rec.indexed = False
        self._count_members(old, rec.state, -1)
        rec.agent, rec.tiers = e.agent, tiers_of(e.agent)
        self._count_members(e.agent, rec.state, +1)
        self.line.forget_agent(e.agent.id)
        if rec.state is State.READY and rec.expecting is None:
            self._offer_to_agent(rec, out)
            if rec.state is State.READY:
                self.ready.add(rec)
                rec.indexed = True
        self._exit_empty_queues(set(old.queues) - set(e.agent.queues), out)

    def _on_logout(self, e: ev.AgentLoggedOut, out: list[Command]) -> None:
        rec = self._agent(e.agent_id, out)
        if rec is None:
            return
        offered = rec.state in OFFERED_STATES
        call_id = rec.call_id
        if self._move(rec, Trigger.LOGOUT, out, call_id=call_id) and offered:
            self._withdraw_offer(call_id, rec.agent.id, "logout", out)
        if rec.state is State.LOGGED_OUT:
            self._exit_empty_queues(rec.agent.queues, out)

    def _on_ready(self, e: ev.AgentReady, out: list[Command]) -> None:
        rec = self._agent(e.agent_id, out)
        if rec is not None and rec.state is not State.READY:
            rec.pending_reason = None
            self._become_ready(rec, Trigger.READY, out)

    def _on_not_ready(self, e: ev.AgentNotReady, out: list[Command]) -> None:
        rec = self._agent(e.agent_id, out)
        if rec is None:
            return
        if e.reason not in self.reasons:
            out.append(Rejection(self.now, e.agent_id, f"Unknown not-ready reason {e.reason!r}: "
                                 f"use one of {', '.join(sorted(self.reasons))}."))
            return
        if rec.state in (State.ON_CALL, State.ON_HOLD, State.DIALING):
            if self._move(rec, Trigger.NOT_READY, out):
                rec.pending_reason = e.reason  # applied when the call and wrap-up end
            return
        offered = rec.state in OFFERED_STATES
        call_id = rec.call_id
        if self._move(rec, Trigger.NOT_READY, out, reason=e.reason, call_id=call_id) and offered:
            self._withdraw_offer(call_id, rec.agent.id, "agent_not_ready", out)

    def _on_held(self, e: ev.CallHeld, out: list[Command]) -> None:
        rec = self._agent(e.agent_id, out)
        if rec is not None:
            self._move(rec, Trigger.HOLD, out)

    def _on_resumed(self, e: ev.CallResumed, out: list[Command]) -> None:
        rec = self._agent(e.agent_id, out)
        if rec is not None:
            self._move(rec, Trigger.UNHOLD, out)

    def _on_took(self, e: ev.AgentTookCall, out: list[Command]) -> None:
        """A transferred or conferenced call landed on the agent: on call through the
        table; a pending offer is withdrawn (that caller keeps the place in line); a
        not-ready reason is kept for after the wrap-up (the agent did not ask to be ready)."""
        rec = self._agent(e.agent_id, out)
        if rec is None:
            return
        if e.queue not in self.queues:
            out.append(Rejection(self.now, e.agent_id, f"Unknown queue {e.queue!r} for call "
                                 f"{e.call_id} taken by agent {e.agent_id}: give the queue "
                                 "the call came through."))
            return
        prev, reason, offered = rec.state, rec.reason, rec.call_id
        if rec.expecting == e.call_id:
            rec.expecting = None  # the transfer that rang the agent landed
            rec.expect_token += 1
        if not self._move(rec, Trigger.TAKE_CALL, out, call_id=e.call_id):
            return
        if prev is State.NOT_READY:
            rec.pending_reason = reason
        rec.call_id = e.call_id
        rec.calls_today += 1
        rec.answered_at = self.now
        rec.wrap_queue = e.queue
        if prev in OFFERED_STATES:
            self._withdraw_offer(offered, rec.agent.id, "agent_took_call", out)

    def _on_transfer_ringing(self, e: ev.TransferRinging, out: list[Command]) -> None:
        rec = self._agent(e.agent_id, out)
        if rec is None:
            return
        rec.expecting = e.call_id
        rec.expect_token += 1
        if rec.indexed:
            self.ready.remove(rec)
            rec.indexed = False
        self.timers.schedule(self.now + max(0.0, e.ring_s), Timer.EXPECT, rec.agent.id, rec.expect_token)

    def _on_transfer_gone(self, e: ev.TransferGone, out: list[Command]) -> None:
        rec = self._agent(e.agent_id, out)
        if rec is not None and rec.expecting == e.call_id:
            self._stop_expecting(rec, out)

    def _stop_expecting(self, rec: AgentRecord, out: list[Command]) -> None:
        """The transfer will not land: a ready agent is offered the best waiting call."""
        rec.expecting = None
        rec.expect_token += 1
        if rec.state is State.READY and not rec.indexed:
            self._offer_to_agent(rec, out)
            if rec.state is State.READY and not rec.indexed:
                self.ready.add(rec)
                rec.indexed = True

    def _on_ended(self, e: ev.CallEnded, out: list[Command]) -> None:
        rec = self._agent(e.agent_id, out)
        if rec is None:
            return
        if rec.call_id != e.call_id:
            out.append(Rejection(self.now, e.agent_id, f"Agent {e.agent_id} is not on call {e.call_id}."))
            return
        if not self._move(rec, Trigger.HANGUP, out, call_id=e.call_id):
            return
        cfg = self.queues.get(rec.wrap_queue)
        wrap = cfg.wrap_up_s if cfg is not None else 0.0
        if cfg is not None:
            handle = self.now - rec.answered_at + wrap
            self._aht[cfg.name] += AHT_SMOOTHING * (handle - self._aht[cfg.name])
        if wrap <= 0:
            self._finish_wrap(rec, out)
            return
        rec.wrap_until = self.now + wrap
        self.timers.schedule(rec.wrap_until, Timer.WRAP, rec.agent.id, rec.wrap_token)

    def _finish_wrap(self, rec: AgentRecord, out: list[Command]) -> None:
        if rec.pending_reason is not None:
            reason, rec.pending_reason = rec.pending_reason, None
            self._move(rec, Trigger.NOT_READY, out, reason=reason)
        else:
            self._become_ready(rec, Trigger.WRAP_UP_DONE, out)

    def _on_wrap_done(self, e: ev.WrapUpDone, out: list[Command]) -> None:
        rec = self._agent(e.agent_id, out)
        if rec is None:
            return
        if rec.state is not State.WRAP_UP:
            self._move(rec, Trigger.WRAP_UP_DONE, out)  # rejected with the reason
            return
        self._finish_wrap(rec, out)

    def _on_wrap_extend(self, e: ev.WrapUpExtend, out: list[Command]) -> None:
        rec = self._agent(e.agent_id, out)
        if rec is None or not self._move(rec, Trigger.WRAP_UP_EXTEND, out):
            return
        if e.seconds <= 0:
            out.append(Rejection(self.now, e.agent_id, "A wrap-up extension must be a positive "
                                 f"number of seconds, not {e.seconds:g}."))
            return
        rec.wrap_token += 1
        rec.wrap_until = max(rec.wrap_until, self.now) + e.seconds
        self.timers.schedule(rec.wrap_until, Timer.WRAP, rec.agent.id, rec.wrap_token)

    def _on_reset(self, e: ev.ResetDailyCounters, out: list[Command]) -> None:
        for rec in self.agents.values():
            rec.calls_today = 0
