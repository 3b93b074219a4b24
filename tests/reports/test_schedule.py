import datetime as dt

from openpyxl import load_workbook

from hotline.clock import ManualClock
from hotline.eventlog import CallEventLog
from reports.schedule import Job, ReportSchedule, due
from tests.reports.daydata import DAY, TZ, at, write_day


def test_due_jobs_per_day_week_and_month():
    d = dt.date
    assert due(None, d(2026, 12, 6)) == [Job("daily", d(2026, 12, 5))]
    assert due(d(2026, 12, 5), d(2026, 12, 6)) == []
    got = due(d(2026, 11, 28), d(2026, 12, 2))  # 29 (Sun), 30 (month end), 1
    assert got == [Job("daily", d(2026, 11, 29)), Job("weekly", d(2026, 11, 29)),
                   Job("daily", d(2026, 11, 30)), Job("monthly", d(2026, 11, 30)),
                   Job("daily", d(2026, 12, 1))]
    assert len(due(d(2025, 1, 1), d(2026, 12, 6))) >= 62  # a long outage: catch up 62 days


async def test_the_schedule_writes_each_file_once(engine, tmp_path):
    log = CallEventLog(engine)
    write_day(log)  # Saturday 2026-12-05
    await log.flush()
    clock = ManualClock(at(0, 30, day="2026-12-06"))  # Sunday 00:30: Saturday has ended
    sched = ReportSchedule(engine, clock, tmp_path, TZ, lang="en")
    written = await sched.tick()
    assert [p.relative_to(tmp_path).as_posix() for p in written] == [
        f"daily/lost-{DAY}.xlsx", f"daily/kpi-{DAY}.xlsx"]
    book = load_workbook(tmp_path / "daily" / f"lost-{DAY}.xlsx")
    assert book["by_hour"].cell(11, 3).value == 3  # 09h: 3 lost (the facts were rebuilt first)
    assert await sched.tick() == []  # done once
    assert sched.last_done() == dt.date(2026, 12, 5)
    clock.advance(86400)  # Monday 00:30: Sunday ended, and with it ISO week 49
    written = [p.relative_to(tmp_path).as_posix() for p in await sched.tick()]
    assert written == ["daily/lost-2026-12-06.xlsx", "daily/kpi-2026-12-06.xlsx", "weekly/kpi-2026-W49.xlsx"]
    week = load_workbook(tmp_path / "weekly" / "kpi-2026-W49.xlsx")
    assert week.sheetnames == ["kpi", "leaderboard", "formulas"]
    assert [c.value for c in week["leaderboard"][2]][:3] == [1, "a1", 2]
    assert not list(tmp_path.rglob("*.part"))


async def test_todays_facts_are_refreshed_at_every_check(engine, tmp_path):
    from reports import facts

    log = CallEventLog(engine)
    write_day(log)
    await log.flush()
    clock = ManualClock(at(12, 0))  # the same day, noon
    sched = ReportSchedule(engine, clock, tmp_path, TZ)
    await sched.tick()
    assert len(await facts.load(engine, [DAY])) == 6
    assert not (tmp_path / "daily" / f"lost-{DAY}.xlsx").exists()  # the day is not over
