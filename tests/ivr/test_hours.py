from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from ivr.hours import Calendar, DayKind, Hours, Range, parse_days, parse_range
from tests.ivr.conftest import CLOSED_TS, HOLIDAY_TS, MAKEUP_TS, OPEN_TS, sh

NINE_TO_SIX = (Range(time(9), time(18)),)


def office(zone: str = "Asia/Shanghai", calendar: Calendar | None = None) -> Hours:
    return Hours("office", ZoneInfo(zone), {d: NINE_TO_SIX for d in range(5)}, calendar)


CN = Calendar("cn", {date(2026, 10, d): "National Day" for d in range(1, 8)},
              frozenset({date(2026, 9, 20), date(2026, 10, 10)}))


def test_weekday_hours_in_shanghai():
    h = office()
    assert h.is_open(OPEN_TS)
    assert not h.is_open(CLOSED_TS)
    assert h.is_open(sh(2026, 11, 18, 9, 0))          # opening minute is open
    assert not h.is_open(sh(2026, 11, 18, 18, 0))     # closing minute is closed
    assert not h.is_open(sh(2026, 11, 21, 10, 0))     # Saturday


def test_national_day_closed_and_makeup_sunday_open():
    h = office(calendar=CN)
    assert not h.is_open(HOLIDAY_TS)
    assert h.is_holiday(HOLIDAY_TS)
    assert CN.kind(date(2026, 10, 7)) is DayKind.HOLIDAY
    assert CN.kind(date(2026, 10, 8)) is DayKind.WORKDAY
    assert h.is_open(MAKEUP_TS)                        # Sunday 2026-09-20 is worked
    assert not h.is_open(sh(2026, 9, 13, 10, 0))       # an ordinary Sunday is not
    assert h.is_open(sh(2026, 10, 10, 10, 0))          # Saturday make-up day


def test_special_day_overrides_calendar():
    h = Hours("office", ZoneInfo("Asia/Shanghai"), {d: NINE_TO_SIX for d in range(5)}, CN,
              special={date(2026, 10, 3): (Range(time(10), time(12)),)})
    assert h.is_open(sh(2026, 10, 3, 11, 0))
    assert not h.is_open(sh(2026, 10, 3, 13, 0))


def test_dst_zone_keeps_wall_clock_hours_in_new_york():
    """US DST starts 2026-03-08: 09:00 local is 14:00 UTC on Friday, 13:00 UTC on Monday."""
    h = office("America/New_York")
    utc = ZoneInfo("UTC")
    assert not h.is_open(datetime(2026, 3, 6, 13, 30, tzinfo=utc).timestamp())
    assert h.is_open(datetime(2026, 3, 6, 14, 0, tzinfo=utc).timestamp())
    assert h.is_open(datetime(2026, 3, 9, 13, 30, tzinfo=utc).timestamp())
    assert not h.is_open(datetime(2026, 3, 9, 12, 59, tzinfo=utc).timestamp())


def test_dst_zone_across_the_switch_in_utc():
    h = office("Europe/Berlin")
    # 2026-03-30 (Mon, CEST, UTC+2): 09:00 local = 07:00 UTC; 2026-03-27 (Fri, CET): 08:00 UTC.
    assert h.is_open(datetime(2026, 3, 30, 7, 0, tzinfo=ZoneInfo("UTC")).timestamp())
    assert not h.is_open(datetime(2026, 3, 30, 6, 59, tzinfo=ZoneInfo("UTC")).timestamp())
    assert not h.is_open(datetime(2026, 3, 27, 7, 30, tzinfo=ZoneInfo("UTC")).timestamp())
    assert h.is_open(datetime(2026, 3, 27, 8, 0, tzinfo=ZoneInfo("UTC")).timestamp())


def test_the_same_instant_differs_by_zone():
    instant = sh(2026, 11, 18, 16, 0)  # 16:00 Shanghai = 09:00 Berlin
    assert office().is_open(instant)
    assert office("Europe/Berlin").is_open(instant)
    assert not office("America/New_York").is_open(instant)  # 03:00 in New York


def test_parse_ranges_and_days():
    assert parse_range("09:00-18:00") == Range(time(9), time(18))
    assert parse_range("20:00-24:00") == Range(time(20), None)
    assert parse_days("mon-fri") == [0, 1, 2, 3, 4]
    assert parse_days("sat,sun") == [5, 6]
    for bad in ("18:00-09:00", "9-18", "25:00-26:00"):
        with pytest.raises(ValueError):
            parse_range(bad)
    with pytest.raises(ValueError, match="mon, tue"):
        parse_days("monday")
