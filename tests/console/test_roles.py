"""Every route against every role: allowed roles get past the checks, others get 403,
no credentials get 401."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from acd.admin.models import AcdQueue
from tests.console.conftest import USERS
from tests.console.route_roles import PUBLIC, allowed_roles, console_app, http_routes, route_of

AGENTS = {"agent", "team_lead"}
MONITOR = {"team_lead", "supervisor", "admin"}
ADMIN = {"admin"}
EVERYONE = {"agent", "team_lead", "supervisor", "qa", "admin"}
QA_EVALUATORS = {"qa", "team_lead", "supervisor", "admin"}

# (method, path, body, roles allowed)
ROUTES: list[tuple[str, str, dict | bytes | None, set[str]]] = [
    ("GET", "/api/auth/me", None, EVERYONE),
    ("GET", "/api/auth/pages", None, EVERYONE),
    ("GET", "/api/supervisor/labels", None, MONITOR),
    ("POST", "/api/auth/logout", None, EVERYONE),
    ("POST", "/api/agent/login", {"extension": "PJSIP/x"}, AGENTS),
    ("POST", "/api/agent/logout", None, AGENTS),
    ("POST", "/api/agent/ready", None, AGENTS),
    ("POST", "/api/agent/not-ready", {"reason": "break"}, AGENTS),
    ("GET", "/api/agent/state", None, AGENTS),
    ("GET", "/api/agent/phone", None, AGENTS),
    ("GET", "/api/agent/codes", None, AGENTS),
    ("POST", "/api/agent/call/hangup", None, AGENTS),
    ("POST", "/api/agent/call/hold", None, AGENTS),
    ("POST", "/api/agent/call/unhold", None, AGENTS),
    ("POST", "/api/agent/call/transfer", {"kind": "number", "target": "5551234"}, AGENTS),
    ("POST", "/api/agent/call/transfer/complete", None, AGENTS),
    ("POST", "/api/agent/call/transfer/cancel", None, AGENTS),
    ("POST", "/api/agent/call/conference", {"number": "5551234"}, AGENTS),
    ("POST", "/api/agent/wrap-up", {"disposition": "resolved"}, AGENTS),
    ("POST", "/api/agent/wrap-up/extend", {"seconds": 30}, AGENTS),
    ("GET", "/api/supervisor/snapshot", None, MONITOR),
    ("GET", "/api/supervisor/alarms", None, MONITOR),
    ("POST", "/api/supervisor/agents/1001/state", {"state": "not_ready", "reason": "coaching"}, MONITOR),
    ("POST", "/api/supervisor/agents/1001/spy", {"mode": "listen"}, MONITOR),
    ("GET", "/api/admin/users", None, ADMIN),
    ("POST", "/api/admin/users", {"username": "newbie", "password": "long-enough-1", "role": "agent"}, ADMIN),
    ("PATCH", "/api/admin/users/6", {"display_name": "x"}, ADMIN),
    ("POST", "/api/admin/users/6/password", {"password": "another-pass-1"}, ADMIN),
    ("GET", "/api/admin/teams", None, ADMIN),
    ("POST", "/api/admin/teams", {"name": "Night shift"}, ADMIN),
    ("PUT", "/api/admin/teams/1", {"name": "Center"}, ADMIN),
    ("POST", "/api/admin/teams/1/members", {"user_id": 5}, ADMIN),
    ("DELETE", "/api/admin/teams/1/members/5", None, ADMIN),
    ("GET", "/api/admin/audit", None, ADMIN),
    ("GET", "/api/recordings", None, EVERYONE),
    ("GET", "/api/recordings/1", None, EVERYONE),
    ("GET", "/api/recordings/1/audio", None, EVERYONE),
    ("GET", "/api/recordings/1/timeline", None, EVERYONE),
    ("GET", "/api/qa/forms", None, EVERYONE),
    ("POST", "/api/qa/forms", {"definition": {"key": "f", "version": 1, "effective_from": 0,
                                              "sections": [{"title": "s", "items": [{"id": "a"}]}]}}, {"qa", "admin"}),
    ("POST", "/api/qa/evaluations", {"recording_id": 1, "form_key": "f"}, QA_EVALUATORS),
    ("GET", "/api/qa/evaluations", None, EVERYONE),
    ("GET", "/api/qa/evaluations/1", None, EVERYONE),
    ("POST", "/api/qa/evaluations/1/submit", {"answers": {}}, QA_EVALUATORS),
    ("POST", "/api/qa/evaluations/1/comments", {"text": "x"}, QA_EVALUATORS),
    ("POST", "/api/qa/evaluations/1/response", {"kind": "acknowledge"}, EVERYONE),
    ("POST", "/api/qa/evaluations/1/resolve", {"resolution": "x"}, QA_EVALUATORS),
    ("GET", "/api/qa/disputes", None, QA_EVALUATORS),
    ("GET", "/api/qa/recordings/1/calibration", None, QA_EVALUATORS),
    ("GET", "/api/qa/rates", None, QA_EVALUATORS),
    ("GET", "/api/qa/rates.csv", None, QA_EVALUATORS),
    ("GET", "/api/qa/pareto", None, QA_EVALUATORS),
    ("GET", "/api/qa/leaderboard", None, QA_EVALUATORS),
    ("GET", "/api/qa/trend?agent=1001", None, EVERYONE),  # an agent: their own only (test_qa_api)
]
REPORTS = {"supervisor", "admin"}
D = "2026-12-05"
ROUTES += [
    ("GET", f"/api/reports/lost?day={D}", None, REPORTS),
    ("GET", f"/api/reports/kpi?from={D}", None, REPORTS),
    ("GET", f"/api/reports/winback?from={D}", None, REPORTS),
    ("POST", f"/api/reports/rebuild?from={D}", None, REPORTS),
    ("GET", f"/api/reports/export?report=lost&format=csv&from={D}", None, REPORTS),
    ("GET", f"/api/reports/staffing?day={D}", None, REPORTS),
    ("GET", f"/api/reports/leaderboard?from={D}", None, REPORTS),
    ("GET", "/api/reports/alarm-rules", None, REPORTS),
    ("POST", "/api/reports/alarm-rules", {"name": "x", "metric": "waiting", "threshold": 5}, REPORTS),
    ("DELETE", "/api/reports/alarm-rules/1", None, REPORTS),
    ("GET", f"/api/reports/alarms?day={D}", None, REPORTS),
    ("POST", "/api/reports/whatif", {"calls_per_hour": 20, "groups": "billing:5=2", "mix": "billing=1"}, REPORTS),
    ("POST", "/api/reports/winback/callback", {"number": "13800138000", "queue": "sales"},
     {"agent", "team_lead", "supervisor", "admin"}),
    ("GET", "/api/outbound/campaigns", None, MONITOR),
    ("POST", "/api/outbound/campaigns/huifang/start", None, REPORTS),
    ("POST", "/api/agent/outbound/dial", None, AGENTS),
    ("POST", "/api/agent/outbound/skip", None, AGENTS),
    ("POST", "/api/outbound/campaigns/huifang/lists/tickets", {}, REPORTS),
    ("POST", "/api/outbound/campaigns/huifang/lists/lost-calls", {"from_day": D}, REPORTS),
    ("POST", "/api/outbound/campaigns/huifang/lists/survey", {"from_day": D, "size": 5}, REPORTS),
    ("GET", "/api/agent/outbound/record", None, AGENTS),
    ("POST", "/api/agent/outbound/wrap-up", {"disposition": "done"}, AGENTS),
    # the outbound page's lists section (routes.outbound_lists): CSV bodies
    ("GET", "/api/outbound/campaigns/huifang/lists", None, REPORTS),
    ("POST", "/api/outbound/campaigns/huifang/lists/csv", b"number\n13800138000\n", REPORTS),
    ("POST", "/api/outbound/dnc", b"number\n13800138000\n", REPORTS),
    ("POST", "/api/outbound/dnc?campaign=huifang", b"13800138000\n", REPORTS),
    ("GET", "/api/outbound/dnc.csv", None, REPORTS),
    ("GET", "/api/outbound/dnc.csv?campaign=huifang", None, REPORTS),
    # the outbound page: a campaign's configuration and report (routes.outbound_campaigns)
    ("POST", "/api/outbound/campaigns", {"name": "matrix", "mode": "progressive", "queue": "sales",
                                         "caller_id": "4008001234"}, REPORTS),
    ("GET", "/api/outbound/campaigns/huifang", None, REPORTS),
    ("PUT", "/api/outbound/campaigns/huifang", {"mode": "progressive", "queue": "sales",
                                                "caller_id": "4008001234"}, REPORTS),
    ("GET", "/api/outbound/campaigns/huifang/report", None, REPORTS),
    ("GET", "/api/outbound/campaigns/huifang/report.csv", None, REPORTS),
]
# console-agent: the agent's desk and the monitor's drill-down
ROUTES += [
    ("GET", "/api/agent/today", None, AGENTS),
    ("GET", "/api/agent/transfer-targets", None, AGENTS),
    ("GET", "/api/supervisor/queues/sales", None, MONITOR),
    ("GET", "/api/supervisor/agents/1001", None, MONITOR),
]
USERNAMES = ["admin", "sup", "lead", "alice", "qa"]


def _call(console, method, path, body, headers):
    if isinstance(body, bytes):  # a file upload (text/csv body)
        return console.client.request(method, path, content=body, headers={**headers, "Content-Type": "text/csv"})
    return console.client.request(method, path, json=body, headers=headers)


def _acd_queue(console, name: str) -> None:
    """An ACD queue (the admin page's ``acd_queues``): a campaign is created only into one."""
    async def add() -> None:
        async with async_sessionmaker(console.engine)() as s:
            s.add(AcdQueue(name=name))
            await s.commit()
    console.run(add)


@pytest.mark.parametrize("method,path,body,allowed", ROUTES, ids=[f"{m} {p}" for m, p, _, _ in ROUTES])
def test_route_role_checks(console, method, path, body, allowed):
    _acd_queue(console, "sales")  # the campaign rows' queue
    r = _call(console, method, path, body, {})
    assert r.status_code == 401, f"anonymous {method} {path}: {r.status_code}"
    for username in USERNAMES:
        role = USERS[username][0]
        r = _call(console, method, path, body, console.auth(username))
        if role in allowed:
            assert r.status_code not in (401, 403, 422, 500), f"{username} {method} {path}: {r.status_code} {r.text}"
        else:
            assert r.status_code == 403, f"{username} {method} {path}: {r.status_code} {r.text}"
            assert role in r.json()["detail"]


APP = console_app()
ALLOWED = allowed_roles(APP)


def test_the_matrix_agrees_with_each_routes_require_role() -> None:
    """The hand-written roles above are what each route's RequireRole lets in (read off the
    route as the schema fuzz reads it): a changed role on either side fails here."""
    wrong = []
    for method, url, _, roles in ROUTES:
        route = route_of(APP, method, url)
        assert route is not None, f"{method} {url} reaches no route"
        if set(ALLOWED.get(route, ())) != roles:
            wrong.append(f"{method} {url} ({route[1]}): matrix {sorted(roles)}, "
                         f"route {sorted(ALLOWED.get(route, ()))}")
    assert not wrong, "\n".join(wrong)


def test_every_api_route_is_in_the_matrix() -> None:
    """A new /api route without a row above fails here (the schema's and the hidden ones)."""
    covered = {route_of(APP, method, url) for method, url, _, _ in ROUTES}
    assert http_routes(APP) - covered == PUBLIC  # public by design (test_auth)
    # the walk sees the included routers' routes, templates and all
    assert {("GET", "/api/admin/audit"), ("POST", "/api/outbound/campaigns/{name}/{action}")} <= http_routes(APP)


def test_team_lead_acts_only_on_their_teams(console):
    for agent in ("1001", "1003"):
        console.client.post("/api/agent/login", json={}, headers=console.auth({"1001": "alice", "1003": "carol"}[agent]))
    body = {"state": "logged_out", "reason": "end of shift"}
    r = console.client.post("/api/supervisor/agents/1003/state", json=body, headers=console.auth("lead"))
    assert r.status_code == 403 and "not in your teams" in r.json()["detail"]
    r = console.client.post("/api/supervisor/agents/1001/state", json=body, headers=console.auth("lead"))
    assert r.status_code == 200
    # the manager leads the root team: everything below is theirs
    r = console.client.post("/api/supervisor/agents/1003/state", json=body, headers=console.auth("manager"))
    assert r.status_code == 200
    snap = console.client.get("/api/supervisor/snapshot", headers=console.auth("lead")).json()
    assert sorted(a["agent"] for a in snap["agents"]) == ["1001", "1002"]
    assert [q["queue"] for q in snap["queues"]] == ["sales"]
    snap = console.client.get("/api/supervisor/snapshot", headers=console.auth("sup")).json()
    assert sorted(a["agent"] for a in snap["agents"]) == ["1001", "1002", "1003"]


def test_unknown_agent_is_404_for_a_supervisor(console):
    r = console.client.post("/api/supervisor/agents/9999/spy", json={"mode": "barge"}, headers=console.auth("sup"))
    assert r.status_code == 404 and "9999" in r.json()["detail"]
