"""``hotline qa rates`` and ``hotline qa leaderboard``: the QA page's rates table and team
leaderboard on the command line, over the whole centre (the CLI is the admin's; no team
scope). Groups and teams are the console's team tree, so these live at the console's
layer and the composition root mounts them under ``hotline qa``. Messages follow the
user's language (``hotline.cli_lang``)."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from agent_console import qa_rates
from agent_console.scope import Scope
from hotline.cli_lang import say
from hotline.db import make_sessionmaker, with_engine
from hotline.settings import get_settings
from qa.evaluations import RANKINGS, RateRow
from qa.scoring import RATE_FORMULAS, Rates

out = Console()
UrlOpt = typer.Option(None, "--url", help="Database URL (default: settings).")
FromOpt = typer.Option(None, "--from", help="First day (UTC) scored, e.g. 2027-01-01.")
ToOpt = typer.Option(None, "--to", help="Last day (UTC) scored, included.")


def _day(text: str | None, end: bool = False) -> float | None:
    if text is None:
        return None
    try:
        d = dt.datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=dt.UTC)
    except ValueError:
        raise typer.BadParameter(say(f"{text!r} is not a day; write it as 2027-01-15.")) from None
    return (d + dt.timedelta(days=1 if end else 0)).timestamp()


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.2f} %"


def _cells(r: Rates) -> list[str]:
    return [str(r.evaluations), "–" if r.average_score is None else f"{r.average_score:.1f}",
            _pct(r.fatal_item_rate), _pct(r.non_fatal_item_rate), _pct(r.fatal_evaluation_rate)]


HEAD = ["evals", "avg score", "fatal item", "non-fatal item", "evals w/ fatal"]


def _table(*keys: str) -> Table:
    """Keys (agent, team, period) never wrap; the figures give way on a narrow terminal."""
    t = Table()
    for k in keys:
        t.add_column(k, no_wrap=True)
    for h in HEAD:
        t.add_column(h, justify="right")
    return t


def rates(by: str = typer.Option("agent", help="agent, group (小组), team (班组) or centre."),
          period: str = typer.Option("all", help="day, week, month or all."),
          since: str | None = FromOpt, until: str | None = ToOpt,
          csv: Path | None = typer.Option(None, help="Write the table as CSV (UTF-8 with BOM) to this file."),
          url: str | None = UrlOpt) -> None:
    """Evaluations, average score, fatal and non-fatal item rates per agent / group / team / centre."""
    lo, hi = _day(since), _day(until, end=True)

    async def job(engine: AsyncEngine) -> list[RateRow]:
        async with make_sessionmaker(engine)() as s:
            return await qa_rates.rate_rows(s, Scope(agents=None), by, period, lo, hi)

    try:
        rows = asyncio.run(with_engine(url or get_settings().database_url, job))
    except ValueError as exc:
        raise typer.BadParameter(say(str(exc))) from None
    if csv is not None:
        csv.write_text(qa_rates.to_csv(rows, RATE_FORMULAS), encoding="utf-8")
        typer.echo(say(f"{len(rows)} row(s) written to {csv}"))
        return
    t = _table(by, "period")
    for r in rows:
        t.add_row(r.group, r.period, *_cells(r.rates))
    out.print(t)
    for k, f in RATE_FORMULAS.items():
        out.print(f"{k} = {f}")


def leaderboard(level: str = typer.Option("team_lead", help="agent, group_lead, team_lead, supervisor or manager."),
                rank_by: str = typer.Option("average_score", help=", ".join(RANKINGS)),
                since: str | None = FromOpt, until: str | None = ToOpt, url: str | None = UrlOpt) -> None:
    """Agents or the teams of one level of the team tree (each over its subtree), ranked."""
    lo, hi = _day(since), _day(until, end=True)

    async def job(engine: AsyncEngine) -> list[qa_rates.BoardRow]:
        async with make_sessionmaker(engine)() as s:
            return await qa_rates.leaderboard(s, Scope(agents=None), level, rank_by, lo, hi)

    try:
        board = asyncio.run(with_engine(url or get_settings().database_url, job))
    except ValueError as exc:
        raise typer.BadParameter(say(str(exc))) from None
    t = _table("rank", level, "parent", "agents")
    for b in board:
        t.add_row("–" if b.rank is None else str(b.rank), b.key, b.parent or "", str(b.agents), *_cells(b.rates))
    out.print(t)
