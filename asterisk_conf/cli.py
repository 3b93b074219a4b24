"""``hotline asterisk-conf render DIR`` / ``hotline asterisk-conf check DIR``."""

from __future__ import annotations

from pathlib import Path

import typer

from asterisk_conf.check import check_directory
from asterisk_conf.render import ConfigRenderError, SiteOptions, parse_agents, render_all, write_all
from hotline.settings import get_settings

app = typer.Typer(help="Asterisk configuration for hotline.", no_args_is_help=True)


@app.command("render")
def render(
    directory: Path = typer.Argument(..., help="Where to write the .conf files."),
    agents: str = typer.Option("1001-1004", help="Agent numbers: 1001-1004,1010."),
    sip_bind: str = typer.Option("0.0.0.0:5060", help="PJSIP UDP transport bind address."),
    trunk_host: str = typer.Option("127.0.0.1", help="Carrier SIP host (trunk contact)."),
    trunk_match: str = typer.Option("127.0.0.1", help="Carrier source IP/network (identify)."),
    recdir: str = typer.Option("/var/spool/asterisk/monitor", help="Asterisk recording dir."),
    survey: bool = typer.Option(False, help="Send callers to the post-call survey."),
    hold_max: int = typer.Option(3600, min=1, help="Longest hold, seconds: the agent's parked leg "
                                                   "is hung up after it."),
) -> None:
    """Render manager, extensions, pjsip, musiconhold, features and modules .conf files."""
    try:
        site = SiteOptions(agents=parse_agents(agents), sip_bind=sip_bind,
                           trunk_host=trunk_host, trunk_match=trunk_match, recdir=recdir,
                           survey_enabled=survey, hold_max_s=hold_max)
        files = render_all(get_settings(), site)
    except ConfigRenderError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    for path in write_all(directory, files):
        typer.echo(f"wrote {path}")


@app.command("check")
def check(
    directory: Path = typer.Argument(..., help="A directory rendered by `render`."),
    lint: bool = typer.Option(True, help="Run asterisklint on extensions.conf."),
) -> None:
    """Check a rendered directory; exit 1 on any error."""
    if not (directory / "extensions.conf").is_file():
        typer.echo(f"error: {directory}/extensions.conf not found; run render first.", err=True)
        raise typer.Exit(2)
    findings = check_directory(directory, lint=lint)
    for f in findings:
        typer.echo(f"{f.level}: {f.message}")
    errors = [f for f in findings if f.level == "error"]
    typer.echo(f"{len(errors)} error(s), {len(findings) - len(errors)} warning(s)")
    if errors:
        raise typer.Exit(1)
