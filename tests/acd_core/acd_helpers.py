"""Helpers for the routing-core tests: build routers, agents and calls in one line.

(A plain module, not conftest.py: other test folders have their own conftest.)"""

from __future__ import annotations

from collections.abc import Iterable

from acd.core import (
    Agent,
    AgentLoggedIn,
    AgentReady,
    CallArrived,
    Command,
    Membership,
    Offer,
    QueueConfig,
    Router,
    RouterEvent,
    WaitingCall,
)


def agent(aid: str, skills: dict[str, int] | None = None,
          queues: Iterable[str] | dict[str, Membership] = ("q",),
          languages: Iterable[str] = ("en",)) -> Agent:
    members = queues if isinstance(queues, dict) else {q: Membership() for q in queues}
    return Agent(aid, skills if skills is not None else {"s": 5}, frozenset(languages),
                 queues=members)


def call(cid: str, at: float = 0.0, queue: str = "q", skills: tuple[str, ...] = ("s",),
         min_proficiency: int = 1, language: str | None = None, priority: int = 0) -> WaitingCall:
    return WaitingCall(cid, queue, skills, min_proficiency, language, priority, at)


def ready(router: Router, *agents: Agent, at: float = 0.0) -> list[Command]:
    out: list[Command] = []
    for a in agents:
        out += router.handle(AgentLoggedIn(at, a))
        out += router.handle(AgentReady(at, a.id))
    return out


def arrive(router: Router, *calls: WaitingCall) -> list[Command]:
    out: list[Command] = []
    for c in calls:
        out += router.handle(CallArrived(c.enqueued_at, c))
    return out


def offers(commands: Iterable[Command]) -> list[tuple[str, str]]:
    """(call, agent) of every Offer, in order."""
    return [(c.call_id, c.agent_id) for c in commands if isinstance(c, Offer)]


def feed(router: Router, *events: RouterEvent) -> list[Command]:
    out: list[Command] = []
    for e in events:
        out += router.handle(e)
    return out


def make_router(**queue: object) -> Router:
    """A router with one queue "q" requiring skill "s" (override with keywords)."""
    return Router([QueueConfig("q", **{"skills": ("s",), **queue})])  # type: ignore[arg-type]
