"""Configuration and data of the routing core: agents, queues, waiting calls.

Everything here is an immutable value. Runtime state (who is ready since when, which
call is offered to whom) lives in :mod:`acd.core.router`; the rules that say *who may
take which call* live in :mod:`acd.core.eligibility`.

Proficiency is an integer 1..10 (10 = expert). Priorities: higher is served first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType

from acd.requests import CallbackRequest, RoutingRequest

MIN_PROFICIENCY = 1
MAX_PROFICIENCY = 10


class Policy(StrEnum):
    """How a queue picks among eligible ready agents."""

    HIGHEST_PROFICIENCY = "highest_proficiency"  # min proficiency over the call's skills, ties: longest idle
    LONGEST_IDLE = "longest_idle"
    LEAST_CALLS = "least_calls"  # fewest calls answered today, ties: longest idle
    ROUND_ROBIN = "round_robin"  # next member after the last one offered, in member order


class ExitTo(StrEnum):
    """Where a caller goes when a queue rule takes them out of line."""

    VOICEMAIL = "voicemail"
    CALLBACK = "callback"
    OVERFLOW = "overflow"


@dataclass(frozen=True, slots=True)
class Exit:
    """A defined way out of a queue: ``Exit(ExitTo.OVERFLOW, "general")``."""

    to: ExitTo
    queue: str = ""  # the target queue when ``to`` is OVERFLOW

    def __post_init__(self) -> None:
        if (self.to is ExitTo.OVERFLOW) != bool(self.queue):
            raise ValueError("an overflow exit needs a target queue, and only an overflow exit has one")

    @property
    def label(self) -> str:
        return f"overflow:{self.queue}" if self.to is ExitTo.OVERFLOW else self.to.value


@dataclass(frozen=True, slots=True)
class Relaxation:
    """One step applied to a call once it has waited ``after_s`` in the queue.

    ``min_proficiency``: lower the required proficiency to this value.
    ``alternative``: agents having all of these skills (at the current minimum) also qualify.
    ``any_language``: drop the language requirement.
    ``overflow_to``: move the call to that queue (it keeps its original enqueue time).
    """

    after_s: float
    min_proficiency: int | None = None
    alternative: tuple[str, ...] | None = None
    any_language: bool = False
    overflow_to: str | None = None

    def describe(self) -> str:
        parts = []
        if self.min_proficiency is not None:
            parts.append(f"accept proficiency >= {self.min_proficiency}")
        if self.alternative is not None:
            parts.append(f"also accept skill(s) {'+'.join(self.alternative)}")
        if self.any_language:
            parts.append("accept any language")
        if self.overflow_to is not None:
            parts.append(f"overflow to queue {self.overflow_to}")
        return f"after {self.after_s:g} s: " + ", ".join(parts or ["nothing"])


@dataclass(frozen=True, slots=True)
class QueueConfig:
    """A queue as an admin declares it.

    ``skills``/``min_proficiency``: the requirement of a call that brings none of its own.
    ``relaxations``: applied in order of ``after_s`` (time in *this* queue).
    ``max_wait_s``/``on_timeout``: the exit once a caller waited that long.
    ``max_waiting``/``on_full``: a caller arriving when that many wait is sent there.
    ``on_empty``: where a caller goes when no member is logged in (None: wait anyway).
    ``ring_timeout_s``: an offer not answered in time is a RONA.
    ``announce_every_s``: position / estimated-wait announcements (None: never).
    ``default_aht_s``: handle time assumed until calls have been measured.
    """

    name: str
    skills: tuple[str, ...] = ()
    min_proficiency: int = MIN_PROFICIENCY
    language: str | None = None
    relaxations: tuple[Relaxation, ...] = ()
    max_wait_s: float | None = None
    on_timeout: Exit = Exit(ExitTo.VOICEMAIL)
    max_waiting: int | None = None
    on_full: Exit = Exit(ExitTo.VOICEMAIL)
    on_empty: Exit | None = None
    wrap_up_s: float = 0.0
    ring_timeout_s: float = 20.0
    policy: Policy = Policy.HIGHEST_PROFICIENCY
    announce_every_s: float | None = None
    default_aht_s: float = 180.0

    def __post_init__(self) -> None:
        steps = tuple(sorted(self.relaxations, key=lambda r: r.after_s))
        object.__setattr__(self, "relaxations", steps)
        if not MIN_PROFICIENCY <= self.min_proficiency <= MAX_PROFICIENCY:
            raise ValueError(f"queue {self.name}: min_proficiency must be 1..10, not {self.min_proficiency}")
        for step in steps:
            if step.overflow_to == self.name:
                raise ValueError(f"queue {self.name}: a relaxation cannot overflow to the queue itself")


@dataclass(frozen=True, slots=True)
class Membership:
    """An agent's place in a queue: higher ``priority`` tiers are served first; within a
    tier, ``weight`` scales how much a queue's waiting time counts (fairness by weight)."""

    weight: float = 1.0
    priority: int = 0


