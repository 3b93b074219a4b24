"""`hotline demo --duration` end to end: simulated Asterisk, IVR over FastAGI, ACD over
AMI, simulated agents, console over HTTP — then totals read back from the call-event log."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_demo_runs_calls_serves_the_console_and_prints_totals(tmp_path):
    env = {**os.environ, "HOTLINE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}",
           "HOTLINE_DATA_DIR": str(tmp_path / "var"), "HOTLINE_RECORDINGS_DIR": str(tmp_path / "rec"),
           "HOTLINE_PROMPTS_DIR": str(tmp_path / "prompts"), "HOTLINE_HTTP_PORT": "0",
           "COLUMNS": "120", "PYTHONUNBUFFERED": "1"}
    env.pop("HOTLINE_CONFIG", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "hotline.app", "demo", "--duration", "15", "--rate", "1.5",
         "--speed", "4", "--agents", "6", "--customers", "30", "--human-agents", "1001",
         "--recordings-mb", str(BUDGET_MB)],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    lines: list[str] = []
    url = None
    deadline = time.monotonic() + 60
    while url is None and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        m = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
        if m:
            url = m.group(1)
    assert url, "".join(lines)
    page = httpx.get(url, follow_redirects=True, timeout=10)
    assert page.status_code == 200
    _team_lead_sees_their_agents_and_listens_to_a_call(url)
    out, _ = proc.communicate(timeout=120)
    text = "".join(lines) + out
    assert proc.returncode == 0, text
    assert "totals from the call-event log" in text
    row = re.search(r"│ all\s*│\s*(\d+)\s*│\s*(\d+)\s*│\s*(\d+)\s*│\s*(\d+)", text)
    assert row, text
    offered, answered, abandoned, other = map(int, row.groups())
    assert offered >= 5 and answered >= 1, text
    assert answered + abandoned + other <= offered
    assert "Traceback" not in text, text
    assert "Yours (not simulated): agent1001" in text
    assert re.search(r"\[\s*\d+ s\] placed \d+, waiting \d+", text), text  # not a terminal: plain lines
    _check_demo_database(tmp_path / "demo.db")
    _check_recordings_budget(tmp_path / "demo.db", tmp_path / "rec")


BUDGET_MB = 0.25
TEAM_A = {"a1002", "a1004", "a1006"}  # the demo's ACD team-a (agents 2, 4, 6), led by team_lead


def _team_lead_sees_their_agents_and_listens_to_a_call(url: str) -> None:
    with httpx.Client(base_url=url, timeout=10) as http:
        r = http.post("/api/auth/login", json={"username": "team_lead", "password": "demo-pass-2026"})
        assert r.status_code == 200, r.text
        assert r.json()["home"] == "/supervisor"
        auth = {"Authorization": f"Bearer {r.json()['token']}"}
        deadline = time.monotonic() + 40
        on_call: list[str] = []
        while not on_call:  # wait for a call of team A to be answered (the demo's traffic, polled)
            snap = http.get("/api/supervisor/snapshot", headers=auth)
            assert snap.status_code == 200, snap.text
            agents = {a["agent"]: a["state"] for a in snap.json()["agents"]}
            assert set(agents) == TEAM_A, agents  # their team, all of it, nobody else
            on_call = [a for a, st in agents.items() if st == "on_call"]
            assert time.monotonic() < deadline, f"no agent of team A on a call: {agents}"
            if not on_call:
                time.sleep(0.25)
        spy = http.post(f"/api/supervisor/agents/{on_call[0]}/spy", json={"mode": "listen"}, headers=auth)
        assert spy.status_code == 200, spy.text  # the team lead's phone (lead9002) rings and listens
        outside = http.post("/api/supervisor/agents/a1003/spy", json={"mode": "listen"}, headers=auth)
        assert outside.status_code == 403  # team B is not theirs
        camps = http.get("/api/outbound/campaigns", headers=auth)  # the supervisor page's campaigns
        assert camps.status_code == 200, camps.text
        assert [(c["name"], c["mode"], c["state"], c["records"]) for c in camps.json()] == [
            ("demo-huifang", "progressive", "running", 30)]  # --customers 30: all of them


def _check_recordings_budget(db: Path, store: Path) -> None:
    import sqlite3

    files = [p for p in store.rglob("*.wav")]
    assert sum(p.stat().st_size for p in files) <= BUDGET_MB * 2**20
    con = sqlite3.connect(db)
    try:
        rows = con.execute("SELECT count(*), count(purged_at) FROM recordings").fetchone()
    finally:
        con.close()
    assert rows[0] > len(files) and rows[1] >= 1, (rows, len(files))  # the budget purged the oldest


def _check_demo_database(db: Path) -> None:
    import sqlite3

    con = sqlite3.connect(db)
    try:
        # the person at the keyboard did nothing: agent a1001 took no call
        assert con.execute("SELECT count(*) FROM call_events WHERE kind='CONNECT' AND agent='a1001'"
                           ).fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM call_events WHERE kind='CONNECT'").fetchone()[0] >= 1
        # the last simulated agent misses one call (RONA shows), then answers: not a RONA per
        # call, which kept support's service level in alarm all day
        assert con.execute("SELECT agent, count(*) FROM call_events WHERE kind='RINGNOANSWER' GROUP BY agent"
                           ).fetchall() == [("a1006", 1)]
        # console teams match the ACD's, each led by its team lead; monitors have phones
        teams = dict(con.execute(
            "SELECT t.name, u.username FROM console_teams t JOIN console_users u ON u.id = t.leader_id"))
        assert teams == {"centre": "supervisor", "team-a": "team_lead", "team-b": "team_lead_b"}
        import json

        acd = {a: json.loads(t)[0] for a, t in con.execute("SELECT id, teams FROM acd_agents")}
        members = dict(con.execute(
            "SELECT u.agent_id, t.name FROM console_team_members m JOIN console_teams t ON t.id = m.team_id "
            "JOIN console_users u ON u.id = m.user_id"))
        assert members == acd and len(acd) == 6
        ext = dict(con.execute("SELECT username, extension FROM console_users WHERE role != 'agent'"))
        assert ext["supervisor"] == "PJSIP/sup9001" and ext["team_lead"] == "PJSIP/lead9002"
        # the progressive 回访 campaign ran alongside: it dialed, and a callee answered and
        # was bridged to an agent (the callback group's a1003, or a blended agent)
        results = dict(con.execute("SELECT json_extract(data, '$.result'), count(*) FROM call_events "
                                   "WHERE kind='OUTBOUND_RESULT' AND queue='demo-huifang' GROUP BY 1"))
        dials = con.execute("SELECT count(*) FROM call_events WHERE kind='OUTBOUND_DIAL' "
                            "AND queue='demo-huifang'").fetchone()[0]
        assert dials >= 2 and results.get("answered", 0) >= 1, (dials, results)
        assert con.execute("SELECT count(*) FROM outbound_records WHERE attempts > 0").fetchone()[0] >= 1
        # the list carries the customers' CRM names (the agent and the report show them)
        assert con.execute("SELECT count(*) FROM outbound_records r WHERE r.name IS NULL OR r.name NOT IN "
                           "(SELECT name FROM crm_customers)").fetchone()[0] == 0
        # the simulated agents wrapped its calls up with the campaign's codes, on the records
        codes = set(con.execute("SELECT dispositions FROM outbound_campaigns").fetchone()[0].split(";"))
        used = {d for (d,) in con.execute("SELECT json_extract(data, '$.disposition') FROM call_events "
                                          "WHERE kind='WRAPUP' AND call_id LIKE 'ob-demo-huifang-%'")}
        stored = {d for (d,) in con.execute("SELECT disposition FROM outbound_records "
                                            "WHERE disposition IS NOT NULL")}
        assert used <= codes and stored <= codes, (used, stored, codes)
        # wrap-ups reached the CRM
        assert con.execute("SELECT count(*) FROM crm_interactions").fetchone()[0] >= 1
    finally:
        con.close()


def test_demo_refuses_a_busy_port_and_an_unknown_human_agent(tmp_path):
    import socket

    env = {**os.environ, "HOTLINE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}",
           "HOTLINE_DATA_DIR": str(tmp_path / "var")}
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env["HOTLINE_HTTP_HOST"] = "127.0.0.1"
        r = subprocess.run([sys.executable, "-m", "hotline.app", "demo", "--port", str(port)],
                           cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and f"--port {port}: the port is in use" in r.stdout + r.stderr
    r = subprocess.run([sys.executable, "-m", "hotline.app", "demo", "--human-agents", "999"],
                       cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "999 is not one of the demo's extensions" in r.stdout + r.stderr
