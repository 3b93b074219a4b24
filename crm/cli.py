"""``hotline crm ...``: import / export CSV, search, run the escalation sweep."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError
from sqlalchemy.ext.asyncio import AsyncSession

from crm.csvio import CsvFileError, import_customers
from crm.escalation import apply_escalations
from crm.export import KINDS, export_csv
from crm.interaction_sync import InteractionSync, RecordingRef
from crm.models import Customer, Interaction, Ticket
from crm.search import CustomerQuery, SearchError, TicketQuery, search_customers, search_tickets
from hotline.clock import SystemClock
from hotline.db import make_engine, make_sessionmaker
from hotline.settings import get_settings

app = typer.Typer(help="CRM: customers, tickets, CSV import / export.", no_args_is_help=True)
err = Console(stderr=True, soft_wrap=True)
T = TypeVar("T")
UrlOpt = typer.Option(None, "--url", help="Database URL (default: settings).")


def _run(url: str | None, job: Callable[[AsyncSession], Awaitable[T]]) -> T:
    async def main() -> T:
        engine = make_engine(url or get_settings().database_url)
        try:
            async with make_sessionmaker(engine)() as session:
                return await job(session)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(main())
    except (OperationalError, ProgrammingError) as exc:
        if "crm_" in str(exc) and ("no such table" in str(exc) or "does not exist" in str(exc)):
            err.print("[red]The database has no CRM tables; run `hotline db upgrade` first.[/red]")
            raise typer.Exit(2) from None
        raise
    except DBAPIError as exc:
        err.print(f"[red]Database error: {exc.orig}[/red]")
        raise typer.Exit(2) from None


def _bar() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[rate]}"), TimeRemainingColumn(), console=err)


@app.command("import")
def import_(file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True,
                                        help="CSV of customers (UTF-8 or GBK)."),
            dry_run: bool = typer.Option(False, "--dry-run", help="Check everything, write nothing."),
            errors_csv: Path | None = typer.Option(None, help="Write every row error to this CSV."),
            actor: str = typer.Option("cli", help="Who the audit trail names."),
            url: str | None = UrlOpt) -> None:
    """Import customers; bad rows are reported (row, column, reason) and the rest kept.

    Exit code 0 when every row was good, 1 when rows were rejected (the good ones are
    imported), 2 when the file itself is refused."""
    data = file.read_bytes()
    clock = SystemClock()
    with _bar() as bar:
        task = bar.add_task("checking lines" if dry_run else "importing lines", total=None, rate="")
        started = clock.monotonic()

        def progress(done: int, total: int) -> None:
            rate = done / max(clock.monotonic() - started, 1e-6)
            bar.update(task, completed=done, total=total, rate=f"{rate:,.0f} rows/s")

        async def job(session: AsyncSession) -> Any:
            return await import_customers(session, data, actor=actor, now=clock.now(),
                                          dry_run=dry_run, progress=progress)

        try:
            report = _run(url, job)
        except CsvFileError as exc:
            err.print(f"[red]{file}: {exc}[/red]")
            raise typer.Exit(2) from None
    if report.errors:
        table = Table("row", "column", "reason", title=f"{len(report.errors)} problems")
        for e in report.errors[:50]:
            table.add_row(str(e.row), e.column, e.reason)
        err.print(table)
        if len(report.errors) > 50:
            err.print(f"... and {len(report.errors) - 50} more (use --errors-csv)")
    if errors_csv is not None:
        lines = ["row,column,reason"] + [f'{e.row},{e.column},"{e.reason.replace(chr(34), chr(39))}"'
                                         for e in report.errors]
        errors_csv.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    verb = "would import" if dry_run else "imported"
    rejected = len({e.row for e in report.errors})
    # the bar counts data lines (a quoted field may span several): the summary names both
    typer.echo(f"{file}: {report.encoding}, {report.lines} lines, {report.rows} rows, "
               f"{verb} {report.imported}, rejected {rejected}")
    if rejected:
        raise typer.Exit(1)


@app.command("export")
def export(kind: str = typer.Argument(..., help=f"One of: {', '.join(KINDS)}."),
           out: Path | None = typer.Option(None, "--out", "-o", help="File (default: stdout)."),
           url: str | None = UrlOpt) -> None:
    """Export customers, tickets or interactions as CSV (UTF-8 with BOM, Excel-friendly)."""
    if kind not in KINDS:
        err.print(f"[red]cannot export {kind!r}; choose one of {', '.join(KINDS)}[/red]")
        raise typer.Exit(2)
    model = {"customers": Customer, "tickets": Ticket, "interactions": Interaction}[kind]

    async def job(session: AsyncSession) -> int:
        total = (await session.execute(select(func.count()).select_from(model))).scalar_one()
        stream = out.open("w", encoding="utf-8", newline="") if out else sys.stdout
        try:
            with _bar() as bar:
                task = bar.add_task(f"exporting {kind}", total=total, rate="")
                async for chunk in export_csv(session, kind,
                                              progress=lambda n: bar.update(task, completed=n)):
                    stream.write(chunk if out else chunk.removeprefix("\ufeff"))
        finally:
            if out:
                stream.close()
        return int(total)

    n = _run(url, job)
    err.print(f"{n} {kind} exported" + (f" to {out}" if out else ""))


@app.command("search")
def search(phone: str | None = typer.Option(None, help="Any format: 13800138000, +86 10 ..."),
           name: str | None = typer.Option(None, help="Part of the name, 中文 too."),
           ticket: str | None = typer.Option(None, help="Ticket number, e.g. T0000042."),
           status: list[str] = typer.Option([], help="Ticket status (repeatable)."),
           assignee: str | None = typer.Option(None),
           page: int = typer.Option(1), page_size: int = typer.Option(20),
           url: str | None = UrlOpt) -> None:
    """Search customers (--phone/--name) or tickets (--ticket/--status/--assignee)."""
    tickets_wanted = bool(ticket or status or assignee)

    async def job(session: AsyncSession) -> Table:
        if tickets_wanted:
            items, total = await search_tickets(session, TicketQuery(
                number=ticket, status=status, assignee=assignee, phone=phone, page=page,
                page_size=page_size))
            table = Table("number", "type", "priority", "status", "assignee", "title",
                          title=f"{total} tickets")
            for t in items:
                table.add_row(t.number, t.type, t.priority, t.status, t.assignee or "", t.title)
            return table
        customers, total = await search_customers(session, CustomerQuery(
            phone=phone, name=name, page=page, page_size=page_size))
        table = Table("id", "name", "phones", "vip", "tags", title=f"{total} customers")
        for c in customers:
            table.add_row(str(c.id), c.name, " ".join(p.e164 for p in c.phones), str(c.vip_level),
                          ",".join(c.tags))
        return table

    try:
        Console().print(_run(url, job))
    except SearchError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None


@app.command("escalate")
def escalate(url: str | None = UrlOpt) -> None:
    """Apply every escalation (督办) that is due now, using the departments' leads/managers."""

    async def job(session: AsyncSession) -> list[Any]:
        return await apply_escalations(session, SystemClock().now(), actor="cli")

    for a in _run(url, job):
        typer.echo(f"ticket {a.escalation.ticket_id}: level {a.escalation.level} "
                   f"({a.escalation.reason}) -> {a.to or 'nobody configured'}")


# Set by the composition root (hotline.app.cli) so backfilled interactions get their
# recording reference; crm itself does not import the recordings package.
recording_ref: RecordingRef | None = None


@app.command("sync-interactions")
def sync_interactions(days: float = typer.Option(1.0, "--days", min=0.0,
                                                 help="Look back this many days in the call-event log."),
                      url: str | None = UrlOpt) -> None:
    """Write a CRM interaction for every wrap-up in the call-event log that has none (idempotent)."""

    async def main() -> int:
        engine = make_engine(url or get_settings().database_url)
        try:
            clock = SystemClock()
            sync = InteractionSync(make_sessionmaker(engine), clock, recording_ref=recording_ref)
            return await sync.run_once(since_ts=clock.now() - days * 86400)
        finally:
            await engine.dispose()

    try:
        written = asyncio.run(main())
    except DBAPIError as exc:
        err.print(f"[red]Database error: {exc.orig}[/red]")
        raise typer.Exit(2) from None
    typer.echo(f"{written} interaction(s) written from the wrap-ups of the last {days:g} day(s)")
