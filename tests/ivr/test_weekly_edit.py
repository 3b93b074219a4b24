"""The weekly business-hours edit of the admin form: the checks (pure) and the text edit that
keeps the rest of the menu file, comments included."""

from __future__ import annotations

import pytest

from ivr.hours import check_weekly
from ivr.menu_edits import EditError, set_weekly

FILE = """hours:
  office:   # the front desk
    calendar: cn
    weekly: {mon-fri: "09:00-18:00"}   # flow style, one line
    special:
      2026-12-31: "09:00-15:00"
  night:
    weekly:
      mon-sun: ["00:00-08:00", "20:00-24:00"]
    # the night shift never closes on holidays
"""


def test_check_weekly_orders_ranges_and_names_every_problem() -> None:
    ok, problems = check_weekly({"sun": [], "tue": ["13:00-18:00", "09:00-12:00"], "mon": ["09:00-24:00"]})
    assert ok == {"mon": ["09:00-24:00"], "tue": ["09:00-12:00", "13:00-18:00"]} and problems == []
    assert check_weekly({"mon": ["09:00-12:00", "12:00-13:00"]})[1] == []  # touching is not overlapping
    _, problems = check_weekly({"mon": ["9-5", "08:00-09:30", "09:00-10:00"], "fri": ["18:00-08:00"],
                                "xyz": ["09:00-10:00"], "sat": ["09:00-09:10"] * 9})
    assert [(p.day, p.index) for p in problems] == [("mon", 0), ("mon", 2), ("fri", 0), ("xyz", None), ("sat", None)]
    assert "write it as HH:MM-HH:MM" in problems[0].reason and "overlaps '08:00-09:30'" in problems[1].reason
    assert "split ranges that cross midnight" in problems[2].reason


def test_set_weekly_rewrites_only_that_mapping_flow_or_block() -> None:
    out = set_weekly(FILE, "office", {"mon": ["09:00-12:00", "13:00-18:00"], "sat": ["10:00-12:00"]})
    assert out.splitlines() == [
        "hours:", "  office:   # the front desk", "    calendar: cn", "    weekly:",
        '      mon: ["09:00-12:00", "13:00-18:00"]', '      sat: "10:00-12:00"', "    special:",
        '      2026-12-31: "09:00-15:00"', *FILE.splitlines()[6:]]
    out = set_weekly(FILE, "night", {})
    assert out.splitlines()[-3:] == ["  night:", "    weekly: {}", "    # the night shift never closes on holidays"]


def test_set_weekly_refuses_what_it_cannot_place() -> None:
    with pytest.raises(EditError, match="no weekly hours named 'day'"):
        set_weekly(FILE, "day", {})
    spread = FILE.replace('weekly: {mon-fri: "09:00-18:00"}   # flow style, one line',
                          'weekly: {mon-fri: "09:00-18:00",\n             sat: "09:00-12:00"}')
    with pytest.raises(EditError, match="flow style"):
        set_weekly(spread, "office", {"mon": ["09:00-18:00"]})
