"""``hotline`` command line. Each package contributes a sub-command group from its own
``cli.py`` (a ``typer.Typer`` named ``app``); this module mounts each one by name, and
registers the long-running commands of :mod:`hotline.app.commands`."""

from __future__ import annotations

import asyncio
from enum import StrEnum

import typer

import acd.cli
import agent_console.cli
import agent_console.messages
import agent_console.qa_cli
import agent_console.store
import asterisk_conf.cli
import crm.cli
import ivr.cli
import ivr.prompts_cli
import outbound.campaign
import outbound.cli
import pbx.ami.cli
import qa.cli
import recordings.cli
import recordings.refs
import reports.cli
from hotline import cli_lang
from hotline.app import commands
from hotline.settings import get_settings

app = typer.Typer(help="hotline: a contact-center backend for Asterisk.", no_args_is_help=True)
cli_lang.use(agent_console.messages.to_chinese)  # the console's catalogue words the CLI in Chinese


class Lang(StrEnum):
    zh = "zh"
    en = "en"


@app.callback()
def options(ctx: typer.Context, lang: Lang | None = typer.Option(
        None, "--lang", help="Language of the messages (default: the locale: LC_ALL, LC_MESSAGES, "
                             "LANG starting zh is Chinese).")) -> None:
    cli_lang.choose(lang.value if lang is not None else None)
    ctx.call_on_close(lambda: cli_lang.choose(None))  # this command's choice, not the next one's


db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(asterisk_conf.cli.app, name="asterisk-conf")
app.add_typer(pbx.ami.cli.app, name="ami")
app.add_typer(ivr.cli.app, name="ivr")
app.add_typer(ivr.prompts_cli.app, name="prompts")
app.add_typer(crm.cli.app, name="crm")
crm.cli.recording_ref = recordings.refs.recording_ref  # backfilled interactions link their recording
app.add_typer(acd.cli.app, name="acd")
app.add_typer(agent_console.cli.app, name="users")
app.add_typer(reports.cli.app, name="reports")
app.add_typer(recordings.cli.app, name="recordings")
app.add_typer(outbound.cli.app, name="outbound")
outbound.cli.audit = agent_console.store.audit  # the CLI's changes in the console's audit log
app.add_typer(qa.cli.app, name="qa")
# rates by group / team read the console's team tree, a layer above qa
qa.cli.app.command("rates")(agent_console.qa_cli.rates)
qa.cli.app.command("leaderboard")(agent_console.qa_cli.leaderboard)
reports.cli.refusal = outbound.campaign.callback_refusal  # the worklist keeps to the outbound calling hours
app.command()(commands.serve)
app.command()(commands.demo)


@db_app.command("upgrade")
def db_upgrade(url: str = typer.Option(None, help="Database URL (default: settings).")) -> None:
    """Apply all migrations."""
    from hotline.app.migrate import current, upgrade
    from hotline.db import make_engine

    async def run() -> str | None:
        engine = make_engine(url or get_settings().database_url)
        try:
            await upgrade(engine)
            return await current(engine)
        finally:
            await engine.dispose()

    rev = asyncio.run(run())
    typer.echo(f"database at revision {rev}")


def main() -> None:
    app(prog_name="hotline")


if __name__ == "__main__":
    main()