def _frozen_map(m: Mapping[str, int] | Mapping[str, Membership]) -> Mapping:
    return MappingProxyType(dict(m))


@dataclass(frozen=True, slots=True)
class Agent:
    """An agent's profile: ``Agent("a1", {"billing": 8}, {"en", "zh"}, queues={"sales": Membership()})``."""

    id: str
    skills: Mapping[str, int] = field(default_factory=dict)
    languages: frozenset[str] = frozenset()
    teams: frozenset[str] = frozenset()
    queues: Mapping[str, Membership] = field(default_factory=dict)
    name: str = ""

    def __post_init__(self) -> None:
        for skill, level in self.skills.items():
            if not MIN_PROFICIENCY <= level <= MAX_PROFICIENCY:
                raise ValueError(f"agent {self.id}: proficiency of {skill} must be 1..10, not {level}")
        object.__setattr__(self, "skills", _frozen_map(self.skills))
        object.__setattr__(self, "queues", _frozen_map(self.queues))
        object.__setattr__(self, "languages", frozenset(self.languages))
        object.__setattr__(self, "teams", frozenset(self.teams))

    def __hash__(self) -> int:
        return hash(self.id)


@dataclass(frozen=True, slots=True)
class WaitingCall:
    """A caller (or a callback keeping its place) waiting for an agent.

    ``skills`` are all required at ``min_proficiency`` or better; ``language`` (if any)
    must be spoken by the agent. ``enqueued_at`` orders callers of equal priority and is
    kept through RONA, callback conversion and overflow. ``callback``: the number to call
    back when the turn comes (the caller is no longer on the line). ``offer_until``: a
    predictive customer's connect window end; an offer that fails at or after it (Asterisk's
    verdict or the router's own ring timer, whichever comes first) is not made again: the
    call leaves as an abandon and the agent goes not ready as after any failed offer.
    """

    id: str
    queue: str
    skills: tuple[str, ...] = ()
    min_proficiency: int = MIN_PROFICIENCY
    language: str | None = None
    priority: int = 0
    enqueued_at: float = 0.0
    callback: str | None = None
    caller_name: str = ""
    offer_until: float | None = None

    @classmethod
    def from_request(cls, req: RoutingRequest, queue: QueueConfig | None = None) -> WaitingCall:
        """The IVR's request as a waiting call; empty requirements fall back to the queue's."""
        skills = req.skills or (queue.skills if queue else ())
        min_prof = req.min_proficiency
        if queue is not None and not req.skills:
            min_prof = max(min_prof, queue.min_proficiency)
        language = req.language or (queue.language if queue else None)
        return cls(req.call_id, req.queue, tuple(skills), min_prof, language, req.priority,
                   req.enqueued_at, None, req.caller_name)

    @classmethod
    def from_callback(cls, req: CallbackRequest, queue: QueueConfig | None = None) -> WaitingCall:
        skills = req.skills or (queue.skills if queue else ())
        min_prof = queue.min_proficiency if (queue and not req.skills) else MIN_PROFICIENCY
        return cls(req.call_id, req.queue, tuple(skills), min_prof, req.language, req.priority,
                   req.requested_at, req.number)

    def with_callback(self, number: str) -> WaitingCall:
        return replace(self, callback=number)


SYSTEM_REASONS: frozenset[str] = frozenset({"RONA", "busy", "unreachable", "after_call_work"})
DEFAULT_REASONS: frozenset[str] = frozenset({"break", "meal", "training", "meeting"}) | SYSTEM_REASONS
