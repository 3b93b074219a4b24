"""``hotline recordings …``: index recordings after the call, purge by retention, legal hold."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.clock import SystemClock
from hotline.db import with_engine
from hotline.settings import get_settings
from recordings.index import index_pending
from recordings.retention import purge as purge_job
from recordings.retention import retention_days, set_hold, set_retention
from recordings.store import RecordingStore

T = TypeVar("T")
app = typer.Typer(help="Recordings: index, retention, legal hold.", no_args_is_help=True)
UrlOpt = typer.Option(None, "--url", help="Database URL (default: settings).")


def _run(url: str | None, job: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    return asyncio.run(with_engine(url or get_settings().database_url, job))


def _store() -> RecordingStore:
    return RecordingStore(get_settings().recordings_dir)


@app.command()
def index(url: str = UrlOpt,
          settle: float = typer.Option(60.0, help="Seconds after a call starts before its files are read."),
          recheck: bool = typer.Option(False, help="Re-read every recording not purged (finds lost files).")) -> None:
    """Fill duration, bytes, sha256 and format from the files; flag missing / truncated ones."""
    out = _run(url, lambda e: index_pending(e, _store(), now=SystemClock().now(), settle_s=settle,
                                            recheck=recheck, progress=typer.echo))
    typer.echo(f"{out.indexed} recording(s) indexed, {len(out.flagged)} flagged")


@app.command()
def purge(url: str = UrlOpt) -> None:
    """Delete the files of recordings past their queue's retention (never legal holds)."""
    out = _run(url, lambda e: purge_job(e, _store(), now=SystemClock().now(), progress=typer.echo))
    typer.echo(f"{len(out.purged)} recording(s) purged, {len(out.removed)} file(s) removed")


def _hold(recording_id: int, hold: bool, url: str | None) -> None:
    if not _run(url, lambda e: set_hold(e, recording_id, hold)):
        typer.echo(f"There is no recording {recording_id}; check the id (hotline recordings index lists them).",
                   err=True)
        raise typer.Exit(1)
    typer.echo(f"recording {recording_id}: legal hold {'set' if hold else 'released'}")


@app.command()
def hold(recording_id: int, url: str = UrlOpt) -> None:
    """Put a recording under legal hold: retention never deletes it."""
    _hold(recording_id, True, url)


@app.command()
def release(recording_id: int, url: str = UrlOpt) -> None:
    """Release a legal hold: the recording follows its queue's retention again."""
    _hold(recording_id, False, url)


@app.command()
def retention(queue: str = typer.Argument(None, help="Queue name, or * for every other queue."),
              days: int = typer.Argument(None, help="Days to keep; 0 removes the rule."),
              url: str = UrlOpt) -> None:
    """Show the retention rules, or set one queue's days."""
    if queue is not None and days is not None:
        if days < 0:
            typer.echo("Days must be 0 (remove the rule) or more.", err=True)
            raise typer.Exit(2)
        _run(url, lambda e: set_retention(e, queue, days or None))
    for q, d in sorted(_run(url, retention_days).items()):
        typer.echo(f"{q}\t{d} days")
