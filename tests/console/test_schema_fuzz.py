"""Malformed requests get 4xx with field names, never the 500 handler; Schemathesis over
the OpenAPI schema against a live server finds no 500."""

from __future__ import annotations

import asyncio
import logging
import shutil
import sqlite3
import time

import pytest
import schemathesis
from fastapi import APIRouter
from hypothesis import HealthCheck, settings

from agent_console.security import token_digest
from tests.console.conftest import START, USERS
from tests.console.live import live_server

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
ROLE_FOR_PREFIX = [("/api/admin", "admin"), ("/api/supervisor", "sup"), ("/api/agent", "alice"),
                   ("/api/outbound", "sup"),
                   ("/crm", "admin"), ("/", "alice")]


async def _seed_crm(db) -> None:
    """A few customers and tickets, so fuzzed ids 1..3 hit real rows (PATCH, actions)."""
    from crm.customers import create_customer
    from crm.schemas import CustomerIn, TicketIn
    from crm.sla import TicketType
    from crm.tickets import open_ticket
    from hotline.db import make_engine, make_sessionmaker

    engine = make_engine(f"sqlite+aiosqlite:///{db}")
    async with make_sessionmaker(engine)() as s, s.begin():
        for i, name in enumerate(["张安娜", "王伟", "Alice"]):
            c = await create_customer(s, CustomerIn(name=name, phones=[f"1380013800{i}"]), actor="fuzz", now=START)
            await open_ticket(s, TicketIn(type=TicketType.COMPLAINT, title=f"工单 {i}", customer_id=c.id),
                              actor="fuzz", now=START)
    await engine.dispose()


@pytest.fixture(scope="module")
def fuzz_server(seeded_db, tmp_path_factory):
    src, _ = seeded_db
    db = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
    shutil.copy(src, db)
    asyncio.run(_seed_crm(db))
    with live_server(db) as live:
        yield live, db


def _openapi() -> dict:
    """The schema of a console app (building one does no I/O)."""
    from agent_console.app import create_app
    from hotline.clock import ManualClock
    from hotline.db import make_engine
    from hotline.events import EventBus
    from hotline.settings import Settings

    app = create_app(Settings(), make_engine("sqlite+aiosqlite://"), EventBus(), None,  # type: ignore[arg-type]
                     None, ManualClock())  # type: ignore[arg-type]
    spec = app.openapi()
    # The console's own routes and the mounted CRM router (pages are not in the schema).
    spec["paths"] = {p: ops for p, ops in spec["paths"].items() if p.startswith(("/api/", "/crm/"))}
    return spec


schema = schemathesis.openapi.from_dict(_openapi())


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
    user = next(u for prefix, u in ROLE_FOR_PREFIX if case.path.startswith(prefix))
    response = case.call(base_url=live.url, headers={"Authorization": f"Bearer {_fresh_token(db, user)}"})
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code} {response.text}"
    assert not [r for r in caplog.records if r.name == "agent_console.app"]
