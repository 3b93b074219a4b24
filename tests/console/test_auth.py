from __future__ import annotations

from sqlalchemy import select

from agent_console.models import AuditEntry
from tests.console.conftest import PASSWORD


def audit_rows(console, action=None):
    async def q():
        from hotline.db import make_sessionmaker

        async with make_sessionmaker(console.engine)() as s:
            stmt = select(AuditEntry).order_by(AuditEntry.id)
            if action:
                stmt = stmt.where(AuditEntry.action == action)
            return list((await s.execute(stmt)).scalars())

    return console.run(q)


def test_login_sets_http_only_strict_cookie_and_returns_a_working_token(console):
    r = console.client.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
    assert r.status_code == 200, r.text
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    token = r.json()["token"]
    assert token not in str([row.data for row in audit_rows(console)])
    me = console.client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["username"] == "alice"
    assert [(a.actor, a.action) for a in audit_rows(console, "login")] == [("alice", "login")]


def test_wrong_password_is_401_and_audited(console):
    console.client.cookies.clear()
    r = console.client.post("/api/auth/login", json={"username": "alice", "password": "nope-nope"})
    assert r.status_code == 401
    assert "Wrong username or password" in r.json()["detail"]
    r = console.client.post("/api/auth/login", json={"username": "ghost", "password": "nope-nope"})
    assert r.status_code == 401
    assert [a.actor for a in audit_rows(console, "login_failed")] == ["alice", "ghost"]


def test_failed_logins_are_rate_limited_per_user_with_retry_after(console):
    c = console.client
    for _ in range(5):
        assert c.post("/api/auth/login", json={"username": "bob", "password": "wrong-pass"}).status_code == 401
    r = c.post("/api/auth/login", json={"username": "bob", "password": PASSWORD})
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) == 300
    # another user from the same address is not locked out
    assert c.post("/api/auth/login", json={"username": "alice", "password": PASSWORD}).status_code == 200
    console.clock.advance(120)
    r = c.post("/api/auth/login", json={"username": "bob", "password": PASSWORD})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) == 180
    console.clock.advance(181)
    assert c.post("/api/auth/login", json={"username": "bob", "password": PASSWORD}).status_code == 200
    assert len(audit_rows(console, "login_throttled")) == 2


def test_cookie_writes_need_the_csrf_header(console):
    c = console.client
    assert c.post("/api/auth/login", json={"username": "alice", "password": PASSWORD}).status_code == 200
    assert c.get("/api/auth/me").status_code == 200  # reads by cookie are fine
    r = c.post("/api/agent/login", json={})
    assert r.status_code == 403 and "x-hotline-csrf" in r.json()["detail"]
    assert c.post("/api/agent/login", json={}, headers={"X-Hotline-CSRF": "1"}).status_code == 200


def test_logout_ends_the_session(console):
    c = console.client
    token = c.post("/api/auth/login", json={"username": "alice", "password": PASSWORD}).json()["token"]
    c.cookies.clear()
    h = {"Authorization": f"Bearer {token}"}
    assert c.post("/api/auth/logout", headers=h).status_code == 200
    assert c.get("/api/auth/me", headers=h).status_code == 401


def test_sessions_expire(console):
    assert console.client.get("/api/auth/me", headers=console.auth("alice")).status_code == 200
    console.clock.advance(31 * 86400)
    r = console.client.get("/api/auth/me", headers=console.auth("alice"))
    assert r.status_code == 401 and "log in again" in r.json()["detail"]


def test_deactivated_user_loses_access(console):
    h = console.auth("admin")
    users = {u["username"]: u for u in console.client.get("/api/admin/users", headers=h).json()}
    r = console.client.patch(f"/api/admin/users/{users['bob']['id']}", json={"active": False}, headers=h)
    assert r.status_code == 200
    assert console.client.get("/api/auth/me", headers=console.auth("bob")).status_code == 401
    row = audit_rows(console, "user_set_active")[-1]
    assert (row.actor, row.target, row.from_value, row.to_value) == ("admin", "bob", "True", "False")
