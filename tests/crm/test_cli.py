from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crm.cli import app
from hotline.db import make_engine
from tests.dbfiles import migrated_sqlite


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return migrated_sqlite(tmp_path / "cli.db")


def test_import_search_export_from_the_command_line(tmp_path: Path, db_url: str) -> None:
    src = tmp_path / "in.csv"
    src.write_bytes("姓名,电话,标签\n张安娜,13800138000,vip\n李雷,12,\n".encode("gbk"))
    runner = CliRunner()
    dry = runner.invoke(app, ["import", str(src), "--dry-run", "--url", db_url])
    assert dry.exit_code == 1, dry.output  # a rejected row is a failure a script must see
    assert "would import 1, rejected 1" in dry.output
    errors = tmp_path / "errors.csv"
    r = runner.invoke(app, ["import", str(src), "--url", db_url, "--errors-csv", str(errors)])
    assert r.exit_code == 1 and "gb18030, 2 lines, 2 rows, imported 1, rejected 1" in r.output
    assert errors.read_text(encoding="utf-8-sig").splitlines()[1].startswith("3,phones,")
    r = runner.invoke(app, ["search", "--phone", "+86 138 0013 8000", "--url", db_url])
    assert r.exit_code == 0 and "张安娜" in r.output
    out = tmp_path / "out.csv"
    r = runner.invoke(app, ["export", "customers", "-o", str(out), "--url", db_url])
    assert r.exit_code == 0
    assert out.read_text(encoding="utf-8-sig").splitlines()[1].startswith("张安娜,+8613800138000,")


def test_import_exits_0_only_when_every_row_is_good_and_counts_lines_as_the_bar(tmp_path: Path,
                                                                               db_url: str) -> None:
    src = tmp_path / "good.csv"
    # the second record's notes span two lines: 3 data lines, 2 rows; the bar counts lines
    src.write_text('name,phones,notes\n王芳,13900000001,"line one\nline two"\n李强,13900000002,\n',
                   encoding="utf-8")
    r = CliRunner().invoke(app, ["import", str(src), "--url", db_url])
    assert r.exit_code == 0, r.output
    assert "utf-8, 3 lines, 2 rows, imported 2, rejected 0" in r.output
    assert "3/3" in r.output  # where the bar ended


def test_bad_inputs_give_one_line_errors(tmp_path: Path, db_url: str) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["export", "cats", "--url", db_url]).exit_code == 2
    r = runner.invoke(app, ["search", "--phone", "12", "--url", db_url])
    assert r.exit_code == 2 and "not a phone number" in r.output
    bad = tmp_path / "bad.csv"
    bad.write_text("phone\n13800138000\n", encoding="utf-8")
    r = runner.invoke(app, ["import", str(bad), "--url", db_url])
    assert r.exit_code == 2 and "no 'name' column" in r.output
    empty_db = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    r = runner.invoke(app, ["search", "--name", "x", "--url", empty_db])
    assert r.exit_code == 2 and "hotline db upgrade" in r.output


def test_sync_interactions_backfills_from_the_event_log_with_recording_refs(db_url: str) -> None:
    import time

    from sqlalchemy import select

    from crm.models import Interaction
    from hotline.app.cli import app as hotline_app
    from hotline.clock import ManualClock
    from hotline.db import make_sessionmaker
    from hotline.eventlog import CallEventLog
    from recordings.models import Recording

    now = time.time()

    async def seed() -> None:
        engine = make_engine(db_url)
        ev = CallEventLog(engine, clock=ManualClock(now))
        ev.log("c1", "ENTERQUEUE", ts=now - 300, queue="sales", data={"callerid": "13800138000"})
        ev.log("c1", "CONNECT", ts=now - 290, queue="sales", agent="1001", data={})
        ev.log("c1", "COMPLETECALLER", ts=now - 200, queue="sales", agent="1001", data={})
        ev.log("c1", "WRAPUP", ts=now - 190, queue="sales", agent="1001", data={"disposition": "resolved"})
        await ev.flush()
        async with make_sessionmaker(engine)() as s:
            s.add(Recording(call_id="c1", uniqueid="1.1", agent="1001", queue="sales",
                            path="2026/12/06/c1.wav", started_at=now - 290, policy="all"))
            await s.commit()
        await engine.dispose()

    async def rows() -> list[tuple[str | None, str | None]]:
        engine = make_engine(db_url)
        async with make_sessionmaker(engine)() as s:
            out = [(i.disposition, i.recording_ref) for i in (await s.scalars(select(Interaction))).all()]
        await engine.dispose()
        return out

    asyncio.run(seed())
    runner = CliRunner()
    r = runner.invoke(hotline_app, ["crm", "sync-interactions", "--url", db_url])
    assert r.exit_code == 0, r.output
    assert "1 interaction(s) written" in r.output
    again = runner.invoke(hotline_app, ["crm", "sync-interactions", "--url", db_url])
    assert "0 interaction(s) written" in again.output
    assert asyncio.run(rows()) == [("resolved", "recording:1")]
