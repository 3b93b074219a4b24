from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from hotline.app.cli import app
from hotline.app.migrate import upgrade
from hotline.db import make_engine
from hotline.eventlog import CallEventLog
from hotline.settings import get_settings
from tests.reports.daydata import DAY, write_day


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'rep.db'}"
    monkeypatch.setenv("HOTLINE_TIMEZONE", "Asia/Shanghai")
    get_settings.cache_clear()

    async def fill() -> None:
        engine = make_engine(url)
        await upgrade(engine)
        log = CallEventLog(engine)
        write_day(log)
        await log.flush()
        await engine.dispose()

    asyncio.run(fill())
    yield url
    get_settings.cache_clear()


def test_rebuild_then_every_report_in_every_format(tmp_path: Path, db_url: str) -> None:
    r = CliRunner()
    res = r.invoke(app, ["reports", "rebuild", "--from", DAY, "--url", db_url])
    assert res.exit_code == 0, res.output
    assert "6 calls in 1 day(s) rebuilt" in res.output
    res = r.invoke(app, ["reports", "lost", "--day", DAY, "--format", "json", "--url", db_url])
    assert res.exit_code == 0, res.output
    assert "6 calls, 3 lost (50.0%)" in res.output
    body = json.loads(res.stdout[res.stdout.index("{"):])
    assert body["totals"] == {"day": DAY, "calls": 6, "lost": 3, "lost_rate": 0.5}
    out = tmp_path / "lost.xlsx"
    res = r.invoke(app, ["reports", "lost", "--day", DAY, "-f", "xlsx", "-o", str(out),
                         "--lang", "zh", "--url", db_url])
    assert res.exit_code == 0, res.output
    wb = load_workbook(out)
    assert wb.sheetnames[:2] == ["by_hour", "by_fate"]
    assert [c.value for c in wb["by_hour"][1]] == ["小时", "呼叫数", "呼损数", "呼损率", "高峰"]
    assert wb["by_hour"].cell(11, 2).value == 6  # 09h: hour 9 is row 11 (header + 0..8)
    calls = tmp_path / "kpi.csv"
    res = r.invoke(app, ["reports", "kpi", "--from", DAY, "--period", "15", "--sl", "answered",
                         "--queue-threshold", "support=20", "--queue-threshold", "sales=30",
                         "-f", "csv", "-o", str(calls), "--lang", "en", "--url", db_url])
    assert res.exit_code == 0, res.output
    lines = calls.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Period,Key,Offered,Answered,Abandoned,Answer rate")
    assert lines[1].startswith(f"{DAY} 09:00,all,5,3,2,0.6,0.4,")
    assert lines[1].endswith(",0.6667")  # SL answered within T / answered = 2 / 3
    formulas = (tmp_path / "kpi-formulas.csv").read_text(encoding="utf-8-sig")
    assert "Service level,answered within 20 s / answered" in formulas
    res = r.invoke(app, ["reports", "winback", "--from", DAY, "-f", "json", "--url", db_url])
    assert res.exit_code == 0, res.output
    body = json.loads(res.stdout[res.stdout.index("{"):])
    assert body["days"][0]["lost_callers"] == 1  # c3 and c4 are one caller; c6 has no number
    res = r.invoke(app, ["reports", "lost", "--day", DAY, "--url", db_url])
    assert res.exit_code == 0 and "by_fate" in res.output


def test_bad_arguments_get_a_clear_error(db_url: str) -> None:
    r = CliRunner()
    res = r.invoke(app, ["reports", "lost", "--day", "5.12.2026", "--url", db_url])
    assert res.exit_code == 2 and "YYYY-MM-DD" in res.output
    res = r.invoke(app, ["reports", "kpi", "--from", DAY, "--period", "7", "--url", db_url])
    assert res.exit_code == 2 and "period must be one of" in res.output
    res = r.invoke(app, ["reports", "kpi", "--from", DAY, "--queue-threshold", "support", "--url", db_url])
    assert res.exit_code == 2 and "QUEUE=SECONDS" in res.output
    res = r.invoke(app, ["reports", "kpi", "--from", DAY, "--to", "2026-12-01", "--url", db_url])
    assert res.exit_code == 2 and "before" in res.output
    res = r.invoke(app, ["reports", "lost", "--day", DAY, "-f", "xlsx", "--url", db_url])
    assert res.exit_code == 2 and "xlsx needs --out" in res.output


def test_staffing_from_the_command_line(db_url: str) -> None:
    r = CliRunner()
    assert r.invoke(app, ["reports", "rebuild", "--from", DAY, "--url", db_url]).exit_code == 0
    nxt = "2026-12-12"  # a week later: DAY is its history
    res = r.invoke(app, ["reports", "staffing", "--day", nxt, "--interval", "60", "--shrinkage", "0.2",
                         "--what-if-agents", "2", "-f", "json", "--url", db_url])
    assert res.exit_code == 0, res.output
    assert f"from 1 past day(s) {DAY}" in res.output
    body = json.loads(res.stdout[res.stdout.index("{"):])
    nine = body["rows"][9]
    assert nine["slot"] == "09:00" and nine["forecast"] == 5.0 and nine["required"] >= 2
    assert 0 <= nine["what_if_sl"] <= 1
    bad = r.invoke(app, ["reports", "staffing", "--day", nxt, "--interval", "20", "--url", db_url])
    assert bad.exit_code == 2 and "15, 30 or 60" in bad.output


def test_import_cdrs_and_reconcile_from_the_command_line(tmp_path: Path, db_url: str) -> None:
    from tests.reports.test_reconcile import MASTER

    src = tmp_path / "Master.csv"
    src.write_text(MASTER + '"too","few"\n', encoding="utf-8")
    r = CliRunner()
    dry = r.invoke(app, ["reports", "import-cdrs", str(src), "--dry-run", "--url", db_url])
    assert dry.exit_code == 0, dry.output
    assert "line 3:" in dry.output and "2 CDRs read, 1 bad; would store 2" in dry.output
    res = r.invoke(app, ["reports", "import-cdrs", str(src), "--url", db_url])
    assert res.exit_code == 0 and "stored 2" in res.output
    again = r.invoke(app, ["reports", "import-cdrs", str(src), "--url", db_url])
    assert "stored 0" in again.output  # kept once
    rec = r.invoke(app, ["reports", "reconcile", "--from", "2026-11-22", "-f", "json", "--url", db_url])
    body = json.loads(rec.stdout[rec.stdout.index("{"):])
    # our log has nothing on that day: the CDRs are Asterisk's only, each with its reason
    assert body["matched"] == 0 and len(body["missing_in_ours"]) == 2
    assert rec.exit_code == (1 if body["unexplained"] else 0)
    assert "2 CDRs with no call of ours" in rec.output
