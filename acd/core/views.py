"""Read-only questions to the router: explain a call, positions, estimated wait, snapshots.

Estimated wait (documented estimator, for announcements and the IVR):

    EWT(position p in queue q) = max(0, p - ready_q) * AHT_q / staffed_q

``AHT_q``: exponentially smoothed handle time (talk + wrap-up) of the queue's recent calls,
starting at ``QueueConfig.default_aht_s``; ``staffed_q``: members logged in and not
"not ready" (ready, offered, on a call or in wrap-up); ``ready_q``: members ready now.
With N busy agents the first caller waits about AHT / N for one of them to free up, the
p-th about p times that. None when no member is staffed (nobody will answer).
"""

from __future__ import annotations

from dataclasses import dataclass

from acd.core.eligibility import Requirement, score, why_not
from acd.core.lifecycle import RouterState
from acd.core.records import AgentRecord, CallRecord
from acd.core.states import State


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why ``agent`` can (``eligible``) or cannot take a call, in one sentence."""

    agent_id: str
    eligible: bool
    reason: str


@dataclass(frozen=True, slots=True)
class CallView:
    call_id: str
    queue: str
    state: str  # "waiting" | "offered"
    agent_id: str | None
    position: int | None
    requirement: str
    relaxation_steps: int
    enqueued_at: float
    callback: str | None


@dataclass(frozen=True, slots=True)
class AgentView:
    agent_id: str
    state: str
    reason: str | None
    call_id: str | None
    idle_since: float
    calls_today: int
    wrap_until: float | None = None  # when the wrap-up ends by itself (wrap-up only)
    pending_reason: str | None = None  # not ready with this reason once the call and wrap-up end


@dataclass(frozen=True, slots=True)
class QueueView:
    queue: str
    waiting: int
    longest_wait_s: float
    logged_in: int
    staffed: int
    ready: int
    aht_s: float
    agents_by_state: dict[str, int]


class RouterViews(RouterState):
    def estimated_wait(self, queue: str, position: int | None = None) -> float | None:
        """Seconds a caller at ``position`` (default: a new caller) should expect to wait."""
        staffed = self.staffed.get(queue, 0)
        if staffed <= 0:
            return None
        if position is None:
            position = self.line.count(queue) + 1
        ahead = max(0, position - self.ready.ready_in(queue))
        return ahead * self._aht.get(queue, 0.0) / staffed

    def position(self, call_id: str) -> int | None:
        """1-based place in line; None if the call is not waiting (offered or unknown)."""
        rec = self.calls.get(call_id)
        return self.line.position(rec) if rec is not None and rec.seq else None

    def agents_logged_in(self, queue: str) -> int:
        return self.logged_in.get(queue, 0)

    def waiting_calls(self, queue: str) -> list[str]:
        """Ids of the calls waiting in ``queue``, first in line first."""
        return [r.call.id for r in sorted(self.line.waiting(queue).values(), key=lambda r: r.key)]

    def call(self, call_id: str) -> CallView | None:
        rec = self.calls.get(call_id)
        if rec is None:
            return None
        return CallView(call_id, rec.queue, "waiting" if rec.seq else "offered", rec.agent,
                        self.position(call_id), rec.req.describe(), rec.steps,
                        rec.call.enqueued_at, rec.callback)

    def agent(self, agent_id: str) -> AgentView | None:
        rec = self.agents.get(agent_id)
        if rec is None:
            return None
        return AgentView(agent_id, rec.state.value, rec.reason, rec.call_id, rec.idle_since,
                         rec.calls_today, rec.wrap_until if rec.state is State.WRAP_UP else None,
                         rec.pending_reason)

    def queue(self, queue: str) -> QueueView:
        waiting = self.line.waiting(queue)
        longest = max((self.now - r.call.enqueued_at for r in waiting.values()), default=0.0)
        counts: dict[State, int] = {}
        for rec in self.agents.values():
            if queue in rec.agent.queues and rec.state is not State.LOGGED_OUT:
                counts[rec.state] = counts.get(rec.state, 0) + 1
        by_state = {state.value: n for state, n in counts.items()}
        return QueueView(queue, len(waiting), longest, self.logged_in.get(queue, 0),
                         self.staffed.get(queue, 0), self.ready.ready_in(queue),
                         self._aht.get(queue, 0.0), by_state)

    def explain(self, call_id: str) -> list[Explanation]:
        """For every known agent: why it can or cannot take the call now (eligible first)."""
        rec = self.calls.get(call_id)
        if rec is None:
            raise KeyError(f"Call {call_id} is not waiting or offered; it cannot be explained.")
        result = [self._explain_one(a, rec) for a in self.agents.values()]
        return sorted(result, key=lambda x: (not x.eligible, x.agent_id))

    def _explain_one(self, a: AgentRecord, rec: CallRecord) -> Explanation:
        aid = a.agent.id
        if rec.agent == aid:
            return Explanation(aid, True, f"being offered this call ({a.state.value})")
        fit = why_not(a.agent, rec.queue, rec.req)
        if fit is not None:
            return Explanation(aid, False, fit)
        if a.state is State.READY:
            level = score(a.agent, rec.req)
            return Explanation(aid, True, f"ready and eligible (proficiency {level})")
        return Explanation(aid, False, _state_reason(a))

    def requirement(self, call_id: str) -> Requirement | None:
        rec = self.calls.get(call_id)
        return rec.req if rec is not None else None


def _state_reason(a: AgentRecord) -> str:
    s = a.state
    if s is State.LOGGED_OUT:
        return "logged out"
    if s is State.NOT_READY:
        return f"not ready ({a.reason})"
    if s in (State.RESERVED, State.RINGING):
        return f"reserved for call {a.call_id}"
    if s is State.PREVIEWING:
        return f"previewing outbound record {a.call_id}"
    if s is State.DIALING:
        return f"dialing a customer for {a.call_id}"
    if s in (State.ON_CALL, State.ON_HOLD):
        return f"on a call ({s.value.replace('_', ' ')})"
    return f"in wrap-up until t={a.wrap_until:g}"
