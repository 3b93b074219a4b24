"""/api/reports and the /reports page: roles, figures, exports (audited), bad input."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import select

from agent_console.models import AuditEntry
from hotline.eventlog import CallEventLog
from tests.console.conftest import Console
from tests.reports.daydata import DAY, write_day

HTML = {"accept": "text/html,application/xhtml+xml"}


def _fill(console: Console) -> None:
    async def job() -> None:
        log = CallEventLog(console.engine, clock=console.clock)
        write_day(log)
        await log.flush()
    console.run(job)


def test_rebuild_then_lost_kpi_winback(console: Console) -> None:
    _fill(console)
    c, sup = console.client, console.auth("sup")
    r = c.post(f"/api/reports/rebuild?from={DAY}", headers=sup)
    assert r.status_code == 200, r.text
    assert r.json() == {"days": 1, "calls": 6}
    rep = c.get(f"/api/reports/lost?day={DAY}", headers=sup).json()
    assert rep["totals"] == {"day": DAY, "calls": 6, "lost": 3, "lost_rate": 0.5}
    assert {f["fate"] for f in rep["by_fate"]} == {"short_abandon", "queue_abandon", "ivr_abandon"}
    k = c.get(f"/api/reports/kpi?from={DAY}&period=day&by=queue&sl=answered&threshold=30&repeat_hours=0.01",
              headers=sup).json()
    support = next(row for row in k["rows"] if row["key"] == "support")
    assert (support["offered"], support["answered"]) == (4, 2)
    assert support["service_level"] == 1.0  # c1 (10 s) and c2 (30 s) both within 30 s
    # c4 called again 3 min after c3: a repeat within 24 h, not within 36 s
    assert support["repeat_rate"] == 0.0
    day = c.get(f"/api/reports/kpi?from={DAY}&period=day&by=queue", headers=sup).json()["rows"]
    assert next(r for r in day if r["key"] == "support")["repeat_rate"] == 0.25
    assert k["formulas"][-1]["formula_en"] == "answered within 30 s / answered"
    assert len(k["variants"]) == 5
    board = c.get(f"/api/reports/kpi?from={DAY}&period=day&by=agent", headers=sup).json()["leaderboard"]
    assert board[0]["key"] == "a1" and board[0]["rank"] == 1
    wb = c.get(f"/api/reports/winback?from={DAY}", headers=sup).json()
    assert wb["days"][0]["lost_callers"] == 1 and wb["worklist"][0]["number"] == "+8613800138000"


def test_exports_are_files_and_audited(console: Console) -> None:
    _fill(console)
    c, sup = console.client, console.auth("sup")
    c.post(f"/api/reports/rebuild?from={DAY}", headers=sup)
    x = c.get(f"/api/reports/export?report=lost&format=xlsx&from={DAY}&lang=zh", headers=sup)
    assert x.status_code == 200 and "attachment" in x.headers["content-disposition"]
    book = load_workbook(io.BytesIO(x.content))
    assert "calls" in book.sheetnames and book["by_hour"]["A1"].value == "小时"
    csv = c.get(f"/api/reports/export?report=kpi&format=csv&sheet=formulas&from={DAY}&lang=en", headers=sup)
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "Service level,answered within 20 s / offered" in csv.content.decode("utf-8-sig")
    bad = c.get(f"/api/reports/export?report=kpi&format=csv&sheet=nope&from={DAY}", headers=sup)
    assert bad.status_code == 422 and "no sheet 'nope'" in bad.text

    async def audited() -> list[str]:
        async with console.app.state.console.sessions() as s:
            rows = (await s.execute(select(AuditEntry.target).where(
                AuditEntry.action == "reports.export").order_by(AuditEntry.id))).scalars().all()
            return list(rows)
    assert console.run(audited) == [f"lost-{DAY}.xlsx", f"kpi-{DAY}.csv"]


def test_roles_and_bad_input(console: Console) -> None:
    c = console.client
    for user in ("alice", "lead", "qa"):
        r = c.get(f"/api/reports/lost?day={DAY}", headers=console.auth(user))
        assert r.status_code == 403, user
    admin = console.auth("admin")
    assert c.get("/api/reports/lost?day=2026-13-01", headers=admin).status_code == 422
    assert c.get("/api/reports/lost?day=yesterday", headers=admin).status_code == 422
    r = c.get(f"/api/reports/kpi?from={DAY}&to=2026-12-01", headers=admin)
    assert r.status_code == 422 and "is before the first day" in r.text
    r = c.get("/api/reports/kpi?from=2026-01-01&to=2026-12-31", headers=admin)
    assert r.status_code == 422 and "At most 93 days" in r.text
    assert c.get(f"/api/reports/kpi?from={DAY}&period=7", headers=admin).status_code == 422
    empty = c.get("/api/reports/lost?day=2026-01-01", headers=admin).json()
    assert empty["totals"]["calls"] == 0 and empty["peaks"] == []


def test_the_page_is_for_supervisors_and_admins(console: Console) -> None:
    c = console.client
    c.cookies.clear()
    from tests.console.conftest import PASSWORD
    c.post("/api/auth/login", json={"username": "sup", "password": PASSWORD})
    page = c.get("/reports", headers=HTML)
    assert page.status_code == 200 and "/static/vendor/echarts/echarts.min.js" in page.text
    assert c.get("/static/vendor/echarts/echarts.min.js").status_code == 200
    c.cookies.clear()
    c.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
    r = c.get("/reports", headers=HTML, follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/agent")


def test_staffing_plan_and_what_if(console: Console) -> None:
    _fill(console)
    c, sup = console.client, console.auth("sup")
    c.post(f"/api/reports/rebuild?from={DAY}", headers=sup)
    r = c.get("/api/reports/staffing?day=2026-12-12&interval=60&shrinkage=0.5&what_if_agents=3", headers=sup)
    assert r.status_code == 200, r.text
    p = r.json()
    assert p["days_used"] == [DAY] and p["model"] == "erlang_a"  # the day had abandons
    nine = p["rows"][9]
    assert nine["forecast"] == 5.0 and nine["required"] == 2 * (nine["erlang_a"])
    assert 0 <= nine["what_if_sl"] <= 1 and "what_if_sl" not in p["rows"][3]
    assert c.get("/api/reports/staffing?day=2026-12-12&interval=20", headers=sup).status_code == 422
    assert c.get("/api/reports/staffing?day=2026-12-12&shrinkage=1", headers=sup).status_code == 422


def test_alarm_rules_history_and_the_wallboard(console: Console) -> None:
    from reports.alarms import AlarmWatch
    from tests.console.test_ws import ws
    from tests.console.wsutil import recv, recv_until
    from tests.reports.daydata import TZ

    c, sup = console.client, console.auth("sup")
    r = c.post("/api/reports/alarm-rules", headers=sup,
               json={"name": "排队过多", "queue": "sales", "metric": "waiting", "threshold": 1, "min_calls": 0})
    assert r.status_code == 201, r.text
    rule = r.json()
    assert (rule["op"], rule["metric_zh"]) == (">", "排队人数")
    bad = c.post("/api/reports/alarm-rules", headers=sup,
                 json={"name": "x", "metric": "sl_30min", "threshold": 80})
    assert bad.status_code == 422 and "share between 0 and 1" in bad.text
    assert c.post("/api/reports/alarm-rules", headers=sup,
                  json={"name": "x", "metric": "calls", "threshold": 1}).status_code == 422
    assert c.post("/api/reports/alarm-rules", headers=console.auth("alice"),
                  json={"name": "x", "metric": "waiting", "threshold": 1}).status_code == 403
    assert [x["id"] for x in c.get("/api/reports/alarm-rules", headers=sup).json()] == [rule["id"]]

    now = console.clock.now()

    async def two_waiting() -> None:
        log = CallEventLog(console.engine, clock=console.clock)
        log.log("w1", "ENTERQUEUE", ts=now - 30, queue="sales")
        log.log("w2", "ENTERQUEUE", ts=now - 20, queue="sales")
        await log.flush()
    console.run(two_waiting)
    hub = console.app.state.console.hub
    watch = AlarmWatch(console.engine, console.clock, TZ, on_change=lambda r, cl: hub.traffic_alarms_changed(
        [a.as_dict() for a in r], [a.as_dict() for a in cl]))
    with ws(console, "sup") as w:
        assert recv(w)["type"] == "snapshot"
        console.run(watch.tick)
        frame = recv_until(w, "alarm")
    assert (frame["active"], frame["queue"], frame["metric"], frame["value"], frame["rule"]) == (
        True, "sales", "waiting", 2.0, "排队过多")
    with ws(console, "sup") as w:  # a new monitor gets it in its snapshot
        assert [a["kind"] for a in recv(w)["alarms"]] == [f"rule{rule['id']}"]
    with ws(console, "carol") as w:  # an agent of another queue does not
        assert recv(w)["alarms"] == []
    day = __import__("datetime").datetime.fromtimestamp(now, TZ).date().isoformat()
    hist = c.get(f"/api/reports/alarms?day={day}", headers=sup).json()
    assert [(h["rule"], h["cleared_at"]) for h in hist] == [("排队过多", None)]
    assert c.delete(f"/api/reports/alarm-rules/{rule['id']}", headers=sup).json() == {"ok": True}
    assert c.delete(f"/api/reports/alarm-rules/{rule['id']}", headers=sup).status_code == 404


def test_an_alarm_rule_id_past_the_column_is_a_422_naming_it(console: Console) -> None:
    r = console.client.delete(f"/api/reports/alarm-rules/{2**63}", headers=console.auth("sup"))
    assert r.status_code == 422, r.text  # it was a 500: too large for an SQLite INTEGER
    assert r.json()["detail"][0]["loc"] == ["path", "rule_id"]


def test_click_to_call_back_goes_through_the_acd_and_the_crm(console: Console) -> None:
    from crm.models import Interaction

    c = console.client
    r = c.post("/api/reports/winback/callback", headers=console.auth("alice"),
               json={"number": "+8613800138000", "queue": "sales", "last_call_id": "c4"})
    assert r.status_code == 202, r.text
    [req] = console.center.callbacks
    assert (req.number, req.queue, req.call_id) == ("+8613800138000", "sales", r.json()["call_id"])

    async def attempts() -> list[tuple]:
        async with console.app.state.console.sessions() as s:
            rows = (await s.execute(select(Interaction.number, Interaction.kind, Interaction.direction,
                                           Interaction.disposition, Interaction.agent))).all()
            return [tuple(x) for x in rows]
    assert console.run(attempts) == [("+8613800138000", "callback", "out", "callback_requested", "alice")]
    console.clock.advance(6 * 3600)  # 16:00 -> 22:00 in Shanghai: outside the calling hours
    late = c.post("/api/reports/winback/callback", headers=console.auth("sup"),
                  json={"number": "+8613800138000", "queue": "sales"})
    assert late.status_code == 409 and "outside the calling hours" in late.text
    assert len(console.center.callbacks) == 1
    assert c.post("/api/reports/winback/callback", headers=console.auth("qa"),
                  json={"number": "+8613800138000", "queue": "sales"}).status_code == 403
    bad = c.post("/api/reports/winback/callback", headers=console.auth("sup"),
                 json={"number": "+00-12", "queue": "sales"})
    assert bad.status_code == 422 and "is not a phone number" in bad.text


def _agents_day(console: Console) -> None:
    """alice (1001, Sales-A) answers 2 calls, bob (1002, Sales) 1, carol (1003, Support) 1."""
    from tests.reports.daydata import answered, at

    async def job() -> None:
        log = CallEventLog(console.engine, clock=console.clock)
        for i, agent in enumerate(("1001", "1001", "1002", "1003")):
            answered(log, f"k{i}", at(10, i), "sales", None, agent, wait=5 + i, talk=100 * (i + 1))
        await log.flush()
    console.run(job)


def test_leaderboards_down_the_team_tree(console: Console) -> None:
    _agents_day(console)
    c, sup = console.client, console.auth("sup")
    c.post(f"/api/reports/rebuild?from={DAY}", headers=sup)
    agents = c.get(f"/api/reports/leaderboard?from={DAY}&level=agent&kpi=answered", headers=sup).json()
    assert [(r["rank"], r["key"], r["value"]) for r in agents["rows"]] == [(1, "1001", 2), (2, "1002", 1), (3, "1003", 1)]
    # team_lead level: Sales (alice in Sales-A below it + bob) and Support (carol)
    teams = c.get(f"/api/reports/leaderboard?from={DAY}&level=team_lead&kpi=answered", headers=sup).json()
    assert [(r["key"], r["value"]) for r in teams["rows"]] == [("Sales", 3), ("Support", 1)]
    centre = c.get(f"/api/reports/leaderboard?from={DAY}&level=manager&kpi=aht&ascending=true", headers=sup).json()
    assert [(r["key"], r["answered"]) for r in centre["rows"]] == [("Center", 4)]
    bad = c.get(f"/api/reports/leaderboard?from={DAY}&kpi=calls", headers=sup)
    assert bad.status_code == 422 and "Unknown figure 'calls'" in bad.text


def test_what_if_on_a_skills_matrix_over_http(console: Console) -> None:
    c, sup = console.client, console.auth("sup")
    r = c.post("/api/reports/whatif", headers=sup, json={
        "calls_per_hour": 120, "aht": 180, "patience": 120, "groups": "billing:5=6; billing:5,zh:5=2",
        "mix": "billing=0.8; billing,zh=0.2"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["agents"] == 8 and {t["type"] for t in body["by_type"]} == {"billing", "billing+zh"}
    assert 0 <= body["service_level"] <= 1
    bad = c.post("/api/reports/whatif", headers=sup, json={"calls_per_hour": 120, "groups": "billing", "mix": "billing=1"})
    assert bad.status_code == 422 and "write skill:level" in bad.text
    zh = c.post("/api/reports/whatif", headers={**sup, "Accept-Language": "zh-CN"},
                json={"calls_per_hour": 120, "groups": "billing", "mix": "billing=1"})
    assert zh.status_code == 422
