"""Scheduled report files: every day the day before, every Sunday's week, every month's
last day's month, written as XLSX under ``reports_dir`` (settings).

Each day D that has ended since the last run (``.last_done`` in the directory holds the
last day done) gives, in order:

* ``daily/facts`` — :func:`reports.facts.rebuild` of D (late rows included);
* ``daily/lost-D.xlsx`` — the lost-call report (:mod:`reports.lost`);
* ``daily/kpi-D.xlsx`` — hourly KPIs per queue, with the formulas sheet;
* if D is a Sunday: ``weekly/kpi-YYYY-Www.xlsx`` — the ISO week per day and queue, and
  the agents' leaderboard;
* if D is the last day of its month: ``monthly/kpi-YYYY-MM.xlsx`` — the month per day and
  queue, and the leaderboard.

Every check (``every_s``, 5 min) also derives today's facts so far, so the reports page
shows today within minutes (``refresh_today``). A first run (no ``.last_done``) does
yesterday only. A day is marked done after all its
files are written, so a crash in the middle redoes that day; files are written to a
temporary name and renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.clock import Clock
from reports import facts, kpi, lost
from reports.export import Sheet, to_xlsx
from reports.views import kpi_sheets, lost_sheets

log = logging.getLogger(__name__)
MAX_CATCH_UP_DAYS = 62


@dataclass(frozen=True, slots=True)
class Job:
    kind: str  # daily | weekly | monthly
    day: dt.date  # the day that ended (the last day of the week / month)


def due(last_done: dt.date | None, today: dt.date) -> list[Job]:
    """The jobs for every day that ended after ``last_done`` (pure)."""
    yesterday = today - dt.timedelta(days=1)
    first = yesterday if last_done is None else last_done + dt.timedelta(days=1)
    first = max(first, yesterday - dt.timedelta(days=MAX_CATCH_UP_DAYS - 1))
    out: list[Job] = []
    d = first
    while d <= yesterday:
        out.append(Job("daily", d))
        if d.weekday() == 6:
            out.append(Job("weekly", d))
        if (d + dt.timedelta(days=1)).day == 1:
            out.append(Job("monthly", d))
        d += dt.timedelta(days=1)
    return out


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


async def run_job(engine: AsyncEngine, job: Job, out_dir: Path, tz: ZoneInfo, lang: str = "zh",
                  threshold: float = 20.0) -> list[Path]:
    d = job.day
    written: list[Path] = []
    if job.kind == "daily":
        await facts.rebuild(engine, *facts.day_bounds(d, tz), tz)
        rep = await lost.daily(engine, d.isoformat(), tz)
        p = out_dir / "daily" / f"lost-{d}.xlsx"
        _write(p, to_xlsx(lost_sheets(rep), lang))
        written.append(p)
        rows = await kpi.kpi_table(engine, [d.isoformat()], "60", "queue", default_threshold=threshold, tz=tz)
        p = out_dir / "daily" / f"kpi-{d}.xlsx"
        _write(p, to_xlsx(kpi_sheets(rows, "offered", f"{threshold:g}", lang), lang))
        written.append(p)
        return written
    if job.kind == "weekly":
        days = [(d - dt.timedelta(days=k)).isoformat() for k in range(6, -1, -1)]
        y, w, _ = d.isocalendar()
        p = out_dir / "weekly" / f"kpi-{y}-W{w:02d}.xlsx"
    else:
        first = d.replace(day=1)
        days = [(first + dt.timedelta(days=k)).isoformat() for k in range((d - first).days + 1)]
        p = out_dir / "monthly" / f"kpi-{d:%Y-%m}.xlsx"
    by_day = await kpi.kpi_table(engine, days, "day", "queue", default_threshold=threshold, tz=tz)
    agents = await kpi.kpi_table(engine, days, "day", "agent", default_threshold=threshold, tz=tz)
    board = kpi.leaderboard([r for r in agents if r.key != "—"], "answered")
    sheets = kpi_sheets(by_day, "offered", f"{threshold:g}", lang)
    sheets.insert(1, Sheet("leaderboard", ["rank", "key", "answered", "aht", "service_level"], board))
    _write(p, to_xlsx(sheets, lang))
    return [p]


class ReportSchedule:
    """Writes the files of every ended day once; :meth:`tick` is one check."""

    def __init__(self, engine: AsyncEngine, clock: Clock, out_dir: Path, tz: ZoneInfo,
                 lang: str = "zh", every_s: float = 300.0, refresh_today: bool = True) -> None:
        self.engine, self.clock, self.out_dir, self.tz = engine, clock, out_dir, tz
        self.lang, self.every_s, self.refresh_today = lang, every_s, refresh_today
        self._state = out_dir / ".last_done"

    def last_done(self) -> dt.date | None:
        try:
            return dt.date.fromisoformat(self._state.read_text(encoding="utf-8").strip())
        except (FileNotFoundError, ValueError):
            return None

    async def tick(self) -> list[Path]:
        today = dt.datetime.fromtimestamp(self.clock.now(), self.tz).date()
        if self.refresh_today:
            await facts.rebuild(self.engine, *facts.day_bounds(today, self.tz), self.tz)
        written: list[Path] = []
        jobs = due(self.last_done(), today)
        for i, job in enumerate(jobs):
            written += await run_job(self.engine, job, self.out_dir, self.tz, self.lang)
            last_of_day = i + 1 == len(jobs) or jobs[i + 1].day != job.day
            if last_of_day:
                _write(self._state, job.day.isoformat().encode())
        for p in written:
            log.info("report file written: %s", p)
        return written

    async def run(self) -> None:
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:  # a full disk or a database hiccup: try again at the next check
                log.exception("scheduled reports failed; retrying in %.0f s", self.every_s)
            await asyncio.sleep(self.every_s)
