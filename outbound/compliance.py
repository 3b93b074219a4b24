"""May this number be dialed now? Do-not-call, calling hours in the callee's local time, max
attempts per number per day and over the campaign, and the retry rule for each dial result.
Pure: time passed in.

Every refusal carries a ``Reason`` (logged with the dial attempt), never a bare False::

    check = Compliance(dnc, hours=CallingHours.daily(time(9), time(21)), max_per_day=3)
    check.may_dial("spring", "+14155550123", ts, attempts_today=[...])
    # -> Refusal(Reason.OUTSIDE_HOURS, "21:30 in America/Los_Angeles is outside 09:00-21:00")

A number whose country spans several time zones (a US toll-free, a whole-country prefix)
must be inside the hours in every one of them: when in doubt we do not dial.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

import phonenumbers
from phonenumbers import timezone as pn_timezone

from crm.phones import parse_error_reason
from ivr.hours import Calendar, DayKind, Range

DEFAULT_REGION = "CN"


class Reason(StrEnum):
    INVALID_NUMBER = "invalid_number"
    DNC_GLOBAL = "dnc_global"
    DNC_CAMPAIGN = "dnc_campaign"
    UNKNOWN_ZONE = "unknown_zone"
    HOLIDAY = "holiday"
    OUTSIDE_HOURS = "outside_hours"
    MAX_ATTEMPTS = "max_attempts"
    MAX_TOTAL = "max_total"


class DialResult(StrEnum):
    ANSWERED = "answered"
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    MACHINE = "machine"
    FAILED = "failed"
    ABANDONED = "abandoned"
    SKIPPED = "skipped"  # preview: the agent skipped the record (no retry rule: done)


@dataclass(frozen=True)
class Refusal:
    reason: Reason
    detail: str


def normalise(number: str, region: str = DEFAULT_REGION) -> str:
    """E.164 (``+8613800138000``) or ValueError saying what was wrong."""
    try:
        parsed = phonenumbers.parse(number.strip(), region)
    except phonenumbers.NumberParseException as e:
        raise ValueError(f"{number!r} is not a phone number: {parse_error_reason(e)}; "
                         "write it as +8613800138000") from e
    if not phonenumbers.is_possible_number(parsed):
        raise ValueError(f"{number!r} has the wrong number of digits for its country")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def zones_of(e164: str) -> tuple[str, ...]:
    try:
        zones = pn_timezone.time_zones_for_number(phonenumbers.parse(e164))
    except phonenumbers.NumberParseException:
        return ()  # not a number: no zone, so never "inside the hours" (UNKNOWN_ZONE)
    return tuple(z for z in zones if z != pn_timezone.UNKNOWN_TIMEZONE)


@dataclass
class DncList:
    """Global and per-campaign do-not-call numbers, stored in E.164."""

    global_numbers: set[str] = field(default_factory=set)
    campaigns: dict[str, set[str]] = field(default_factory=dict)

    def add(self, number: str, campaign: str | None = None) -> str:
        e164 = normalise(number)
        (self.global_numbers if campaign is None else self.campaigns.setdefault(campaign, set())).add(e164)
        return e164

    def remove(self, number: str, campaign: str | None = None) -> None:
        e164 = normalise(number)
        (self.global_numbers if campaign is None else self.campaigns.get(campaign, set())).discard(e164)

    def refusal(self, e164: str, campaign: str) -> Refusal | None:
        if e164 in self.global_numbers:
            return Refusal(Reason.DNC_GLOBAL, f"{e164} is on the global do-not-call list")
        if e164 in self.campaigns.get(campaign, ()):
            return Refusal(Reason.DNC_CAMPAIGN, f"{e164} is on campaign {campaign}'s do-not-call list")
        return None


@dataclass(frozen=True)
class CallingHours:
    """Wall-clock ranges per weekday (0 = Monday) in the *callee's* time zone."""

    weekly: Mapping[int, tuple[Range, ...]]
    calendar: Calendar | None = None

    @classmethod
    def daily(cls, start: time, end: time, calendar: Calendar | None = None) -> CallingHours:
        return cls({d: (Range(start, end),) for d in range(7)}, calendar)

    def refusal(self, e164: str, ts: float) -> Refusal | None:
        zones = zones_of(e164)
        if not zones:
            return Refusal(Reason.UNKNOWN_ZONE, f"no time zone is known for {e164}; not dialed")
        for name in zones:
            local = datetime.fromtimestamp(ts, tz=ZoneInfo(name))
            if self.calendar is not None and self.calendar.kind(local.date()) is DayKind.HOLIDAY:
                return Refusal(Reason.HOLIDAY, f"{local:%Y-%m-%d} is a holiday in {name}")
            ranges = self.weekly.get(local.weekday(), ())
            if not any(r.contains(local.time().replace(tzinfo=None)) for r in ranges):
                spans = ", ".join(f"{r.start:%H:%M}-{r.end:%H:%M}" if r.end else f"{r.start:%H:%M}-24:00"
                                  for r in ranges) or "closed"
                return Refusal(Reason.OUTSIDE_HOURS,
                               f"{local:%H:%M} in {name} is outside the calling hours ({spans})")
        return None


