"""DNC, calling hours in the callee's local time, attempts per day and retries per result."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from ivr.hours import Calendar
from outbound.compliance import (
    CallingHours,
    Compliance,
    DialResult,
    DncList,
    Reason,
    RetryRule,
    next_attempt,
    normalise,
)

SH = "+8613800138000"      # Asia/Shanghai, UTC+8
LA = "+14155550123"        # America/Los_Angeles


def ts(y: int, mo: int, d: int, h: int, mi: int = 0) -> float:
    return datetime(y, mo, d, h, mi, tzinfo=UTC).timestamp()


def check(dnc: DncList | None = None, calendar: Calendar | None = None) -> Compliance:
    return Compliance(dnc or DncList(), CallingHours.daily(time(9), time(21), calendar), max_per_day=2)


def test_a_number_in_another_zone_outside_its_hours_is_not_dialed() -> None:
    at = ts(2026, 12, 7, 3)  # 11:00 in Shanghai, 19:00 the day before in Los Angeles
    c = check()
    assert c.may_dial("x", SH, at) is None
    assert c.may_dial("x", LA, at) is None
    late = ts(2026, 12, 7, 6)  # 14:00 Shanghai, 22:00 Los Angeles
    assert c.may_dial("x", SH, late) is None
    refused = c.may_dial("x", LA, late)
    assert refused is not None and refused.reason is Reason.OUTSIDE_HOURS
    assert "America/Los_Angeles" in refused.detail and "22:00" in refused.detail


def test_a_dnc_number_is_never_dialed_and_the_reason_says_which_list() -> None:
    dnc = DncList()
    dnc.add("13800138000")
    dnc.add(LA, campaign="spring")
    c = check(dnc)
    at = ts(2026, 12, 7, 3)
    g = c.may_dial("spring", "+86 138 0013 8000", at)
    assert g is not None and g.reason is Reason.DNC_GLOBAL
    p = c.may_dial("spring", LA, at)
    assert p is not None and p.reason is Reason.DNC_CAMPAIGN
    assert c.may_dial("autumn", LA, at) is None  # a campaign's list is its own


def test_holidays_from_the_ivr_calendar_refuse() -> None:
    cal = Calendar("cn", holidays={date(2026, 10, 1): "National Day"})
    r = check(calendar=cal).may_dial("x", SH, ts(2026, 10, 1, 3))
    assert r is not None and r.reason is Reason.HOLIDAY


def test_max_attempts_per_day_counts_the_callee_local_day() -> None:
    c = check()
    # 15:00 and 15:30 UTC on Dec 6 are Dec 6 23:00/23:30 in Shanghai: yesterday by 03:00 UTC Dec 7
    old = [ts(2026, 12, 6, 15), ts(2026, 12, 6, 15, 30)]
    assert c.may_dial("x", SH, ts(2026, 12, 7, 3), attempts=old) is None
    today = [ts(2026, 12, 7, 1), ts(2026, 12, 7, 2)]
    r = c.may_dial("x", SH, ts(2026, 12, 7, 3), attempts=today)
    assert r is not None and r.reason is Reason.MAX_ATTEMPTS and "limit is 2" in r.detail


def test_a_bad_number_is_refused_with_the_reason() -> None:
    r = check().may_dial("x", "call me", ts(2026, 12, 7, 3))
    assert r is not None and r.reason is Reason.INVALID_NUMBER and "'call me'" in r.detail


def test_retries_follow_the_rule_for_each_result() -> None:
    rules = {DialResult.BUSY: RetryRule(600.0, 2), DialResult.NO_ANSWER: RetryRule(3600.0, 1)}
    assert next_attempt(DialResult.BUSY, 100.0, [], rules) == 700.0
    assert next_attempt(DialResult.BUSY, 100.0, [DialResult.BUSY], rules) == 700.0
    assert next_attempt(DialResult.BUSY, 100.0, [DialResult.BUSY] * 2, rules) is None
    # no-answer retries are counted apart from busy ones
    assert next_attempt(DialResult.NO_ANSWER, 0.0, [DialResult.BUSY] * 2, rules) == 3600.0
    assert next_attempt(DialResult.NO_ANSWER, 0.0, [DialResult.NO_ANSWER], rules) is None
    assert next_attempt(DialResult.ANSWERED, 0.0, [], rules) is None
    assert next_attempt(DialResult.MACHINE, 0.0, [], rules) is None  # no rule: not retried


@pytest.mark.parametrize("raw", ["13800138000", "+86 138-0013-8000", "008613800138000"])
def test_numbers_are_compared_in_e164(raw: str) -> None:
    assert normalise(raw) == SH
