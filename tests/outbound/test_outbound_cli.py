"""``hotline outbound``: create, import a GBK list, DNC, start / pause, list, report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from outbound.cli import app
from tests.dbfiles import migrated_sqlite


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return migrated_sqlite(tmp_path / "cli.db", ("callback", "sales"))


def test_a_campaign_from_the_command_line(tmp_path: Path, db_url: str) -> None:
    run = CliRunner()
    u = ["--url", db_url]
    r = run.invoke(app, ["create", "huifang", "--queue", "callback", "--caller-id", "4008001234", *u])
    assert r.exit_code == 0, r.output
    bad = run.invoke(app, ["create", "bad name!", "--queue", "callback", "--caller-id", "4008001234", *u])
    assert bad.exit_code == 2 and "letters, digits" in bad.output
    unknown = run.invoke(app, ["create", "other", "--queue", "huifang", "--caller-id", "4008001234", *u])
    assert unknown.exit_code == 2 and (
        "queue 'huifang' is not an ACD queue; use one of callback, sales (queues are added on the admin page)"
        in unknown.output)
    assert "other" not in run.invoke(app, ["list", "--json", *u]).output  # nothing stored
    src = tmp_path / "list.csv"
    src.write_bytes("电话,姓名\n13800138000,张三\nbad,李四\n13900139000,王五\n".encode("gbk"))
    r = run.invoke(app, ["import", "huifang", str(src), *u])
    report = json.loads(r.output)
    assert (report["encoding"], report["imported"], report["rejected"]) == ("gb18030", 2, 1)
    dnc = tmp_path / "dnc.csv"
    dnc.write_text("number\n13900139000\nnope\n", encoding="utf-8")
    r = run.invoke(app, ["dnc-import", str(dnc), *u])
    assert r.exit_code == 0, r.output
    assert "1 number(s) added" in r.output and '"row": 3' in r.output
    assert '"row": 2' in run.invoke(app, ["dnc-import", str(dnc), *u]).output  # already on the list
    r = run.invoke(app, ["dnc-export", *u])
    assert [ln.split(",")[0] for ln in r.output.splitlines()] == ["number", "+8613900139000"]
    assert "is running" in run.invoke(app, ["start", "huifang", *u]).output
    again = run.invoke(app, ["start", "huifang", *u])
    assert again.exit_code == 2 and "allowed: pause, stop" in again.output
    assert "is paused" in run.invoke(app, ["pause", "huifang", *u]).output
    (fig,) = json.loads(run.invoke(app, ["list", "--json", *u]).output)
    assert (fig["name"], fig["state"], fig["records"], fig["penetration"]) == ("huifang", "paused", 2, 0.0)
    r = run.invoke(app, ["report", "huifang", *u])
    assert r.output.splitlines() == ["number,name,status,attempts,last_result,disposition,next_at",
                                     "+8613800138000,张三,pending,0,,,", "+8613900139000,王五,pending,0,,,"]
    r = run.invoke(app, ["report", "huifang", "-o", str(tmp_path / "r.csv"), *u])
    assert (tmp_path / "r.csv").read_bytes().startswith("\ufeffnumber,".encode())  # Excel reads the BOM
    bad = run.invoke(app, ["create", "x", "--queue", "callback", "--caller-id", "4008001234", "--amd", "message", *u])
    assert bad.exit_code == 2 and "needs the prompt" in bad.output
    missing = run.invoke(app, ["stop", "nope", *u])
    assert missing.exit_code == 2 and "no campaign named 'nope'" in missing.output


def test_lists_from_tickets_on_the_command_line_and_list_still_lists(db_url: str) -> None:
    import sqlite3

    run = CliRunner()
    u = ["--url", db_url]
    assert run.invoke(app, ["create", "huifang", "--queue", "callback", "--caller-id", "4008001234", *u]
                      ).exit_code == 0
    con = sqlite3.connect(db_url.split("///", 1)[1])
    con.execute("INSERT INTO crm_customers (id, name, vip_level, tags, blacklisted, created_at, updated_at) "
                "VALUES (1, '张三', 0, '[]', 0, 0, 0)")
    con.execute("INSERT INTO crm_phones (customer_id, e164, kind, country, region_zh, region_en) "
                "VALUES (1, '+8613800138000', 'mobile', 'CN', '', '')")
    for tid in (1, 2):
        con.execute("INSERT INTO crm_tickets (id, type, priority, status, title, customer_id, created_by, "
                    "created_at, updated_at, response_due, resolution_due, resolved_at, escalation_level, "
                    "reopen_count) VALUES (?, 'complaint', 'normal', 'resolved', 't', 1, 'a1', 0, 0, 0, 0, 1, 0, 0)",
                    (tid,))
    con.commit()
    con.close()
    r = run.invoke(app, ["list", "from-tickets", "huifang", *u])
    assert r.exit_code == 0, r.output
    report = json.loads(r.output.splitlines()[0])
    assert (report["found"], report["added"], report["skipped"]) == (
        2, 1, [{"number": "+8613800138000", "reason": "duplicate"}])
    (fig,) = json.loads(run.invoke(app, ["list", "--json", *u]).output)
    assert (fig["name"], fig["records"]) == ("huifang", 1)
    r = run.invoke(app, ["list", "from-lost-calls", "huifang", "--from", "2026-12-05", *u])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output.splitlines()[0])["found"] == 0  # no lost calls in that day
    r = run.invoke(app, ["list", "from-answered-calls", "huifang", "--from", "2026-12-05", "--sample", "5", *u])
    assert r.exit_code == 0 and json.loads(r.output.splitlines()[0])["source"] == "survey", r.output
    bad = run.invoke(app, ["list", "from-lost-calls", "huifang", "--from", "yesterday", *u])
    assert bad.exit_code == 2 and "must be days like 2026-12-07" in bad.output
    missing = run.invoke(app, ["list", "from-tickets", "nope", *u])
    assert missing.exit_code == 2 and "no campaign named 'nope'" in missing.output


def _stored(db_url: str, name: str) -> dict[str, object]:
    import sqlite3

    con = sqlite3.connect(db_url.split("///", 1)[1])
    con.row_factory = sqlite3.Row
    row = con.execute("SELECT * FROM outbound_campaigns WHERE name = ?", (name,)).fetchone()
    con.close()
    return dict(row)


def test_a_campaign_is_edited_from_the_command_line_as_from_the_page(db_url: str) -> None:
    run = CliRunner()
    u = ["--url", db_url]
    assert run.invoke(app, ["create", "huifang", "--queue", "callback", "--caller-id", "4008001234",
                            "--max-total", "4", *u]).exit_code == 0
    r = run.invoke(app, ["edit", "huifang", "--hours", "10:00-18:00", "--max-total", "0",
                         "--retries", "busy=600/2", "--script", "您好", *u])
    assert r.exit_code == 0, r.output
    assert "campaign huifang edited (hours, max_total, retries, script)" in r.output
    row = _stored(db_url, "huifang")
    assert (row["hours"], row["max_total"], row["retries"], row["script"], row["queue"], row["max_per_day"]) == (
        "10:00-18:00", None, "busy=600/2", "您好", "callback", 3)  # the rest stay
    same = run.invoke(app, ["edit", "huifang", "--hours", "10:00-18:00", *u])
    assert same.exit_code == 0 and "is unchanged" in same.output
    nothing = run.invoke(app, ["edit", "huifang", *u])
    assert nothing.exit_code == 2 and "nothing to edit" in nothing.output
    # the same checks as create (and as the page's edit): nothing is stored on a refusal
    for args, words in [(["--hours", "9-5"], "must look like 09:00-21:00"),
                        (["--queue", "huifang"], "is not an ACD queue; use one of callback, sales"),
                        (["--max-per-day", "5", "--max-total", "2"], "at least the attempts per day"),
                        (["--retries", "busy=5/1"], "wait 60 s"),
                        (["--amd", "message"], "needs the prompt")]:
        bad = run.invoke(app, ["edit", "huifang", *args, *u])
        assert bad.exit_code == 2 and words in bad.output, (args, bad.output)
    assert _stored(db_url, "huifang")["hours"] == "10:00-18:00"
    assert "is running" in run.invoke(app, ["start", "huifang", *u]).output
    running = run.invoke(app, ["edit", "huifang", "--mode", "predictive", *u])
    assert running.exit_code == 2 and "is running: pause it, edit it, then start it again" in running.output
    assert _stored(db_url, "huifang")["mode"] == "progressive"
    assert "is paused" in run.invoke(app, ["pause", "huifang", *u]).output
    paused = run.invoke(app, ["edit", "huifang", "--mode", "predictive", "--queue", "sales", *u])
    assert paused.exit_code == 0 and "edited (mode, queue)" in paused.output
    assert (_stored(db_url, "huifang")["mode"], _stored(db_url, "huifang")["state"]) == ("predictive", "paused")
    assert "is stopped" in run.invoke(app, ["stop", "huifang", *u]).output
    stopped = run.invoke(app, ["edit", "huifang", "--hours", "09:00-20:00", *u])
    assert stopped.exit_code == 2 and "create a new campaign instead" in stopped.output
    missing = run.invoke(app, ["edit", "nope", "--hours", "09:00-20:00", *u])
    assert missing.exit_code == 2 and "no campaign named 'nope'" in missing.output


def _audit_rows(db_url: str) -> list[tuple[str, str, str | None, dict[str, object] | None]]:
    import sqlite3

    con = sqlite3.connect(db_url.split("///", 1)[1])
    rows = con.execute("SELECT actor, action, target, data FROM console_audit ORDER BY id").fetchall()
    con.close()
    return [(a, act, t, json.loads(d) if d else None) for a, act, t, d in rows]


def test_the_command_line_writes_the_pages_audit_rows_naming_the_os_user(tmp_path: Path, db_url: str) -> None:
    from hotline.app.cli import (
        app as hotline,  # the composition root installs the console's audit log
    )

    run = CliRunner(env={"LOGNAME": "wangwu", "USER": "wangwu"})
    u = ["--url", db_url]

    def ok(*args: str) -> None:
        r = run.invoke(hotline, ["outbound", *args, *u])
        assert r.exit_code == 0, r.output

    ok("create", "huifang", "--queue", "callback", "--caller-id", "4008001234", "--max-total", "4")
    ok("edit", "huifang", "--hours", "10:00-18:00")
    ok("edit", "huifang", "--hours", "10:00-18:00")  # unchanged: still the request, as on the page
    contacts, dnc = tmp_path / "list.csv", tmp_path / "dnc.csv"
    contacts.write_bytes("电话,姓名\n13800138000,张三\nbad,李四\n".encode("gbk"))
    dnc.write_text("number\n13900139000\n", encoding="utf-8")
    ok("import", "huifang", str(contacts))
    ok("dnc-import", str(dnc))
    ok("dnc-import", str(dnc), "--campaign", "huifang")
    ok("list", "from-tickets", "huifang")
    for action in ("start", "pause", "stop"):
        ok(action, "huifang")
    ok("report", "huifang")
    refused = run.invoke(hotline, ["outbound", "start", "huifang", *u])  # stopped is final: no row
    assert refused.exit_code == 2
    rows = _audit_rows(db_url)
    assert {a for a, *_ in rows} == {"cli:wangwu"}
    assert [(act, t) for _, act, t, _ in rows] == [
        ("campaign_create", "huifang"), ("campaign_edit", "huifang"), ("campaign_edit", "huifang"),
        ("campaign_list_csv", "huifang"), ("dnc_import", "global"), ("dnc_import", "huifang"),
        ("campaign_list_tickets", "huifang"), ("campaign_start", "huifang"), ("campaign_pause", "huifang"),
        ("campaign_stop", "huifang"), ("campaign_report_export", "huifang")]
    create = rows[0][3]
    assert create is not None and (create["queue"], create["caller_id"], create["max_total"], create["mode"]) == (
        "callback", "+864008001234", 4, "progressive")
    assert create["retries"] and set(create["retries"][0]) == {"result", "after_s", "max_retries"}
    assert rows[1][3] == {"changed": {"hours": ["09:00-21:00", "10:00-18:00"]}}
    assert rows[2][3] == {"changed": {}}
    assert rows[3][3] == {"encoding": "gb18030", "rows": 2, "imported": 1, "rejected": 1}
    assert rows[4][3] == {"encoding": "utf-8", "rows": 1, "imported": 1, "rejected": 0}
    assert rows[-1][3] == {"records": 1}


def test_a_refused_change_writes_no_audit_row(db_url: str) -> None:
    from hotline.app.cli import app as hotline

    run = CliRunner()
    r = run.invoke(hotline, ["outbound", "create", "x", "--queue", "nope", "--caller-id", "4008001234",
                             "--url", db_url])
    assert r.exit_code == 2
    assert _audit_rows(db_url) == []
