"""The exports of the CLI take their file the same way: ``-o FILE`` / ``--out FILE``, else stdout."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from hotline.app.cli import app
from tests.dbfiles import migrated_sqlite


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return migrated_sqlite(tmp_path / "x.db")


@pytest.mark.parametrize("command", [["crm", "export", "customers"], ["acd", "export-queue-log"]])
@pytest.mark.parametrize("flag", ["-o", "--out"])
def test_every_export_writes_the_file_named_by_o_or_out(tmp_path: Path, db_url: str, command: list[str],
                                                         flag: str) -> None:
    target = tmp_path / "export.txt"
    r = CliRunner().invoke(app, [*command, flag, str(target), "--url", db_url])
    assert r.exit_code == 0, r.output
    assert target.exists()
    assert f"to {target}" in r.output


def test_without_o_the_exports_write_to_stdout(tmp_path: Path, db_url: str) -> None:
    r = CliRunner().invoke(app, ["crm", "export", "customers", "--url", db_url])
    assert r.exit_code == 0 and r.stdout.startswith("name,"), r.output
    r = CliRunner().invoke(app, ["acd", "export-queue-log", "--url", db_url])
    assert r.exit_code == 0 and "0 queue_log line(s) written" in r.output, r.output
    positional = CliRunner().invoke(app, ["acd", "export-queue-log", str(tmp_path / "f.log"), "--url", db_url])
    assert positional.exit_code == 2  # no positional file any more: one way for both exports
