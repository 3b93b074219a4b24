"""``hotline acd ...``: queue_log export and agent administration from the command line."""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import typer

from hotline.settings import get_settings

app = typer.Typer(help="ACD: queue_log export, agents.", no_args_is_help=True)
agents_app = typer.Typer(help="Agents of the ACD.", no_args_is_help=True)
app.add_typer(agents_app, name="agents")


def _epoch(text: str | None, option: str) -> float | None:
    """``2026-11-22``, ``2026-11-22T08:00:00+08:00`` or epoch seconds."""
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date: use 2026-11-22, an ISO time or "
                                 "epoch seconds.", param_hint=option) from None


@app.command("export-queue-log")
def export_queue_log_cmd(
    out: Path | None = typer.Option(None, "--out", "-o", help="File (default: stdout), as in "
                                                             "hotline crm export."),
    since: str = typer.Option(None, "--since", help="From this time (inclusive)."),
    until: str = typer.Option(None, "--until", help="Until this time (exclusive)."),
    url: str = typer.Option(None, help="Database URL (default: settings)."),
) -> None:
    """Write Asterisk queue_log lines (epoch|callid|queue|agent|VERB|data...)."""
    from acd.queue_log import export_queue_log
    from hotline.db import make_engine

    t0, t1 = _epoch(since, "--since"), _epoch(until, "--until")

    async def run() -> int:
        engine = make_engine(url or get_settings().database_url)
        try:
            if out is None:
                return await export_queue_log(engine, sys.stdout, t0, t1)
            with out.open("w", encoding="utf-8", newline="\n") as stream:
                return await export_queue_log(engine, stream, t0, t1)
        finally:
            await engine.dispose()

    n = asyncio.run(run())
    typer.echo(f"{n} queue_log line(s) written" + (f" to {out}" if out else ""), err=True)


@agents_app.command("list")
def agents_list(url: str = typer.Option(None, help="Database URL (default: settings).")) -> None:
    """Agents with their endpoint, skills and queues, and their last known state."""
    from sqlalchemy import select

    from acd.admin.models import AcdAgent, AcdAgentState
    from hotline.db import make_engine

    async def run() -> list[tuple[Any, str]]:
        engine = make_engine(url or get_settings().database_url)
        try:
            async with engine.connect() as conn:
                agents = (await conn.execute(select(AcdAgent).order_by(AcdAgent.id))).all()
                states = dict((await conn.execute(
                    select(AcdAgentState.agent_id, AcdAgentState.state))).all())
            return [(a, states.get(a.id, "logged_out")) for a in agents]
        finally:
            await engine.dispose()

    for a, state in asyncio.run(run()):
        skills = ",".join(f"{k}:{v}" for k, v in sorted(a.skills.items()))
        typer.echo(f"{a.id}\t{a.name}\t{a.endpoint}\t{skills}\t{','.join(sorted(a.queues))}\t{state}")


@agents_app.command("add")
def agents_add(
    agent_id: str, endpoint: str, name: str = typer.Option("", help="Display name."),
    skill: list[str] = typer.Option([], help="skill:proficiency (1-10), repeatable."),
    queue: list[str] = typer.Option([], help="queue or queue:weight, repeatable."),
    language: list[str] = typer.Option([], help="Language code, repeatable."),
    url: str = typer.Option(None, help="Database URL (default: settings)."),
) -> None:
    """Add or replace an agent."""
    from acd.admin.schemas import AgentIn
    from acd.admin.store import save_agent
    from hotline.db import make_engine, make_sessionmaker

    try:
        skills = {k: int(v) for k, _, v in (s.partition(":") for s in skill)}
        queues = {q: {"weight": float(w or 1), "priority": 0}
                  for q, _, w in (x.partition(":") for x in queue)}
        body = AgentIn(name=name, endpoint=endpoint, skills=skills, languages=language,
                       queues=queues)  # type: ignore[arg-type]
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None

    async def run() -> None:
        engine = make_engine(url or get_settings().database_url)
        try:
            async with make_sessionmaker(engine)() as session:
                await save_agent(session, agent_id, body)
                await session.commit()
        finally:
            await engine.dispose()

    asyncio.run(run())
    typer.echo(f"agent {agent_id} saved")
