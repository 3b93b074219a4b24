"""``hotline ami check``: log in to Asterisk's AMI once and report what it sees.

Exit codes: 0 connected, 2 login refused, 3 unreachable.
"""

from __future__ import annotations

import asyncio

import typer

from hotline.events import EventBus
from hotline.settings import Settings, get_settings
from pbx.ami.client import AmiClient
from pbx.ami.errors import AmiAuthError, AmiConnectError
from pbx.events import AmiResynced

app = typer.Typer(help="Asterisk manager interface (AMI).", no_args_is_help=True)

EXIT_AUTH = 2
EXIT_UNREACHABLE = 3


async def check(settings: Settings) -> tuple[int, str]:
    """Connect, resync, log off. ``(exit code, one line for the operator)``."""
    bus = EventBus()
    channels: list[int] = []
    bus.subscribe(AmiResynced, lambda e: channels.append(len(e.channels)))
    client = AmiClient(settings, bus, retry_refused=False)
    try:
        await client.connect()
    except AmiAuthError as exc:
        return EXIT_AUTH, str(exc)
    except AmiConnectError as exc:
        return EXIT_UNREACHABLE, str(exc)
    await client.close()
    live = channels[-1] if channels else 0
    return 0, f"connected to {client.where} ({client.banner}); {live} live channel(s)"


@app.callback()
def _group() -> None:
    """Asterisk manager interface (AMI)."""


@app.command("check")
def check_command(
    host: str = typer.Option(None, help="AMI host (default: HOTLINE_AMI_HOST)."),
    port: int = typer.Option(None, help="AMI port (default: HOTLINE_AMI_PORT)."),
    username: str = typer.Option(None, help="AMI user (default: HOTLINE_AMI_USERNAME)."),
    secret: str = typer.Option(None, help="AMI secret (default: HOTLINE_AMI_SECRET)."),
    timeout: float = typer.Option(None, help="Connect timeout in seconds."),
) -> None:
    """Log in to the AMI and report; exit code != 0 when that fails."""
    overrides = {"ami_host": host, "ami_port": port, "ami_username": username,
                 "ami_secret": secret, "ami_connect_timeout": timeout}
    settings = get_settings().model_copy(update={k: v for k, v in overrides.items() if v is not None})
    code, line = asyncio.run(check(settings))
    typer.echo(line, err=code != 0)
    raise typer.Exit(code)


if __name__ == "__main__":
    app()
