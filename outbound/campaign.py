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

from acd.requests import AMD_CHOICES
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
    """A configuration or a transition that cannot be applied; the message says why.
    ``field``: the configuration field at fault (the console shows the error next to it)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def transition(state: State, action: Action) -> State:
    nxt = TRANSITIONS.get((state, action))
    if nxt is None:
        allowed = sorted(a.value for (s, a) in TRANSITIONS if s is state) or ["none (final)"]
        raise CampaignError(f"a {state.value} campaign cannot {action.value}; "
                            f"allowed: {', '.join(allowed)}")
    return nxt


_NAME = re.compile(r"[\w\-.]{1,64}")
_CODE = re.compile(r"[\w\-]{1,32}")
_PROMPT = re.compile(r"[\w\-/]{1,128}")
MAX_ATTEMPTS = 50
MAX_RETRIES = 20
MAX_RETRY_AFTER_S = 7 * 86400.0
MAX_SCRIPT = 4000
# a result that ends the record (answered: a person spoke; skipped: the agent chose so)
RETRYABLE = tuple(r for r in DialResult if r not in (DialResult.ANSWERED, DialResult.SKIPPED))
_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_RETRY = re.compile(r"^\s*(\w+)\s*=\s*(\d+(?:\.\d+)?)\s*/\s*(\d+)\s*$")


def parse_hours(text: str) -> tuple[time, time]:
    m = _HOURS.match(text)
    if not m:
        raise CampaignError(f"calling hours {text!r} must look like 09:00-21:00", "hours")
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if not (h1 < 24 and h2 < 24 and m1 < 60 and m2 < 60) or (h1, m1) >= (h2, m2):
        raise CampaignError(f"calling hours {text!r} must be a start before an end within one day", "hours")
    return time(h1, m1), time(h2, m2)


def retry_rule(result: str, after_s: float, max_retries: int) -> tuple[DialResult, RetryRule]:
    """One retry rule, checked: the CLI's text (:func:`parse_retries`) and the console's
    form both come through here."""
    try:
        res = DialResult(result)
    except ValueError:
        raise CampaignError(f"retry rule {result!r}: unknown result; use one of "
                            f"{', '.join(r.value for r in RETRYABLE)}", "retries") from None
    if res not in RETRYABLE:
        raise CampaignError(f"retry rule {result!r}: an {res.value} record is not retried; use one of "
                            f"{', '.join(r.value for r in RETRYABLE)}", "retries")
    if not 60 <= after_s <= MAX_RETRY_AFTER_S or not 0 <= max_retries <= MAX_RETRIES:
        raise CampaignError(f"retry rule {result!r}: wait 60 s to 7 days and retry 0 to "
                            f"{MAX_RETRIES} times", "retries")
    return res, RetryRule(float(after_s), int(max_retries))


def parse_retries(text: str) -> dict[DialResult, RetryRule]:
    """``busy=600/3;no_answer=3600/2`` (seconds after / max retries per result)."""
    rules: dict[DialResult, RetryRule] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        m = _RETRY.match(part)
        if not m:
            raise CampaignError(f"retry rule {part!r} must look like busy=600/3", "retries")
        result, rule = retry_rule(m.group(1), float(m.group(2)), int(m.group(3)))
        rules[result] = rule
    return rules


def format_retries(rules: Mapping[DialResult, RetryRule]) -> str:
    return ";".join(f"{r.value}={rule.after_s:g}/{rule.max_retries}" for r, rule in rules.items())


@dataclass(frozen=True)
class CampaignConfig:
    """Everything a campaign is configured with; the constructor is the one check of it
    (the CLI, the console's API and the stored rows all build one). ``max_total``: attempts
    per record over the whole campaign (None: only the retry rules bound them); ``amd``:
    what a dial answered by a machine does (``acd.requests.AMD_CHOICES``), with
    ``amd_message`` the prompt ``message`` leaves."""

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
    max_total: int | None = None
    amd: str = "off"
    amd_message: str | None = None

    def __post_init__(self) -> None:
        if not _NAME.fullmatch(self.name):
            raise CampaignError(f"campaign name {self.name!r}: use 1-64 letters, digits, - _ .", "name")
        if not _NAME.fullmatch(self.queue):
            raise CampaignError(f"queue {self.queue!r}: use the name of an ACD queue (letters, digits, - _ .)",
                                "queue")
        try:  # stored and compared in E.164
            object.__setattr__(self, "caller_id", normalise(self.caller_id))
        except ValueError as e:
            raise CampaignError(f"caller id: {e}", "caller_id") from e
        parse_hours(self.hours)
        if not 1 <= self.max_per_day <= MAX_ATTEMPTS:
            raise CampaignError(f"max attempts per day must be 1 to {MAX_ATTEMPTS}", "max_per_day")
        if self.max_total is not None and not self.max_per_day <= self.max_total <= MAX_ATTEMPTS:
            raise CampaignError(f"max attempts in total must be at least the attempts per day "
                                f"({self.max_per_day}) and at most {MAX_ATTEMPTS}", "max_total")
        for result, rule in self.retries.items():
            retry_rule(result.value, rule.after_s, rule.max_retries)
        if not 0.0 <= self.abandon_cap <= 0.05:
            raise CampaignError(f"abandon cap {self.abandon_cap} must be between 0 and 0.05 (5%)", "abandon_cap")
        if not self.dispositions:
            raise CampaignError("a campaign needs at least one disposition code", "dispositions")
        for code in self.dispositions:
            if not _CODE.fullmatch(code):
                raise CampaignError(f"disposition code {code!r}: use 1-32 letters, digits, - _", "dispositions")
        if len(set(self.dispositions)) != len(self.dispositions):
            raise CampaignError("a disposition code is listed twice", "dispositions")
        if self.script is not None and len(self.script) > MAX_SCRIPT:
            raise CampaignError(f"the script has more than {MAX_SCRIPT} characters", "script")
        if self.amd not in AMD_CHOICES:
            raise CampaignError(f"answering-machine choice {self.amd!r}: use one of {', '.join(AMD_CHOICES)}",
                                "amd")
        if self.amd == "message" and not (self.amd_message and _PROMPT.fullmatch(self.amd_message)):
            raise CampaignError("leaving a message on a machine needs the prompt to play "
                                "(a prompt name such as ob-notice)", "amd_message")

    def calling_hours(self) -> CallingHours:
        start, end = parse_hours(self.hours)
        return CallingHours({d: (Range(start, end),) for d in range(7)})


def callback_refusal(number: str, at: float, hours: str | None = None) -> str | None:
    """Why a lost caller may not be called back at ``at`` (the callee's local time, daily
    ``hours`` such as ``09:00-21:00``, default the ``callback_hours`` setting), or None."""
    start, end = parse_hours(hours or get_settings().callback_hours)
    r = CallingHours.daily(start, end).refusal(number, at)
    return r.detail if r is not None else None