@dataclass(frozen=True)
class RetryRule:
    """Retry ``after_s`` seconds later, at most ``max_retries`` times for this result."""

    after_s: float
    max_retries: int


DEFAULT_RETRIES: Mapping[DialResult, RetryRule] = {
    DialResult.BUSY: RetryRule(after_s=600.0, max_retries=3),
    DialResult.NO_ANSWER: RetryRule(after_s=3600.0, max_retries=2),
    DialResult.MACHINE: RetryRule(after_s=4 * 3600.0, max_retries=1),
    DialResult.FAILED: RetryRule(after_s=1800.0, max_retries=1),
    DialResult.ABANDONED: RetryRule(after_s=300.0, max_retries=1),
}


def next_attempt(result: DialResult, at: float, previous: Iterable[DialResult],
                 rules: Mapping[DialResult, RetryRule] = DEFAULT_RETRIES) -> float | None:
    """When to dial the record again after ``result`` at ``at`` (None: done with it).
    ``previous`` are the record's earlier results; retries are counted per result."""
    rule = rules.get(result)
    if result is DialResult.ANSWERED or rule is None:
        return None
    done = sum(1 for r in previous if r is result)
    return at + rule.after_s if done < rule.max_retries else None


@dataclass
class Compliance:
    dnc: DncList
    hours: CallingHours
    max_per_day: int = 3
    max_total: int | None = None  # attempts per record over the campaign (None: no bound)

    def may_dial(self, campaign: str, number: str, ts: float,
                 attempts: Iterable[float] = (), earlier: int = 0) -> Refusal | None:
        """None if the number may be dialed at ``ts``; ``attempts``: earlier dial times;
        ``earlier``: attempts made before those (stored by an earlier run)."""
        try:
            e164 = normalise(number)
        except ValueError as e:
            return Refusal(Reason.INVALID_NUMBER, str(e))
        dials = list(attempts)
        total = earlier + len(dials)
        refused = self.dnc.refusal(e164, campaign)
        if refused is not None:
            return refused
        if self.max_total is not None and total >= self.max_total:
            return Refusal(Reason.MAX_TOTAL,
                           f"{e164} was dialed {total} times; the campaign's limit is {self.max_total}")
        refused = self.hours.refusal(e164, ts)
        if refused is not None:
            return refused
        zones = zones_of(e164)
        zone = ZoneInfo(zones[0])
        today = datetime.fromtimestamp(ts, tz=zone).date()
        n = sum(1 for a in dials if datetime.fromtimestamp(a, tz=zone).date() == today)
        if n >= self.max_per_day:
            return Refusal(Reason.MAX_ATTEMPTS,
                           f"{e164} was dialed {n} times today (local); the limit is {self.max_per_day}")
        return None
