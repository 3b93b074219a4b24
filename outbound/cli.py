"""``hotline outbound ...``: campaigns, their lists and DNC numbers, start / pause / stop,
live figures and the campaign report (CSV).

A running backend (``hotline serve``) picks a state change up within a few seconds
(``outbound.service.Campaigns.sync``); the figures read the call-event log. Messages (and
the reasons of rejected rows) are in Chinese for a Chinese locale or ``hotline --lang zh``
(``hotline.cli_lang``).

A change (create, edit, start / pause / stop, a list or do-not-call import, a list from the
product) and the report export write the console's audit row the page writes for it, in
the same transaction, with the actor ``cli:<os user>``. The audit log is the console's
(``agent_console.store.audit``), a layer above: the composition root (``hotline.app.cli``)
installs it as :data:`audit`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import getpass
import json
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from crm.csvio import CsvFileError
from hotline.cli_lang import say
from hotline.db import with_engine
from hotline.settings import get_settings
from outbound.campaign import (
    Action,
    CampaignConfig,
    CampaignError,
    Mode,
    format_retries,
    parse_retries,
)
from outbound.compliance import DEFAULT_RETRIES
from outbound.lists import ListReport, export_dnc, import_contacts, import_dnc
from outbound.report import CampaignReport, campaign_report
from outbound.service import (
    campaign_row,
    config_of,
    create_campaign,
    edit_campaign,
    figures,
    set_state,
    settings_of,
)
from outbound.sources import SourceReport, from_answered_calls, from_lost_calls, from_tickets

app = typer.Typer(help="Outbound campaigns: lists, DNC, start / pause / stop, figures, report.",
                  no_args_is_help=True)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
T = TypeVar("T")
UrlOpt = typer.Option(None, "--url", help="Database URL (default: settings).")


class AuditLog(Protocol):
    async def __call__(self, session: AsyncSession, *, now: float, actor: str, action: str,
                       target: str | None = None, data: dict[str, Any] | None = None) -> None: ...


audit: AuditLog | None = None  # installed by hotline.app.cli (agent_console.store.audit)


def actor() -> str:
    """``cli:<os user>``: who ran the command, as the audit log names them."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # no login name in the environment and no passwd entry
        user = "unknown"
    return f"cli:{user}"[:64]


async def _audit(session: AsyncSession, action: str, target: str, data: dict[str, Any] | None = None) -> None:
    """The page's audit row for ``action``, in the change's own session (they commit together)."""
    if audit is not None:
        await audit(session, now=time.time(), actor=actor(), action=action, target=target, data=data)


def _list_data(report: ListReport) -> dict[str, Any]:
    d = report.as_dict()
    return {"encoding": d["encoding"], "rows": d["rows"], "imported": d["imported"], "rejected": d["rejected"]}


def _fail(message: str) -> typer.Exit:
    """Print ``message`` as the command's error; raise what this returns."""
    err.print(f"[red]{say('error')}:[/red] {say(message)}")
    return typer.Exit(2)


