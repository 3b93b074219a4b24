"""An in-memory ``ContactCenter`` for the console's tests (a test double of the port).

It keeps agents and queues in dicts, refuses what a real ACD would refuse (with the
same kind of one-sentence errors) and publishes the ``acd.events`` a real ACD would, so
the hub, the REST API and the browser pages can be exercised without Asterisk.
Test-only helpers (not part of the port): ``add_agent``, ``queue_call``, ``offer_call``,
``answer``, ``abandon``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from acd.events import (
    AgentStateChanged,
    CallAbandoned,
    CallCompleted,
    CallConnected,
    CallOffered,
    CallQueued,
    CallTransferred,
)
from acd.ports import (
    AgentStatus,
    CenterSnapshot,
    Code,
    ContactCenterError,
    ForcibleState,
    QueueStatus,
    SpyMode,
    TransferKind,
)
from hotline.clock import Clock
from hotline.events import EventBus

REASONS = (Code("break", "Break", "休息"), Code("lunch", "Lunch", "午餐"), Code("training", "Training", "培训"))
DISPOSITIONS = (Code("resolved", "Resolved", "已解决"), Code("follow_up", "Follow-up needed", "需跟进"),
                Code("wrong_number", "Wrong number", "打错电话"))


@dataclass
class _Agent:
    agent: str
    name: str
    queues: tuple[str, ...]
    state: str = "logged_out"
    since: float = 0.0
    reason: str | None = None
    extension: str | None = None
    call: str | None = None
    call_queue: str | None = None
    answered_at: float = 0.0
    pending_transfer: str | None = None
    pending_state: tuple[str, str] | None = None  # forced while on a call: (state, reason)
    wrap_until: float | None = None
    handled: int = 0
    handle_total: float = 0.0


@dataclass
class _Queue:
    waiting: dict[str, float] = field(default_factory=dict)  # call id -> enqueued at
    offered: int = 0
    answered: int = 0
    answered_in_sl: int = 0
    abandoned: int = 0


class FakeCenter:
    def __init__(self, bus: EventBus, clock: Clock, sl_threshold_s: float = 20.0) -> None:
        self.bus = bus
        self.clock = clock
        self.sl_threshold_s = sl_threshold_s
        self.wrap_up_s = 60.0  # the queues' wrap-up time: the console counts it down
        self.agents: dict[str, _Agent] = {}
        self.queues: dict[str, _Queue] = {}
        self.actions: list[tuple[object, ...]] = []  # what was asked, for assertions
        self.callbacks: list[Any] = []  # CallbackRequests queued (win-back)
        self._seq = 0

    # --- test helpers ------------------------------------------------------
    def add_agent(self, agent: str, name: str, queues: Sequence[str] = ("sales",)) -> None:
        self.agents[agent] = _Agent(agent, name, tuple(queues), since=self.clock.now())
        for q in queues:
            self.queues.setdefault(q, _Queue())

    def queue_call(self, queue: str, caller_num: str, caller_name: str = "") -> str:
        self._seq += 1
        call_id = f"call-{self._seq}"
        q = self.queues.setdefault(queue, _Queue())
        q.waiting[call_id] = self.clock.now()
        q.offered += 1
        self.bus.publish(CallQueued(at=self.clock.now(), call_id=call_id, queue=queue, caller_num=caller_num,
                                    caller_name=caller_name, priority=0, position=len(q.waiting)))
        return call_id

    def offer_call(self, agent: str, queue: str, caller_num: str, caller_name: str = "",
                   ivr_path: tuple[str, ...] = ("main", "sales"), skills: tuple[str, ...] = ("sales",),
                   call_id: str | None = None) -> str:
        a = self._agent(agent)
        if a.state != "ready":
            raise ContactCenterError(f"Agent {agent} is not ready.")
        call_id = call_id or self.queue_call(queue, caller_num, caller_name)
        waited = self.clock.now() - self.queues[queue].waiting.get(call_id, self.clock.now())
        a.call, a.call_queue = call_id, queue
        self._set(a, "ringing", call_id=call_id)
        self.bus.publish(CallOffered(at=self.clock.now(), call_id=call_id, queue=queue, agent=agent,
                                     caller_num=caller_num, caller_name=caller_name, customer_id=None,
                                     skills=skills, ivr_path=ivr_path, waited_s=waited))
        return call_id

    def answer(self, agent: str) -> None:
        a = self._agent(agent)
        if a.state != "ringing" or a.call is None or a.call_queue is None:
            raise ContactCenterError(f"Agent {agent} has no ringing call.")
        q = self.queues[a.call_queue]
        waited = self.clock.now() - q.waiting.pop(a.call, self.clock.now())
        q.answered += 1
        q.answered_in_sl += waited <= self.sl_threshold_s
        a.answered_at = self.clock.now()
        self._set(a, "on_call", call_id=a.call)
        self.bus.publish(CallConnected(at=self.clock.now(), call_id=a.call, queue=a.call_queue, agent=agent,
                                       waited_s=waited))

    def abandon(self, call_id: str, queue: str) -> None:
        q = self.queues[queue]
        waited = self.clock.now() - q.waiting.pop(call_id)
        q.abandoned += 1
        self.bus.publish(CallAbandoned(at=self.clock.now(), call_id=call_id, queue=queue, waited_s=waited,
                                       position=1))

    # --- internals -----------------------------------------------------------
    def _agent(self, agent: str) -> _Agent:
        try:
            return self.agents[agent]
        except KeyError:
            raise ContactCenterError(f"There is no agent {agent}.", bad_request=True) from None

    def _set(self, a: _Agent, state: str, reason: str | None = None, call_id: str | None = None) -> None:
        previous = a.state
        a.state, a.reason, a.since = state, reason, self.clock.now()
        self.bus.publish(AgentStateChanged(at=a.since, agent=a.agent, state=state, previous=previous,
                                           reason=reason, call_id=call_id))

    def _need(self, a: _Agent, *states: str, what: str) -> None:
        if a.state not in states:
            raise ContactCenterError(f"Agent {a.agent} cannot {what} while {a.state.replace('_', ' ')}.")

    def _end_call(self, a: _Agent, by: str) -> None:
        assert a.call is not None and a.call_queue is not None
        talk = self.clock.now() - a.answered_at
        a.handled += 1
        a.handle_total += talk
        self.bus.publish(CallCompleted(at=self.clock.now(), call_id=a.call, queue=a.call_queue, agent=a.agent,
                                       talk_s=talk, hold_s=0.0, by=by))
        call = a.call
        a.call = None
        a.pending_transfer = None
        a.wrap_until = self.clock.now() + self.wrap_up_s
        self._set(a, "wrap_up", call_id=call)

    # --- the port --------------------------------------------------------------
    async def login(self, agent: str, extension: str) -> None:
        a = self._agent(agent)
        self._need(a, "logged_out", what="log in")
        a.extension = extension
        self._set(a, "not_ready", reason="login")

    async def logout(self, agent: str) -> None:
        a = self._agent(agent)
        self._need(a, "ready", "not_ready", "wrap_up", what="log out")
        self._set(a, "logged_out")

    async def set_ready(self, agent: str) -> None:
        a = self._agent(agent)
        self._need(a, "not_ready", "wrap_up", "ready", what="go ready")
        if a.state != "ready":
            self._set(a, "ready")

    async def set_not_ready(self, agent: str, reason: str) -> None:
        a = self._agent(agent)
        self._need(a, "ready", "not_ready", "wrap_up", what="go not ready")
        self._set(a, "not_ready", reason=reason)

    async def hangup(self, agent: str) -> None:
        a = self._agent(agent)
        self._need(a, "on_call", "on_hold", what="hang up")
        self._end_call(a, "agent")

    async def hold(self, agent: str) -> None:
        a = self._agent(agent)
        self._need(a, "on_call", what="hold")
        self._set(a, "on_hold", call_id=a.call)

    async def unhold(self, agent: str) -> None:
        a = self._agent(agent)
        self._need(a, "on_hold", what="resume")
        self._set(a, "on_call", call_id=a.call)

    async def transfer(self, agent: str, kind: TransferKind, target: str, attended: bool) -> None:
        a = self._agent(agent)
        self._need(a, "on_call", "on_hold", what="transfer")
        if kind == "agent" and target not in self.agents:
            raise ContactCenterError(f"There is no agent {target} to transfer to.", bad_request=True)
        self.actions.append(("transfer", agent, kind, target, attended))
        if attended:
            a.pending_transfer = f"{kind}:{target}"
            return
        self._transferred(a, "blind", f"{kind}:{target}")

    def _transferred(self, a: _Agent, how: str, target: str) -> None:
        assert a.call is not None and a.call_queue is not None
        self.bus.publish(CallTransferred(at=self.clock.now(), call_id=a.call, queue=a.call_queue, agent=a.agent,
                                         kind=how, target=target))
        self._end_call(a, "agent")

    async def complete_transfer(self, agent: str) -> None:
        a = self._agent(agent)
        if a.pending_transfer is None:
            raise ContactCenterError(f"Agent {agent} has no transfer in progress.")
        self._transferred(a, "attended", a.pending_transfer)

    async def cancel_transfer(self, agent: str) -> None:
        a = self._agent(agent)
        if a.pending_transfer is None:
            raise ContactCenterError(f"Agent {agent} has no transfer in progress.")
        a.pending_transfer = None

    async def conference(self, agent: str, number: str) -> None:
        a = self._agent(agent)
        self._need(a, "on_call", what="add a third party")
        self.actions.append(("conference", agent, number))

    async def wrap_up(self, agent: str, disposition: str, notes: str, ticket_ref: str | None) -> None:
        a = self._agent(agent)
        self._need(a, "wrap_up", what="finish wrap-up")
        self.actions.append(("wrap_up", agent, disposition, notes, ticket_ref))
        if a.pending_state is not None:  # like the ACD: a forced state waits for the call's end
            state, reason = a.pending_state
            a.pending_state = None
            self._set(a, state, reason=reason if state == "not_ready" else None)
        else:
            self._set(a, "ready")

    async def extend_wrap_up(self, agent: str, seconds: int) -> None:
        a = self._agent(agent)
        self._need(a, "wrap_up", what="extend wrap-up")
        self.actions.append(("extend_wrap_up", agent, seconds))
        a.wrap_until = max(a.wrap_until or 0.0, self.clock.now()) + seconds

    async def force_state(self, supervisor: str, agent: str, state: ForcibleState, reason: str) -> None:
        a = self._agent(agent)
        self.actions.append(("force_state", supervisor, agent, state, reason))
        if a.state in ("on_call", "on_hold") and state != "ready":
            a.pending_state = (state, reason)
            return
        self._need(a, "ready", "not_ready", "wrap_up", "logged_out", what=f"be forced {state}")
        self._set(a, state, reason=reason)

    async def spy(self, supervisor: str, agent: str, mode: SpyMode, supervisor_endpoint: str) -> None:
        a = self._agent(agent)
        self._need(a, "on_call", "on_hold", what="be listened to")
        self.actions.append(("spy", supervisor, agent, mode, supervisor_endpoint))

    async def snapshot(self) -> CenterSnapshot:
        now = self.clock.now()
        queues = []
        for name, q in sorted(self.queues.items()):
            by_state: dict[str, int] = {}
            for a in self.agents.values():
                if name in a.queues:
                    by_state[a.state] = by_state.get(a.state, 0) + 1
            decided = q.answered + q.abandoned
            queues.append(QueueStatus(
                queue=name, waiting=len(q.waiting),
                longest_wait_s=max((now - t for t in q.waiting.values()), default=0.0),
                offered_today=q.offered, answered_today=q.answered, abandoned_today=q.abandoned,
                service_level=(q.answered_in_sl / decided) if decided else None,
                sl_threshold_s=self.sl_threshold_s, agents_by_state=by_state))
        agents = tuple(
            AgentStatus(agent=a.agent, name=a.name, state=a.state, since=a.since, reason=a.reason,
                        current_call=a.call, extension=a.extension, calls_handled=a.handled,
                        aht_s=(a.handle_total / a.handled) if a.handled else None, queues=a.queues,
                        wrap_until=a.wrap_until if a.state == "wrap_up" else None,
                        pending_state=a.pending_state[0] if a.pending_state else None,
                        pending_reason=a.pending_state[1] if a.pending_state else None)
            for a in self.agents.values())
        return CenterSnapshot(at=now, queues=tuple(queues), agents=agents)

    def reason_codes(self) -> Sequence[Code]:
        return REASONS

    def request_callback(self, request: Any) -> None:
        self.callbacks.append(request)

    def disposition_codes(self) -> Sequence[Code]:
        return DISPOSITIONS
