"""Malformed requests get 4xx with field names, never the 500 handler; Schemathesis over
the OpenAPI schema against a live server finds no 500."""

from __future__ import annotations

import asyncio
import logging
import shutil
import sqlite3
import time
import zlib
from typing import Any

import pytest
import schemathesis
from fastapi import APIRouter
from hypothesis import HealthCheck, settings

from agent_console.models import ROLES
from agent_console.security import token_digest
from hotline.settings import Settings
from tests.console.conftest import START, USERS
from tests.console.live import live_server
from tests.console.route_roles import PUBLIC, allowed_roles, console_app

MALFORMED = [
    ("POST", "/api/auth/login", b"{not json", "alice"),
    ("POST", "/api/auth/login", b'{"username": 5}', "alice"),
    ("POST", "/api/agent/not-ready", b'{"reason": ""}', "alice"),
    ("POST", "/api/agent/not-ready", b'{"reason": "break", "extra": 1}', "alice"),
    ("POST", "/api/agent/call/transfer", b'{"kind": "moon", "target": "x"}', "alice"),
    ("POST", "/api/agent/call/transfer", b'{"kind": "number", "target": "1; DROP"}', "alice"),
    ("POST", "/api/agent/call/conference", b'{"number": "\\u0000"}', "alice"),
    ("POST", "/api/agent/wrap-up/extend", b'{"seconds": 99999999999999999999999}', "alice"),
    ("POST", "/api/agent/wrap-up", b"[]", "alice"),
    ("POST", "/api/supervisor/agents/..%2F..%2Fetc/state", b'{"state": "ready", "reason": "x"}', "sup"),
    ("POST", "/api/supervisor/agents/1001/spy", b'{"mode": "steal"}', "sup"),
    ("PATCH", "/api/admin/users/99999999999999999999", b"{}", "admin"),
    ("POST", "/api/admin/teams", b'{"name": "t", "parent_id": -1}', "admin"),
    ("GET", "/api/admin/audit?limit=abc", b"", "admin"),
]


@pytest.mark.parametrize("method,path,body,user", MALFORMED, ids=[f"{m} {p} {b[:20]!r}" for m, p, b, _ in MALFORMED])
def test_malformed_requests_are_4xx_with_field_names(console, caplog, method, path, body, user):
    r = console.client.request(method, path, content=body, headers={
        **console.auth(user), "content-type": "application/json"})
    assert 400 <= r.status_code < 500, r.text
    if r.status_code == 422:
        assert all("loc" in d and "msg" in d for d in r.json()["detail"])
    assert not [rec for rec in caplog.records if rec.name == "agent_console.app"]


def test_unexpected_errors_become_a_logged_500_with_a_request_id(console, caplog):
    boom = APIRouter()

    @boom.get("/api/test-boom")
    async def explode() -> None:
        raise RuntimeError("kaput")

    console.app.include_router(boom)
    with caplog.at_level(logging.ERROR, logger="agent_console.app"):
        r = console.client.get("/api/test-boom", headers={"x-request-id": "req-123"})
    assert r.status_code == 500
    assert r.json() == {"detail": "Something went wrong on our side; quote request id req-123 to an admin.",
                        "request_id": "req-123"}
    assert "kaput" not in r.text
    assert any("req-123" in rec.getMessage() for rec in caplog.records)


# --- Schemathesis ------------------------------------------------------------------
# Each operation is fuzzed as a seeded user its route lets in, read off the route itself:
# the roles of its ``RequireRole`` dependency, or any role where it needs only a signed-in
# user (``CurrentUser``; the handler narrows it, e.g. the CRM's policy table).
# PUBLIC (route_roles) needs no user (test_auth); fuzzed signed in as alice
CAMPAIGN = "huifang"
# Path parameters that should sometimes name a seeded object (besides anything the fuzz makes up).
REAL_PATH_VALUES: dict[str, list[object]] = {
    "name": [CAMPAIGN], "agent": ["1001", "1003"], "queue": ["sales"],
    "recording_id": [1, 2], "evaluation_id": [1, 2], "customer_id": [1, 2, 3], "ticket_id": [1, 2, 3],
}
# CSV upload bodies start with a header the list reader takes, so the fuzz reaches its rows.
CSV_HEADER = "^(number|电话)(,name|,姓名)?\r?\n"


def _openapi() -> tuple[dict, dict[tuple[str, str], tuple[str, ...]]]:
    """The schema of a console app (building one does no I/O) and who may call each route."""
    app = console_app()
    spec = app.openapi()
    # The console's own routes and the mounted CRM router (pages are not in the schema).
    spec["paths"] = {p: ops for p, ops in spec["paths"].items() if p.startswith(("/api/", "/crm/"))}
    for ops in spec["paths"].values():
        for op in ops.values():
            for param in op.get("parameters", []):
                if param["in"] == "path" and param["name"] in REAL_PATH_VALUES:
                    param["schema"] = {"anyOf": [{"enum": REAL_PATH_VALUES[param["name"]]}, param["schema"]]}
            csv_body = op.get("requestBody", {}).get("content", {}).get("text/csv")
            if csv_body is not None:
                csv_body["schema"] = {"type": "string", "pattern": CSV_HEADER}
    return spec, allowed_roles(app)


SPEC, ALLOWED = _openapi()
schema = schemathesis.openapi.from_dict(SPEC)