def _run(url: str | None, job: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    try:
        return asyncio.run(with_engine(url or get_settings().database_url, job))
    except (CampaignError, CsvFileError, ValueError) as exc:
        raise _fail(str(exc)) from None


def _read(file: Path) -> bytes:
    try:
        return file.read_bytes()
    except OSError as exc:
        raise _fail(f"cannot read {file} ({exc.strerror}); check the path") from None


@app.command("create")
def create(name: str, queue: str = typer.Option(..., help="The ACD queue whose members work it."),
           caller_id: str = typer.Option(..., "--caller-id"),
           mode: Mode = typer.Option(Mode.PROGRESSIVE), hours: str = typer.Option("09:00-21:00"),
           max_per_day: int = typer.Option(3),
           max_total: int | None = typer.Option(None, help="Attempts per record in all (default: "
                                                            "only the retry rules bound them)."),
           retries: str = typer.Option(format_retries(DEFAULT_RETRIES),
                                       help="Per result: seconds later / max retries."),
           dispositions: str = typer.Option("done;callback;refused;wrong_number",
                                            help="The agents' wrap-up codes, separated by ;"),
           script: str | None = typer.Option(None, help="The script the agents read."),
           abandon_cap: float = typer.Option(0.03),
           amd: str = typer.Option("off", help="Answering machine: off, hangup, message, agent."),
           amd_message: str | None = typer.Option(None, help="The prompt `--amd message` leaves."),
           url: str | None = UrlOpt) -> None:
    """Create a campaign (draft)."""
    try:
        cfg = CampaignConfig(name, mode, queue, caller_id, hours=hours, max_per_day=max_per_day,
                             max_total=max_total, retries=parse_retries(retries),
                             dispositions=tuple(d.strip() for d in dispositions.split(";") if d.strip()),
                             script=script, abandon_cap=abandon_cap, amd=amd, amd_message=amd_message)
    except CampaignError as exc:
        raise _fail(str(exc)) from None

    async def job(engine: AsyncEngine) -> None:
        async with async_sessionmaker(engine)() as s:
            row = await create_campaign(s, cfg, time.time())
            await _audit(s, "campaign_create", cfg.name, settings_of(config_of(row)))
            await s.commit()
    _run(url, job)
    out.print(say(f"campaign {name} created (draft); import a list, then `hotline outbound start {name}`"))


@app.command("edit")
def edit(name: str, queue: str | None = typer.Option(None, help="The ACD queue whose members work it."),
         caller_id: str | None = typer.Option(None, "--caller-id"), mode: Mode | None = typer.Option(None),
         hours: str | None = typer.Option(None), max_per_day: int | None = typer.Option(None),
         max_total: int | None = typer.Option(None, help="Attempts per record in all; 0: no bound but "
                                                          "the retry rules."),
         retries: str | None = typer.Option(None, help="Per result: seconds later / max retries "
                                                       "(replaces them all)."),
         dispositions: str | None = typer.Option(None, help="The agents' wrap-up codes, separated by ;"),
         script: str | None = typer.Option(None, help="The script the agents read (\"\": none)."),
         abandon_cap: float | None = typer.Option(None),
         amd: str | None = typer.Option(None, help="Answering machine: off, hangup, message, agent."),
         amd_message: str | None = typer.Option(None, help="The prompt `--amd message` leaves."),
         url: str | None = UrlOpt) -> None:
    """Change a draft or paused campaign's settings (those given; the rest stay). A running
    campaign is refused: pause it, edit it, start it again (the edit applies on that start)."""
    given: dict[str, Any] = {k: v for k, v in {
        "queue": queue, "caller_id": caller_id, "mode": mode, "hours": hours, "max_per_day": max_per_day,
        "max_total": max_total, "retries": retries, "dispositions": dispositions, "script": script,
        "abandon_cap": abandon_cap, "amd": amd, "amd_message": amd_message}.items() if v is not None}
    if not given:
        raise _fail("nothing to edit: give the settings to change, such as --hours 09:00-20:00")
    if "retries" in given:
        try:
            given["retries"] = parse_retries(given["retries"])
        except CampaignError as exc:
            raise _fail(str(exc)) from None
    if "dispositions" in given:
        given["dispositions"] = tuple(d.strip() for d in given["dispositions"].split(";") if d.strip())
    if "max_total" in given:
        given["max_total"] = given["max_total"] or None
    if "script" in given:
        given["script"] = given["script"].strip() or None

    async def job(engine: AsyncEngine) -> dict[str, object]:
        async with async_sessionmaker(engine)() as s:
            cfg = replace(config_of(await campaign_row(s, name)), **given)  # checked as on create
            _, changed = await edit_campaign(s, cfg)
            await _audit(s, "campaign_edit", name, {"changed": changed})
            await s.commit()
            return changed
    changed = _run(url, job)
    if not changed:
        out.print(say(f"campaign {name} is unchanged: it has those settings already"))
        return
    out.print(say(f"campaign {name} edited ({', '.join(changed)}); the new settings apply when it "
                  "(next) starts"))


@app.command("import")
def import_list(name: str, file: Path, url: str | None = UrlOpt) -> None:
    """Add a contact list (CSV, UTF-8 or GBK) to a campaign; bad rows are reported."""
    data = _read(file)

    async def job(engine: AsyncEngine) -> ListReport:
        async with async_sessionmaker(engine)() as s:
            report = await import_contacts(s, await campaign_row(s, name), data)
            await _audit(s, "campaign_list_csv", name, _list_data(report))
            await s.commit()
            return report
    report = _run(url, job)
    out.print(json.dumps({**report.as_dict(), "errors": [
        {"row": e.row, "column": e.column, "reason": say(e.reason)} for e in report.errors]},
        ensure_ascii=False))


@app.command("dnc-import")
def dnc_import(file: Path, campaign: str | None = typer.Option(None, help="Per campaign (default: global)."),
               url: str | None = UrlOpt) -> None:
    """Import do-not-call numbers (CSV, UTF-8 or GBK; a ``number`` column, or one number a
    line); bad rows are reported, good rows kept."""
    data = _read(file)

    async def job(engine: AsyncEngine) -> ListReport:
        async with async_sessionmaker(engine)() as s:
            row = await campaign_row(s, campaign) if campaign else None
            report = await import_dnc(s, row, data, time.time())
            await _audit(s, "dnc_import", campaign or "global", _list_data(report))
            await s.commit()
            return report
    report = _run(url, job)
    out.print(json.dumps({**report.as_dict(), "errors": [
        {"row": e.row, "column": e.column, "reason": say(e.reason)} for e in report.errors]},
        ensure_ascii=False))
    rejected = len({e.row for e in report.errors})
    err.print(say(f"{report.imported} number(s) added; {rejected} row(s) refused"))


@app.command("dnc-export")
def dnc_export(campaign: str | None = typer.Option(None, help="Per campaign (default: global)."),
               out_file: Path | None = typer.Option(None, "--out", "-o"), url: str | None = UrlOpt) -> None:
    """Export the global or a campaign's own do-not-call list (CSV that dnc-import reads)."""
    async def job(engine: AsyncEngine) -> str:
        async with async_sessionmaker(engine)() as s:
            row = await campaign_row(s, campaign) if campaign else None
            return await export_dnc(s, row, ZoneInfo(get_settings().timezone))
    text = _run(url, job)
    if out_file is None:
        out.print(text, end="")
    else:
        out_file.write_text(text, encoding="utf-8")
        out.print(say(f"wrote {out_file}"))


def _state_command(action: Action) -> Callable[..., None]:
    def command(name: str, url: str | None = UrlOpt) -> None:
        async def job(engine: AsyncEngine) -> str:
            async with async_sessionmaker(engine)() as s:
                state = await set_state(s, name, action)
                await _audit(s, f"campaign_{action.value}", name)
                await s.commit()
                return state.value
        out.print(say(f"campaign {name} is {_run(url, job)}"))
    command.__doc__ = f"{action.value.capitalize()} a campaign (a running backend follows within seconds)."
    return command


for _action in Action:
    app.command(_action.value)(_state_command(_action))


lists = typer.Typer(help="Campaigns with their live figures; `list from-lost-calls` / "
                          "`list from-tickets` build a campaign's list from the product.")
app.add_typer(lists, name="list")


@lists.callback(invoke_without_command=True)
def list_campaigns(ctx: typer.Context, as_json: bool = typer.Option(False, "--json"),
                   url: str | None = UrlOpt) -> None:
    """Campaigns with their live figures from the call-event log (last 30 days)."""
    if ctx.invoked_subcommand is not None:
        return
    rows = _run(url, lambda engine: figures(engine, None, time.time()))
    if as_json:
        out.print(json.dumps([r.as_dict() for r in rows], ensure_ascii=False))
        return
    table = Table("campaign", "mode", "state", "records", "penetration", "dials", "connected",
                  "abandon rate", "refused")
    for r in rows:
        rate = "-" if r.abandon_rate is None else f"{r.abandon_rate:.2%}"
        table.add_row(r.name, r.mode, r.state, str(r.records), f"{r.penetration:.0%}", str(r.dials),
                      str(r.connected), f"{rate} (cap {r.abandon_cap:.0%})", str(r.refused))
    out.print(table)


def _print_source(report: SourceReport) -> None:
    out.print(json.dumps(report.as_dict(), ensure_ascii=False))
    err.print(say(f"{report.added} of {report.found} added; {len(report.skipped)} left out"))


def _days(since: str | None, until: str | None) -> tuple[float, float]:
    """``--from`` / ``--to`` days in the centre's time zone -> [start, end) epoch seconds."""
    tz = ZoneInfo(get_settings().timezone)
    try:
        first = dt.date.fromisoformat(since) if since else dt.datetime.now(tz).date() - dt.timedelta(days=1)
        last = dt.date.fromisoformat(until) if until else first
    except ValueError:
        raise _fail(f"--from / --to must be days like 2026-12-07, not {since!r} / {until!r}") from None
    if last < first:
        raise _fail("--to is before --from")
    return (dt.datetime.combine(first, dt.time(), tz).timestamp(),
            dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tz).timestamp())


