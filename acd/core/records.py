"""Mutable runtime records kept by the router (never handed out; callers get copies)."""

from __future__ import annotations

from typing import Any

from acd.core.eligibility import Requirement
from acd.core.model import Agent, WaitingCall
from acd.core.states import State


class AgentRecord:
    """An agent's live state. ``idle_since``: when the agent last became ready."""

    __slots__ = ("agent", "state", "reason", "idle_since", "call_id", "calls_today",
                 "pending_reason", "wrap_token", "wrap_until", "last_offer", "answered_at",
                 "wrap_queue", "tiers", "indexed", "slots", "slots_key", "expecting", "expect_token")

    def __init__(self, agent: Agent, at: float) -> None:
        self.agent = agent
        self.tiers = tiers_of(agent)
        self.state = State.LOGGED_OUT
        self.reason: str | None = None
        self.idle_since = at
        self.call_id: str | None = None
        self.calls_today = 0
        self.pending_reason: str | None = None  # not-ready asked for during a call
        self.wrap_token = 0
        self.wrap_until = 0.0
        self.last_offer: dict[str, int] = {}  # queue -> offer sequence number (round robin)
        self.answered_at = 0.0
        self.wrap_queue = ""
        self.indexed = False  # in the ready index (a ready agent taking a call at once is not)
        self.slots: list[Any] = []  # the ready index's buckets holding this agent
        self.slots_key: tuple[int, Agent | None] = (-1, None)  # what ``slots`` was computed for
        self.expecting: str | None = None  # a transfer ringing the agent's phone (no offers)
        self.expect_token = 0


def tiers_of(agent: Agent) -> list[list[tuple[str, float]]]:
    """The agent's queues grouped by membership priority (highest first), with weights."""
    by_prio: dict[int, list[tuple[str, float]]] = {}
    for queue, m in sorted(agent.queues.items()):
        by_prio.setdefault(m.priority, []).append((queue, m.weight))
    return [by_prio[p] for p in sorted(by_prio, reverse=True)]


class CallRecord:
    """A call the router knows: waiting in line, or offered to ``agent``."""

    __slots__ = ("call", "queue", "base", "req", "steps", "entered_at", "token", "seq",
                 "agent", "offer_token", "expired", "callback", "answered", "key", "held_back")

    def __init__(self, call: WaitingCall, at: float) -> None:
        self.call = call
        self.queue = call.queue
        self.base = Requirement.of(call)  # requirement before relaxation in this queue
        self.req = self.base
        self.steps = 0  # relaxations applied in this queue
        self.entered_at = at  # entry into the current queue (relaxation and max wait clock)
        self.token = 0  # bumped on queue change: stale timers are ignored
        self.seq = 0  # heap entry currently valid for this call (0: not in a heap)
        self.agent: str | None = None  # offered to
        self.offer_token = 0
        self.expired = False  # max wait passed while offered
        self.callback = call.callback
        self.answered = False
        self.held_back = False  # in line but offered to no one (CallArrived.held_back)
        # Order in line: higher priority first, then longer wait (original enqueue time).
        self.key: tuple[int, float] = (-call.priority, call.enqueued_at)
