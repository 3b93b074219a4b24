"""Business hours per queue with a holiday calendar. Pure: the time is passed in.

Weekly hours are wall-clock ranges in the queue's time zone, so a DST switch moves
the opening in UTC but not on the office clock. A :class:`Calendar` lists holidays
(closed all day) and make-up working days (a weekend day that is worked, as in the
Chinese calendar: e.g. Sunday 2026-09-27 before National Day). Dated exceptions in
``special`` win over both (an empty tuple closes that day)::

    Hours("support", ZoneInfo("Asia/Shanghai"),
          weekly={0: (Range(time(9), time(18)),), ...},
          calendar=Calendar("cn", holidays={date(2026, 10, 1): "National Day"}, workdays=...))
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import Enum
from zoneinfo import ZoneInfo

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True, slots=True)
class Range:
    """A wall-clock opening ``start <= t < end``; ``end`` None means midnight (24:00)."""

    start: time
    end: time | None

    def contains(self, t: time) -> bool:
        return self.start <= t and (self.end is None or t < self.end)


class DayKind(Enum):
    WORKDAY = "workday"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"
    MAKEUP_WORKDAY = "makeup_workday"


@dataclass(frozen=True)
class Calendar:
    name: str
    holidays: Mapping[date, str] = field(default_factory=dict)
    workdays: frozenset[date] = frozenset()

    def kind(self, day: date) -> DayKind:
        if day in self.holidays:
            return DayKind.HOLIDAY
        if day in self.workdays:
            return DayKind.MAKEUP_WORKDAY
        return DayKind.WEEKEND if day.weekday() >= 5 else DayKind.WORKDAY


@dataclass(frozen=True)
class Hours:
    """Opening hours of one queue. ``makeup_weekday``: whose hours a make-up day uses."""

    name: str
    zone: ZoneInfo
    weekly: Mapping[int, tuple[Range, ...]]
    calendar: Calendar | None = None
    special: Mapping[date, tuple[Range, ...]] = field(default_factory=dict)
    makeup_weekday: int = 0

    def local(self, ts: float) -> datetime:
        return datetime.fromtimestamp(ts, tz=self.zone)

    def ranges_on(self, day: date) -> tuple[Range, ...]:
        if day in self.special:
            return self.special[day]
        if self.calendar is not None:
            kind = self.calendar.kind(day)
            if kind is DayKind.HOLIDAY:
                return ()
            if kind is DayKind.MAKEUP_WORKDAY:
                return self.weekly.get(self.makeup_weekday, ())
        return self.weekly.get(day.weekday(), ())

    def is_open(self, ts: float) -> bool:
        now = self.local(ts)
        return any(r.contains(now.time().replace(tzinfo=None)) for r in self.ranges_on(now.date()))

    def is_holiday(self, ts: float) -> bool:
        return self.calendar is not None and self.calendar.kind(self.local(ts).date()) is DayKind.HOLIDAY


def parse_range(text: str) -> Range:
    """``"09:00-18:00"`` → Range; ``"-24:00"`` is allowed as the end of the day."""
    m = _RANGE.match(text)
    if not m:
        raise ValueError(f"{text!r} is not a time range; write it as HH:MM-HH:MM, e.g. 09:00-18:00")
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2 != 0):
        raise ValueError(f"{text!r} has an impossible time of day")
    start = time(h1, m1)
    end = None if h2 == 24 else time(h2, m2)
    if end is not None and end <= start:
        raise ValueError(f"{text!r} ends before it starts; split ranges that cross midnight")
    return Range(start, end)


def parse_days(text: str) -> list[int]:
    """``"mon-fri"`` → [0..4]; ``"sat"`` → [5]; ``"mon,wed"`` → [0, 2]."""
    out: list[int] = []
    for part in str(text).lower().split(","):
        part = part.strip()
        if "-" in part:
            a, b = (p.strip() for p in part.split("-", 1))
            if a not in DAY_NAMES or b not in DAY_NAMES:
                raise ValueError(f"{text!r}: days are written mon, tue, wed, thu, fri, sat, sun")
            i, j = DAY_NAMES.index(a), DAY_NAMES.index(b)
            if j < i:
                raise ValueError(f"{text!r}: a day range must run forwards, e.g. mon-fri")
            out.extend(range(i, j + 1))
        elif part in DAY_NAMES:
            out.append(DAY_NAMES.index(part))
        else:
            raise ValueError(f"{text!r}: days are written mon, tue, wed, thu, fri, sat, sun")
    return out


MAX_RANGES_A_DAY = 8


@dataclass(frozen=True, slots=True)
class WeeklyProblem:
    """One refusal of a weekly form: the day, the range's place in that day (None: the day), why."""

    day: str
    index: int | None
    reason: str


def _fmt(r: Range) -> str:
    return f"{r.start:%H:%M}-{'24:00' if r.end is None else f'{r.end:%H:%M}'}"


def check_weekly(weekly: Mapping[str, list[str]]) -> tuple[dict[str, list[str]], list[WeeklyProblem]]:
    """A weekly form (``{"mon": ["09:00-12:00", "13:00-18:00"], ...}``, a missing or empty day
    closed) → the ranges per day in order, written HH:MM-HH:MM, and every problem found.
    Ranges of one day must not overlap (touching, 12:00-13:00 then 13:00-18:00, is fine)."""
    out: dict[str, list[str]] = {}
    problems: list[WeeklyProblem] = []
    for day, texts in weekly.items():
        if day not in DAY_NAMES:
            problems.append(WeeklyProblem(str(day), None, f"Unknown day {str(day)!r}; days are "
                                          "mon, tue, wed, thu, fri, sat, sun."))
            continue
        if len(texts) > MAX_RANGES_A_DAY:
            problems.append(WeeklyProblem(day, None, f"At most {MAX_RANGES_A_DAY} opening ranges a day."))
            continue
        parsed: list[tuple[int, Range]] = []
        for i, text in enumerate(texts):
            try:
                parsed.append((i, parse_range(text)))
            except ValueError as exc:
                problems.append(WeeklyProblem(day, i, str(exc)))
        parsed.sort(key=lambda x: x[1].start)
        for (_, a), (j, b) in zip(parsed, parsed[1:], strict=False):
            if a.end is None or b.start < a.end:
                problems.append(WeeklyProblem(day, j, f"{_fmt(b)!r} overlaps {_fmt(a)!r} on the same day; "
                                              "join them or move one."))
        if parsed:
            out[day] = [_fmt(r) for _, r in parsed]
    return {d: out[d] for d in DAY_NAMES if d in out}, problems


def weekly_by_day(hours: Hours) -> dict[str, list[str]]:
    """The weekly ranges of ``hours`` per weekday name (closed days left out)."""
    return {DAY_NAMES[d]: [_fmt(r) for r in hours.weekly[d]] for d in sorted(hours.weekly) if hours.weekly[d]}
