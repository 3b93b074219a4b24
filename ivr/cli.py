"""``hotline ivr ...``: offline checks of menu files and the after-hours worklist."""

from __future__ import annotations

from pathlib import Path

import typer

from ivr.loader import MenuError, load_menus

app = typer.Typer(help="Voice menus (IVR).", no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Voice menus (IVR)."""


@app.command("check")
def check(file: Path = typer.Argument(..., help="The menu YAML file to validate.")) -> None:
    """Validate a menu file offline; exit code 1 with line and reason on error."""
    try:
        menus = load_menus(file)
    except MenuError as exc:
        for p in exc.problems:
            typer.echo(f"{file}:{p.line}: error: {p.reason}", err=True)
        raise typer.Exit(1) from None
    for w in menus.warnings:
        typer.echo(f"{file}:{w.line}: warning: {w.reason}", err=True)
    n = len(menus.file.nodes)
    typer.echo(f"{file}: OK, {n} nodes, entries {', '.join(sorted(menus.file.entries))}, "
               f"languages {', '.join(menus.defaults.languages)}")