FromOpt = typer.Option(None, "--from", help="First day, YYYY-MM-DD (default yesterday).")
ToOpt = typer.Option(None, "--to", help="Last day (default --from).")


@lists.command("from-lost-calls")
def list_from_lost_calls(name: str, since: str = FromOpt, until: str = ToOpt, url: str | None = UrlOpt) -> None:
    """Add the lost-call callback worklist (呼损回拨) of these days to a campaign."""
    start, end = _days(since, until)

    async def job(engine: AsyncEngine) -> SourceReport:
        async with async_sessionmaker(engine)() as s:
            report = await from_lost_calls(s, await campaign_row(s, name), start, end, time.time())
            await _audit(s, "campaign_list_lost_calls", name)
            await s.commit()
            return report
    _print_source(_run(url, job))


@lists.command("from-answered-calls")
def list_from_answered_calls(name: str, since: str = FromOpt, until: str = ToOpt,
                             sample: int = typer.Option(100, help="How many callers to draw."),
                             seed: int = typer.Option(1, help="Random seed: same seed, same sample."),
                             url: str | None = UrlOpt) -> None:
    """Add a satisfaction-survey sample of the callers answered on these days to a campaign."""
    start, end = _days(since, until)

    async def job(engine: AsyncEngine) -> SourceReport:
        async with async_sessionmaker(engine)() as s:
            report = await from_answered_calls(s, await campaign_row(s, name), start, end, sample,
                                               random.Random(seed))
            await _audit(s, "campaign_list_survey", name)
            await s.commit()
            return report
    _print_source(_run(url, job))


