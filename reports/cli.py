"""``hotline reports ...``: rebuild the per-call facts, the daily lost-call report, KPIs,
win-back, with CSV / XLSX / JSON output.

Days are local days of the centre's time zone (settings ``timezone``). Every report reads
``report_call_facts``; ``rebuild`` derives them from the call-event log (the daily job does
yesterday on its own, see :mod:`reports.schedule`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.db import with_engine
from hotline.settings import get_settings
from reports import facts, kpi, lost, winback
from reports.export import Sheet, header, to_csv, to_xlsx
from reports.views import kpi_sheets, lost_sheets, winback_sheets

app = typer.Typer(help="Reports: lost calls (呼损), KPIs, win-back, from the call-event log.",
                  no_args_is_help=True)
out_console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
T = TypeVar("T")
UrlOpt = typer.Option(None, "--url", help="Database URL (default: settings).")
FormatOpt = typer.Option("table", "--format", "-f", help="table, json, csv or xlsx.")
OutOpt = typer.Option(None, "--out", "-o", help="File to write (csv / xlsx need it or stdout).")
LangOpt = typer.Option("zh", "--lang", help="zh or en: headers and labels.")

# Set by the application (hotline.app.cli): may a number be called now? (reason or None)
refusal: Callable[[str, float], str | None] | None = None


def _tz() -> ZoneInfo:
    return ZoneInfo(get_settings().timezone)


def _day(text: str | None, default: dt.date) -> dt.date:
    if text is None:
        return default
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a day; write it as YYYY-MM-DD") from None


def _days(a: dt.date, b: dt.date) -> list[str]:
    if b < a:
        raise typer.BadParameter(f"--to {b} is before --from {a}")
    return [(a + dt.timedelta(days=i)).isoformat() for i in range((b - a).days + 1)]


def _yesterday() -> dt.date:
    return dt.datetime.now(_tz()).date() - dt.timedelta(days=1)


def _run(url: str | None, job: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    try:
        return asyncio.run(with_engine(url or get_settings().database_url, job))
    except (OperationalError, ProgrammingError) as exc:
        if "no such table" in str(exc) or "does not exist" in str(exc):
            err.print("[red]The database has no report tables; run `hotline db upgrade` first.[/red]")
            raise typer.Exit(2) from None
        raise
    except DBAPIError as exc:
        err.print(f"[red]Database error: {exc.orig}[/red]")
        raise typer.Exit(2) from None


def _emit(sheets: list[Sheet], fmt: str, out: Path | None, lang: str, payload: Any) -> None:
    if fmt == "json":
        text = json.dumps(payload, ensure_ascii=False, indent=2, default=str)
        if out:
            out.write_text(text, encoding="utf-8")
        else:
            typer.echo(text)
    elif fmt == "csv":
        data = to_csv(sheets[0], lang)
        if out is None:  # the first sheet only; with --out, one file per sheet
            typer.echo(data.decode("utf-8-sig"), nl=False)
        else:
            out.write_bytes(data)
            for s in sheets[1:]:  # one file per sheet beside the first
                out.with_name(f"{out.stem}-{s.title}{out.suffix}").write_bytes(to_csv(s, lang))
    elif fmt == "xlsx":
        if out is None:
            raise typer.BadParameter("xlsx needs --out FILE")
        out.write_bytes(to_xlsx(sheets, lang))
    elif fmt == "table":
        for s in sheets:
            if not s.rows:
                continue
            t = Table(title=s.title)
            for c in s.columns:
                t.add_column(header(c, lang))
            for r in s.rows[:200]:
                t.add_row(*["" if r.get(c) is None else str(round(r[c], 4) if isinstance(r.get(c), float)
                                                            else r[c]) for c in s.columns])
            out_console.print(t)
    else:
        raise typer.BadParameter(f"--format must be table, json, csv or xlsx, not {fmt!r}")
    if out is not None:
        err.print(f"wrote {out}")


@app.command("rebuild")
def rebuild_cmd(since: str = typer.Option(None, "--from", help="First day (default yesterday)."),
                until: str = typer.Option(None, "--to", help="Last day (default --from)."),
                short_s: float = typer.Option(5.0, help="Short-abandon threshold, seconds."),
                url: str | None = UrlOpt) -> None:
    """Derive the per-call facts of the given days again from the call-event log."""
    a = _day(since, _yesterday())
    days = _days(a, _day(until, a))
    tz = _tz()

    async def job(engine: AsyncEngine) -> int:
        total = 0
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeRemainingColumn(), console=err) as bar:
            task = bar.add_task("rebuilding days", total=len(days))
            for d in days:
                n = await facts.rebuild(engine, *facts.day_bounds(dt.date.fromisoformat(d), tz),
                                        tz, short_s)
                total += n
                bar.update(task, advance=1, description=f"{d}: {n} calls")
        return total

    n = _run(url, job)
    err.print(f"{n} calls in {len(days)} day(s) rebuilt")


@app.command("lost")
def lost_cmd(day: str = typer.Option(None, "--day", help="Local day (default yesterday)."),
             fmt: str = FormatOpt, out: Path | None = OutOpt, lang: str = LangOpt,
             url: str | None = UrlOpt) -> None:
    """The daily lost-call report (呼损): by hour with peaks, queue, fate, region, node,
    wait, the agents at that moment; day over day and week over week."""
    d = _day(day, _yesterday())
    rep = _run(url, lambda e: lost.daily(e, d.isoformat(), _tz()))
    t = rep.totals
    err.print(f"{rep.day}: {t.calls} calls, {t.lost} lost ({t.lost_rate:.1%}); "
              f"day over day {rep.dod_points:+.2f} pt, week over week {rep.wow_points:+.2f} pt; "
              f"peaks at {', '.join(f'{h:02d}h' for h in rep.peaks) or 'none'}")
    _emit(lost_sheets(rep), fmt, out, lang, rep.as_dict())


def _thresholds(items: list[str]) -> dict[str, float]:
    out = {}
    for it in items:
        q, sep, v = it.partition("=")
        try:
            out[q] = float(v)
        except ValueError:
            raise typer.BadParameter(f"{it!r}: write QUEUE=SECONDS, e.g. support=20") from None
        if not sep or not q:
            raise typer.BadParameter(f"{it!r}: write QUEUE=SECONDS, e.g. support=20")
    return out


@app.command("kpi")
def kpi_cmd(since: str = typer.Option(None, "--from", help="First day (default yesterday)."),
            until: str = typer.Option(None, "--to", help="Last day (default --from)."),
            period: str = typer.Option("60", help="15, 30, 60, day, week or month."),
            by: str = typer.Option("all", help="all, queue, agent or skill."),
            sl: str = typer.Option("offered", help=f"Service-level variant: {', '.join(kpi.SL_VARIANTS)}."),
            threshold: float = typer.Option(20.0, help="SL threshold T, seconds."),
            repeat_hours: float = typer.Option(24.0, help="A call is a repeat within this many hours."),
            queue_threshold: list[str] = typer.Option([], "--queue-threshold",
                                                      help="Per queue: support=20 (repeatable)."),
            fmt: str = FormatOpt, out: Path | None = OutOpt, lang: str = LangOpt,
            url: str | None = UrlOpt) -> None:
    """KPIs per interval / day / week / month, per queue or agent, each with its formula."""
    if sl not in kpi.SL_VARIANTS:
        raise typer.BadParameter(f"--sl must be one of {', '.join(kpi.SL_VARIANTS)}")
    a = _day(since, _yesterday())
    days = _days(a, _day(until, a))
    th = _thresholds(queue_threshold)
    try:
        rows = _run(url, lambda e: kpi.kpi_table(e, days, period, by, th, threshold,
                                                    repeat_hours * 3600, tz=_tz()))
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    sheets = kpi_sheets(rows, sl, f"{threshold:g}", lang)
    _emit(sheets, fmt, out, lang, {"rows": sheets[0].rows, "formulas": kpi.formulas(sl, f"{threshold:g}")})


@app.command("winback")
def winback_cmd(since: str = typer.Option(None, "--from", help="First day (default yesterday)."),
                until: str = typer.Option(None, "--to", help="Last day (default --from)."),
                agent: list[str] = typer.Option([], "--agent", help="Assign to these agents (repeatable)."),
                horizon_h: float = typer.Option(72.0, help="A later contact counts within this many hours."),
                fmt: str = FormatOpt, out: Path | None = OutOpt, lang: str = LangOpt,
                url: str | None = UrlOpt) -> None:
    """Were lost callers reached later; the recovery rate per day; the callback worklist."""
    tz = _tz()
    a = _day(since, _yesterday())
    b = _day(until, a)
    _days(a, b)
    start, _ = facts.day_bounds(a, tz)
    _, end = facts.day_bounds(b, tz)
    now = dt.datetime.now(tz).timestamp()
    res = _run(url, lambda e: winback.analyse(e, start, end, now, refusal, agent, horizon_h * 3600))
    for d in res["days"]:
        err.print(f"{d['day']}: {d['recovered']} of {d['lost_callers']} lost callers reached "
                  f"({d['rate']:.1%}); {len(res['worklist'])} to call back, {len(res['held'])} held")
    sheets = winback_sheets(res)
    payload = {"days": res["days"], "worklist": sheets[1].rows, "held": sheets[2].rows}
    _emit(sheets, fmt, out, lang, payload)


@app.command("staffing")
def staffing_cmd(day: str = typer.Option(None, "--day", help="Local day to plan (default today)."),
                 interval: int = typer.Option(30, help="Interval, minutes: 15, 30 or 60."),
                 target_sl: float = typer.Option(0.8, "--sl", help="Target service level, e.g. 0.8."),
                 threshold: float = typer.Option(20.0, help="SL threshold T, seconds."),
                 shrinkage: float = typer.Option(0.3, help="Share of paid time not on the phones."),
                 weeks: int = typer.Option(4, help="Same weekday over this many past weeks."),
                 queue: str | None = typer.Option(None, help="One queue (default all)."),
                 what_if_agents: int | None = typer.Option(
                     None, "--what-if-agents", help="Run each busy interval through the router with N agents."),
                 fmt: str = FormatOpt, out: Path | None = OutOpt, lang: str = LangOpt,
                 url: str | None = UrlOpt) -> None:
    """Agents needed per interval (Erlang C and A, shrinkage) vs. logged in; what-if runs."""
    from reports import staffing

    d = _day(day, dt.datetime.now(_tz()).date())
    if not 0 < target_sl < 1:
        raise typer.BadParameter("--sl must be between 0 and 1, e.g. 0.8")
    try:
        p = _run(url, lambda e: staffing.staffing(e, d.isoformat(), _tz(), interval, target_sl,
                                                   threshold, shrinkage, weeks, queue))
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    bt = p.backtest
    err.print(f"{p.day}: model {p.model}, patience "
              f"{'—' if p.patience is None else f'{p.patience:.0f} s'}, from {len(p.days_used)} "
              f"past day(s) {', '.join(p.days_used) or '(none: no forecast)'}; backtest WAPE "
              f"{'—' if not bt or bt.wape_same_weekday is None else f'{bt.wape_same_weekday:.1%}'} "
              f"(day before: {'—' if not bt or bt.wape_day_before is None else f'{bt.wape_day_before:.1%}'})")
    rows = p.as_dict()["rows"]
    if what_if_agents is not None:
        for r, row in zip(rows, p.rows, strict=True):
            if row.forecast > 0:
                w = staffing.what_if(row, what_if_agents, interval, p.patience, threshold)
                r.update(what_if_agents=what_if_agents, what_if_sl=w.service_level,
                         what_if_abandon=w.abandon_rate)
    cols = ["slot", "forecast", "aht", "erlang_c", "erlang_a", "required", "logged_in", "gap", "actual"]
    if what_if_agents is not None:
        cols += ["what_if_agents", "what_if_sl", "what_if_abandon"]
    busy = [r for r in rows if r["forecast"] or r["logged_in"]]
    _emit([Sheet("staffing", cols, busy if fmt == "table" else rows)], fmt, out, lang,
          {**p.as_dict(), "rows": rows})


@app.command("import-cdrs")
def import_cdrs_cmd(path: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True,
                                                help="Asterisk's cdr_csv Master.csv."),
                    dry_run: bool = typer.Option(False, "--dry-run", help="Check only, store nothing."),
                    url: str | None = UrlOpt) -> None:
    """Import past CDRs from Master.csv (bad lines are reported with why; good ones kept)."""
    from reports import cdrs

    res = cdrs.read_master_csv(path.read_bytes(), get_settings().asterisk_timezone)
    for p in res.problems[:50]:
        err.print(f"[yellow]line {p.line}: {p.reason}[/yellow]")
    if len(res.problems) > 50:
        err.print(f"[yellow]... and {len(res.problems) - 50} more bad lines[/yellow]")
    stored = 0 if dry_run else _run(url, lambda e: cdrs.store_cdrs(e, res.cdrs))
    err.print(f"{res.lines} lines: {len(res.cdrs)} CDRs read, {len(res.problems)} bad; "
              f"{'would store' if dry_run else 'stored'} {len(res.cdrs) if dry_run else stored} "
              "(a CDR already stored is kept once)")


@app.command("reconcile")
def reconcile_cmd(since: str = typer.Option(None, "--from", help="First day (default yesterday)."),
                  until: str = typer.Option(None, "--to", help="Last day (default --from)."),
                  fmt: str = FormatOpt, out: Path | None = OutOpt, lang: str = LangOpt,
                  url: str | None = UrlOpt) -> None:
    """Asterisk's CDRs against our calls: calls Asterisk saw that we did not, and the
    reverse, each with its explanation where one can be named. Exit 1 if any is unexplained."""
    from reports import reconcile

    tz = _tz()
    a = _day(since, _yesterday())
    b = _day(until, a)
    _days(a, b)
    start, _ = facts.day_bounds(a, tz)
    _, end = facts.day_bounds(b, tz)
    res = _run(url, lambda e: reconcile.reconcile(e, start, end, trunk=get_settings().trunk_endpoint))
    err.print(f"{a}..{b}: {len(res.matched)} CDRs matched; {len(res.missing_in_ours)} CDRs with no call "
              f"of ours, {len(res.missing_in_asterisk)} calls of ours with no CDR; "
              f"{res.unexplained} unexplained")
    rows = [{"side": side, "uniqueid": u.uniqueid, "channel": u.channel, "call_id": u.call_id,
             "reason": u.reason or "UNEXPLAINED", "explanation": u.explanation or ""}
            for side, us in (("asterisk_only", res.missing_in_ours), ("ours_only", res.missing_in_asterisk))
            for u in us]
    _emit([Sheet("reconciliation", ["side", "uniqueid", "channel", "call_id", "reason", "explanation"],
                 rows)], fmt, out, lang, res.as_dict())
    if res.unexplained:
        raise typer.Exit(1)


@app.command("whatif")
def whatif_cmd(calls_per_hour: float = typer.Option(..., help="Arrivals per hour."),
               aht: float = typer.Option(180.0, help="Mean handle time, seconds."),
               patience: float | None = typer.Option(120.0, help="Mean patience, s (0: callers never leave)."),
               group: list[str] = typer.Option(..., "--group", help="Agents: billing:5,zh:3=4 (repeatable)."),
               mix: list[str] = typer.Option(..., "--mix", help="Calls: billing,zh=0.3 (repeatable)."),
               threshold: float = typer.Option(20.0, help="SL threshold T, seconds."),
               seed: int = typer.Option(1), fmt: str = FormatOpt, out: Path | None = OutOpt,
               lang: str = LangOpt) -> None:
    """A changed staffing or skills matrix through the real router (reports.desim)."""
    from reports import staffing

    try:
        res = staffing.what_if_matrix(calls_per_hour, aht, patience or None, "; ".join(group),
                                      "; ".join(mix), threshold, seed)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    err.print(f"{res['agents']} agents, {calls_per_hour:g} calls/h: SL {res['service_level']:.1%} "
              f"(+- {res['service_level_half_width']:.1%}), ASA {res['asa']:.1f} s, "
              f"abandoned {res['abandon_rate']:.1%}")
    _emit([Sheet("whatif", ["type", "offered", "answered", "abandoned", "service_level", "abandon_rate"],
                 res["by_type"])], fmt, out, lang, res)
