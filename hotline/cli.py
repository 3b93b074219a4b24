"""``hotline`` command line. Each package contributes a sub-command group from its own
``cli.py`` (a ``typer.Typer`` named ``app``); the shell only mounts them."""

from __future__ import annotations

import asyncio
import importlib
import importlib.util

import typer

from hotline.settings import get_settings

app = typer.Typer(help="hotline: a contact-center backend for Asterisk.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")

# (module, sub-command name): mounted when the module exists.
_SUBAPPS = [
    ("asterisk_conf.cli", "asterisk-conf"),
    ("pbx.ami.cli", "ami"),
    ("ivr.cli", "ivr"),
    ("ivr.prompts_cli", "prompts"),
    ("crm.cli", "crm"),
    ("acd.cli", "acd"),
    ("agent_console.cli", "users"),
    ("reports.cli", "reports"),
    ("recordings.cli", "recordings"),
]


def _mount() -> None:
    for module, name in _SUBAPPS:
        if importlib.util.find_spec(module) is None:
            continue
        sub = importlib.import_module(module).app
        app.add_typer(sub, name=name)


@db_app.command("upgrade")
def db_upgrade(url: str = typer.Option(None, help="Database URL (default: settings).")) -> None:
    """Apply all migrations."""
    from hotline.db import make_engine
    from hotline.migrate import current, upgrade

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
    _mount()
    if importlib.util.find_spec("hotline.commands") is not None:
        importlib.import_module("hotline.commands")  # serve, demo: registered on import
    app(prog_name="hotline")


if __name__ == "__main__":
    # Run the importable module's main: sub-commands register on ``hotline.cli.app``.
    from hotline import cli as _cli

    _cli.main()