def test_every_fuzzed_operation_knows_who_may_call_it() -> None:
    """A route with neither RequireRole nor CurrentUser (and not public) fails here, so the
    fuzz never falls back to some user who only ever gets 403."""
    operations = {(m.upper(), p) for p, ops in SPEC["paths"].items() for m in ops}
    assert operations - ALLOWED.keys() == set()
    seeded = {role for role, *_ in USERS.values()}
    assert {(op, roles) for op, roles in ALLOWED.items() if op not in PUBLIC and not seeded & set(roles)} == set()
    assert ALLOWED[("POST", "/api/outbound/campaigns/{name}/lists/csv")] == ("supervisor", "admin")
    assert ALLOWED[("GET", "/api/qa/disputes")] == ("team_lead", "supervisor", "qa", "admin")
    assert ALLOWED[("GET", "/api/recordings")] == ROLES
    # a renamed path parameter would quietly stop hitting the seeded rows
    path_params = {p["name"] for ops in SPEC["paths"].values() for op in ops.values()
                   for p in op.get("parameters", []) if p["in"] == "path"}
    assert REAL_PATH_VALUES.keys() <= path_params


def _user_for(case: Any) -> str:
    """A seeded user the operation lets in, picked from the case itself (so a failing case
    replays as the same user)."""
    op = (case.operation.method.upper(), case.operation.path)  # not case.method: the fuzz also sends TRACE
    roles = ALLOWED.get(op)
    if roles is None:
        raise AssertionError(f"{op}: no RequireRole / CurrentUser on the route; who may call it?")
    users = sorted(u for u, (role, *_) in USERS.items() if role in roles) or ["alice"]  # public: anyone
    key = repr((case.formatted_path, case.query, case.body, case.headers)).encode()
    return users[zlib.crc32(key) % len(users)]


async def _seed(db, store) -> None:
    """What REAL_PATH_VALUES name: three customers with a ticket each, the campaign CAMPAIGN
    with a pending record, two recordings in the store (alice's and carol's) and a published
    QA form with an evaluation of each (carol's scored, so she may acknowledge or dispute it)."""
    from sqlalchemy import insert

    from crm.customers import create_customer
    from crm.schemas import CustomerIn, TicketIn
    from crm.sla import TicketType
    from crm.tickets import open_ticket
    from hotline.db import make_engine, make_sessionmaker
    from outbound.models import OutboundCampaign, OutboundRecord
    from qa import evaluations as evs
    from recordings.models import Recording
    from tests.recordings.wavs import write_stereo
    from tests.test_qa_evaluations import form

    engine = make_engine(f"sqlite+aiosqlite:///{db}")
    async with make_sessionmaker(engine)() as s, s.begin():
        for i, name in enumerate(["张安娜", "王伟", "Alice"]):
            c = await create_customer(s, CustomerIn(name=name, phones=[f"1380013800{i}"]), actor="fuzz", now=START)
            await open_ticket(s, TicketIn(type=TicketType.COMPLAINT, title=f"工单 {i}", customer_id=c.id),
                              actor="fuzz", now=START)
        camp = OutboundCampaign(name=CAMPAIGN, mode="progressive", state="draft", queue="sales",
                                caller_id="+864008001234", hours="09:00-21:00", max_per_day=3,
                                retries="busy=600/3", dispositions="done;callback", abandon_cap=0.03,
                                created_at=0.0)
        s.add(camp)
        await s.flush()
        s.add(OutboundRecord(campaign_id=camp.id, number="+8613800138000", name="张三", status="pending", attempts=0))
        for rid, agent in ((1, "1001"), (2, "1003")):
            write_stereo(store / f"r{rid}.wav", 1.0)
            await s.execute(insert(Recording).values(
                id=rid, call_id=f"call-{rid}", uniqueid=f"u{rid}", agent=agent, queue="sales", path=f"r{rid}.wav",
                started_at=START + 600 * rid, policy="all", duration_s=1.0, status="ok"))
        await evs.publish_form(s, form(1, START - 86400), START)
        for rid, agent in ((1, "1001"), (2, "1003")):
            ev = await evs.create(s, recording_id=rid, call_id=f"call-{rid}", agent=agent,
                                  call_started_at=START + 600 * rid, form_key="inbound", evaluator="qa", now=START)
        await evs.submit(s, ev, {"greet": "yes", "verify": "yes", "tone": 4, "close": "no"}, START + 3000)
    await engine.dispose()


@pytest.fixture(scope="module")
def fuzz_server(seeded_db, tmp_path_factory):
    src, _ = seeded_db
    root = tmp_path_factory.mktemp("fuzz")
    db, store = root / "fuzz.db", root / "rec"
    store.mkdir()
    shutil.copy(src, db)
    asyncio.run(_seed(db, store))
    with live_server(db, settings=Settings(recordings_dir=store)) as live:
        yield live, db


def _fresh_token(db, username: str) -> str:
    """Restore the seeded users (a fuzzed PATCH may have demoted or disabled them) and
    open a new session for ``username``, straight in the database file."""
    token = f"fuzz-{username}-{time.monotonic_ns()}"
    with sqlite3.connect(db, timeout=30) as conn:
        for name, (role, agent, _, _) in USERS.items():
            conn.execute("UPDATE console_users SET role=?, active=1, agent_id=? WHERE username=?", (role, agent, name))
        uid = conn.execute("SELECT id FROM console_users WHERE username=?", (username,)).fetchone()[0]
        conn.execute("INSERT INTO console_sessions (token_hash, user_id, created_at, expires_at, ip) "
                     "VALUES (?, ?, ?, ?, 'fuzz')", (token_digest(token), uid, START, START + 10 * 86400))
    return token


@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_schemathesis_finds_no_server_errors(case, fuzz_server, caplog):
    live, db = fuzz_server
    user = _user_for(case)
    response = case.call(base_url=live.url, headers={"Authorization": f"Bearer {_fresh_token(db, user)}"})
    assert response.status_code < 500, \
        f"{case.method} {case.formatted_path} as {user}: {response.status_code} {response.text}"
    assert not [r for r in caplog.records if r.name == "agent_console.app" or r.levelno >= logging.ERROR]
