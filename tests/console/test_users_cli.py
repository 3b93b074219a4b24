from __future__ import annotations

import asyncio

from typer.testing import CliRunner

from agent_console.cli import app
from hotline.app.migrate import upgrade
from hotline.db import make_engine


def test_users_cli_creates_lists_and_sets_passwords(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"

    async def migrate():
        engine = make_engine(url)
        await upgrade(engine)
        await engine.dispose()

    asyncio.run(migrate())
    r = CliRunner()
    res = r.invoke(app, ["create", "zhang", "--role", "agent", "--display-name", "张伟", "--agent-id", "2001",
                         "--password", "long-password", "--url", url])
    assert res.exit_code == 0, res.output
    res = r.invoke(app, ["create", "zhang", "--role", "agent", "--password", "long-password", "--url", url])
    assert res.exit_code == 1 and "already exists" in res.output
    res = r.invoke(app, ["create", "x", "--role", "boss", "--password", "long-password", "--url", url])
    assert res.exit_code == 1 and "Unknown role" in res.output
    res = r.invoke(app, ["create", "y", "--role", "qa", "--password", "short", "--url", url])
    assert res.exit_code == 1 and "at least 8" in res.output
    res = r.invoke(app, ["set-password", "zhang", "--url", url], input="another-pass\nanother-pass\n")
    assert res.exit_code == 0, res.output
    res = r.invoke(app, ["set-password", "nobody", "--password", "whatever-1", "--url", url])
    assert res.exit_code == 1 and "no user" in res.output
    res = r.invoke(app, ["list", "--url", url])
    assert "zhang" in res.output and "张伟" in res.output and "2001" in res.output


def test_users_cli_on_an_unmigrated_database_says_what_to_do(tmp_path):
    res = CliRunner().invoke(app, ["list", "--url", f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"])
    assert res.exit_code == 1 and "hotline db upgrade" in res.output
