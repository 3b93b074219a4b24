"""A campaign's configuration and its start / pause / stop state machine. Pure.

Transitions, top to bottom (anything else is refused with what is allowed)::

    draft    --start-->  running
    running  --pause-->  paused
    paused   --start-->  running
    running  --stop--->  stopped
    paused   --stop--->  stopped
    draft    --stop--->  stopped

``stopped`` is final: a stopped campaign's records stay for the report; copy it to run again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from enum import StrEnum

from hotline.settings import get_settings
from ivr.hours import Range
from outbound.compliance import DEFAULT_RETRIES, CallingHours, DialResult, RetryRule, normalise
from outbound.pacing import DEFAULT_ABANDON_CAP


class Mode(StrEnum):
    PREVIEW = "preview"
    PROGRESSIVE = "progressive"
    PREDICTIVE = "predictive"
    AGENTLESS = "agentless"  # the IVR plays a notice / survey, no agent (outbound.agentless)


class State(StrEnum):
    DRAFT = "draft"
    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"


class Action(StrEnum):
    START = "start"
    PAUSE = "pause"
    STOP = "stop"


TRANSITIONS: Mapping[tuple[State, Action], State] = {
    (State.DRAFT, Action.START): State.RUNNING,
    (State.RUNNING, Action.PAUSE): State.PAUSED,
    (State.PAUSED, Action.START): State.RUNNING,
    (State.RUNNING, Action.STOP): State.STOPPED,
    (State.PAUSED, Action.STOP): State.STOPPED,
    (State.DRAFT, Action.STOP): State.STOPPED,
}


class CampaignError(ValueError):
    """A configuration or a transition that cannot be applied; the message says why."""


def transition(state: State, action: Action) -> State:
    nxt = TRANSITIONS.get((state, action))
    if nxt is None:
        allowed = sorted(a.value for (s, a) in TRANSITIONS if s is state) or ["none (final)"]
        raise CampaignError(f"a {state.value} campaign cannot {action.value}; "
                            f"allowed: {', '.join(allowed)}")
    return nxt


_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_RETRY = re.compile(r"^\s*(\w+)\s*=\s*(\d+(?:\.\d+)?)\s*/\s*(\d+)\s*$")


def parse_hours(text: str) -> tuple[time, time]:
    m = _HOURS.match(text)
    if not m:
        raise CampaignError(f"calling hours {text!r} must look like 09:00-21:00")
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if not (h1 < 24 and h2 < 24 and m1 < 60 and m2 < 60) or (h1, m1) >= (h2, m2):
        raise CampaignError(f"calling hours {text!r} must be a start before an end within one day")
    return time(h1, m1), time(h2, m2)


def parse_retries(text: str) -> dict[DialResult, RetryRule]:
    """``busy=600/3;no_answer=3600/2`` (seconds after / max retries per result)."""
    rules: dict[DialResult, RetryRule] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        m = _RETRY.match(part)
        if not m:
            raise CampaignError(f"retry rule {part!r} must look like busy=600/3")
        try:
            result = DialResult(m.group(1))
        except ValueError:
            raise CampaignError(f"retry rule {part!r}: unknown result; use one of "
                                f"{', '.join(r.value for r in DialResult)}") from None
        rules[result] = RetryRule(float(m.group(2)), int(m.group(3)))
    return rules


def format_retries(rules: Mapping[DialResult, RetryRule]) -> str:
    return ";".join(f"{r.value}={rule.after_s:g}/{rule.max_retries}" for r, rule in rules.items())


@dataclass(frozen=True)
class CampaignConfig:
    name: str
    mode: Mode
    queue: str
    caller_id: str
    hours: str = "09:00-21:00"
    max_per_day: int = 3
    retries: Mapping[DialResult, RetryRule] = field(default_factory=lambda: dict(DEFAULT_RETRIES))
    dispositions: tuple[str, ...] = ("done", "callback", "refused", "wrong_number")
    script: str | None = None
    abandon_cap: float = DEFAULT_ABANDON_CAP

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[\w\-.]{1,64}", self.name):
            raise CampaignError(f"campaign name {self.name!r}: use 1-64 letters, digits, - _ .")
        parse_hours(self.hours)
        if self.max_per_day < 1:
            raise CampaignError("max attempts per day must be at least 1")
        if not 0.0 <= self.abandon_cap <= 0.05:
            raise CampaignError(f"abandon cap {self.abandon_cap} must be between 0 and 0.05 (5%)")
        if not self.dispositions:
            raise CampaignError("a campaign needs at least one disposition code")
        try:
            normalise(self.caller_id)
        except ValueError as e:
            raise CampaignError(f"caller id: {e}") from e

    def calling_hours(self) -> CallingHours:
        start, end = parse_hours(self.hours)
        return CallingHours({d: (Range(start, end),) for d in range(7)})


def callback_refusal(number: str, at: float, hours: str | None = None) -> str | None:
    """Why a lost caller may not be called back at ``at`` (the callee's local time, daily
    ``hours`` such as ``09:00-21:00``, default the ``callback_hours`` setting), or None."""
    start, end = parse_hours(hours or get_settings().callback_hours)
    r = CallingHours.daily(start, end).refusal(number, at)
    return r.detail if r is not None else None