@lists.command("from-tickets")
def list_from_tickets(name: str, days: float = typer.Option(None, help="Only tickets resolved in the "
                                                                      "last N days (default all)."),
                      url: str | None = UrlOpt) -> None:
    """Add the tickets resolved awaiting their callback (待回访) to a campaign."""
    since = time.time() - days * 86400 if days is not None else None

    async def job(engine: AsyncEngine) -> SourceReport:
        async with async_sessionmaker(engine)() as s:
            report = await from_tickets(s, await campaign_row(s, name), since)
            await _audit(s, "campaign_list_tickets", name)
            await s.commit()
            return report
    _print_source(_run(url, job))


@app.command("report")
def report(name: str, out_file: Path | None = typer.Option(None, "--out", "-o",
                                                         help="Write the CSV there (UTF-8 with BOM)."),
           url: str | None = UrlOpt) -> None:
    """The campaign report: one CSV row per record (status, attempts, last result, due)."""
    async def job(engine: AsyncEngine) -> CampaignReport:
        rep = await campaign_report(engine, name, time.time())
        async with async_sessionmaker(engine)() as s:
            await _audit(s, "campaign_report_export", name, {"records": len(rep.records)})
            await s.commit()
        return rep
    rep = _run(url, job)
    text = rep.to_csv(get_settings().timezone)
    if out_file is None:
        out.print(text, end="")
    else:
        out_file.write_text(text, encoding="utf-8-sig")  # the BOM: Excel reads it as UTF-8
        out.print(say(f"wrote {out_file}"))
