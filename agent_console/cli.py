"""``hotline users ...``: create users, set passwords, list them."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from agent_console.models import ROLES, User
from agent_console.store import UserError, create_user, set_password, user_by_name
from hotline.clock import SystemClock
from hotline.db import make_engine, make_sessionmaker
from hotline.settings import get_settings

T = TypeVar("T")
app = typer.Typer(help="Console users: create, set passwords, list.", no_args_is_help=True)
out = Console()


def _run(fn: Callable[[AsyncSession], Awaitable[T]], url: str | None) -> T:
    async def main() -> T:
        engine = make_engine(url or get_settings().database_url)
        try:
            async with make_sessionmaker(engine)() as session:
                result = await fn(session)
                await session.commit()
                return result
        finally:
            await engine.dispose()

    try:
        return asyncio.run(main())
    except UserError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    except DBAPIError as exc:
        typer.echo(f"error: the database is not ready ({exc.orig}); run `hotline db upgrade` first.", err=True)
        raise typer.Exit(1) from None


def _password(given: str | None) -> str:
    if given is not None:
        return given
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


UrlOpt = typer.Option(None, "--url", help="Database URL (default: settings).")


@app.command("create")
def create(
    username: str,
    role: str = typer.Option(..., help=f"One of: {', '.join(ROLES)}."),
    display_name: str = typer.Option("", help="Name shown in the console (中文 fine)."),
    agent_id: str | None = typer.Option(None, help="ACD agent id this user works as."),
    extension: str | None = typer.Option(None, help="The user's own endpoint, e.g. PJSIP/agent1001."),
    language: str = typer.Option("zh", help="zh or en."),
    password: str | None = typer.Option(None, help="Prompted for when not given."),
    url: str | None = UrlOpt,
) -> None:
    """Create a console user."""
    pw = _password(password)

    async def go(session: AsyncSession) -> int:
        user = await create_user(session, username=username, password=pw, role=role, now=SystemClock().now(),
                                 display_name=display_name, agent_id=agent_id, extension=extension,
                                 language=language)
        return user.id

    uid = _run(go, url)
    typer.echo(f"created user {username} (id {uid}, role {role})")


@app.command("set-password")
def set_password_cmd(username: str, password: str | None = typer.Option(None), url: str | None = UrlOpt) -> None:
    """Set a user's password (ends their open sessions)."""
    pw = _password(password)

    async def go(session: AsyncSession) -> None:
        user = await user_by_name(session, username)
        if user is None:
            raise UserError(f"There is no user {username!r}; see `hotline users list`.")
        await set_password(session, user, pw)

    _run(go, url)
    typer.echo(f"password of {username} changed")


@app.command("list")
def list_users(url: str | None = UrlOpt) -> None:
    """List users."""

    async def go(session: AsyncSession) -> list[User]:
        return list((await session.execute(select(User).order_by(User.username))).scalars())

    users = _run(go, url)
    table = Table("id", "username", "name", "role", "agent", "extension", "active")
    for u in users:
        table.add_row(str(u.id), u.username, u.display_name, u.role, u.agent_id or "", u.extension or "",
                      "yes" if u.active else "no")
    out.print(table)
