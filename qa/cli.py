"""``hotline qa …``: automatic audio QA and script compliance of every indexed recording,
and the sampling job that assigns the period's calls to evaluators. Messages are in Chinese
for a Chinese locale or ``hotline --lang zh`` (``hotline.cli_lang``)."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.cli_lang import say
from hotline.clock import SystemClock
from hotline.db import with_engine
from hotline.settings import get_settings
from qa.assignment import sample as sample_job
from qa.autoqa import analyse_pending
from qa.compliance import check_pending
from qa.sampling import Rules
from recordings.store import RecordingStore

T = TypeVar("T")
app = typer.Typer(help="Quality assurance: automatic QA, script compliance, sampling.", no_args_is_help=True)
UrlOpt = typer.Option(None, "--url", help="Database URL (default: settings).")


def _run(url: str | None, job: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    return asyncio.run(with_engine(url or get_settings().database_url, job))


def _store() -> RecordingStore:
    return RecordingStore(get_settings().recordings_dir)


@app.command()
def analyse(url: str = UrlOpt, dead_air: float = typer.Option(5.0, help="Seconds of shared silence that count as dead air.")) -> None:
    """Talk time per party, dead air, overtalk, monologue and flags for every recording not yet analysed."""
    out = _run(url, lambda e: analyse_pending(e, _store(), now=SystemClock().now(), dead_air_min_s=dead_air))
    for err in out.errors:
        typer.echo(say(err), err=True)
    typer.echo(say(f"{out.analysed} recording(s) analysed, {len(out.errors)} unreadable"))


@app.command()
def scripts(url: str = UrlOpt) -> None:
    """Required and forbidden phrases of the scripted form items, on every recording not yet checked."""
    out = _run(url, lambda e: check_pending(e, _store(), now=SystemClock().now()))
    for err in out.errors:
        typer.echo(say(err), err=True)
    typer.echo(say(f"{out.checked} recording(s) checked ({out.no_engine} with no speech engine for the "
                   f"form's language), {len(out.errors)} unreadable"))


@app.command()
def sample(day: str = typer.Argument(..., help="The day (UTC) whose calls are sampled, e.g. 2027-01-15."),
           evaluators: str = typer.Option(..., help="Comma-separated user names of the QA evaluators."),
           form: str = typer.Option("inbound", help="The scorecard form key."),
           per_agent: int = typer.Option(2, min=0, help="Random calls per agent."),
           days: int = typer.Option(1, min=1, max=31, help="Sample this many days from DAY (7: a week)."),
           due_days: float = typer.Option(3.0, min=0.1, help="Days the evaluator has."),
           seed: int | None = typer.Option(None, help="Random seed (to reproduce a draw)."),
           url: str = UrlOpt) -> None:
    """Pick the calls to evaluate (targeted rules, then k random per agent) and assign them."""
    try:
        start = dt.datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=dt.UTC).timestamp()
    except ValueError:
        raise typer.BadParameter(say(f"{day!r} is not a day; write it as 2027-01-15.")) from None
    names = [n.strip() for n in evaluators.split(",") if n.strip()]
    if not names:
        raise typer.BadParameter(say("Name at least one evaluator, e.g. --evaluators qa,qa2."))
    out = _run(url, lambda e: sample_job(e, since=start, until=start + days * 86400, evaluators=names, form_key=form,
                                         now=SystemClock().now(), rng=random.Random(seed),
                                         rules=Rules(per_agent=per_agent, due_days=due_days)))
    for a in out.assignments:
        typer.echo(say(f"recording {a.recording_id} agent {a.agent} -> {a.evaluator} ({a.rule})"))
    for err in out.errors:
        typer.echo(say(err), err=True)
    typer.echo(say(f"{len(out.evaluation_ids)} evaluation(s) assigned"))
