"""A call through the agent API while the supervisor watches; supervisor actions are audited."""

from __future__ import annotations

from tests.console.test_auth import audit_rows
from tests.console.wsutil import drain_to_pong, recv, recv_until


def post(console, user, path, body=None):
    return console.client.post(path, json=body, headers=console.auth(user))


async def _offer(center):
    center.offer_call("1001", "sales", "13800000001", "张安娜")


def test_agent_handles_a_call_and_the_supervisor_sees_every_state(console):
    center = console.center
    with console.client.websocket_connect("/ws", headers=console.auth("alice")) as agent_ws, \
            console.client.websocket_connect("/ws", headers=console.auth("sup")) as sup_ws:
        recv(agent_ws)
        recv(sup_ws)
        assert post(console, "alice", "/api/agent/login").status_code == 200  # extension from the profile
        assert center.agents["1001"].extension == "PJSIP/agent1001"
        r = post(console, "alice", "/api/agent/call/hold")
        assert r.status_code == 409 and "cannot hold while not ready" in r.json()["detail"]
        assert post(console, "alice", "/api/agent/not-ready", {"reason": "lunch"}).status_code == 200
        r = post(console, "alice", "/api/agent/not-ready", {"reason": "nap"})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "reason"]
        assert post(console, "alice", "/api/agent/ready").status_code == 200
        console.clock.advance(5)
        state = console.client.get("/api/agent/state", headers=console.auth("alice")).json()
        assert state["state"] == "ready" and state["time_in_state_s"] == 5.0

        console.run(lambda: _offer(center))
        pop = recv_until(agent_ws, "screen_pop")
        assert pop["customer"]["name"] == "张安娜"
        console.run(lambda: _answer(center))
        assert post(console, "alice", "/api/agent/call/hold").status_code == 200
        assert post(console, "alice", "/api/agent/call/unhold").status_code == 200
        assert post(console, "alice", "/api/agent/call/conference", {"number": "+8613900000000"}).status_code == 200
        body = {"kind": "agent", "target": "1002", "attended": True}
        assert post(console, "alice", "/api/agent/call/transfer", body).status_code == 200
        assert post(console, "alice", "/api/agent/call/transfer/cancel").status_code == 200
        assert post(console, "alice", "/api/agent/call/transfer", body).status_code == 200
        assert post(console, "alice", "/api/agent/call/transfer/complete").status_code == 200
        assert post(console, "alice", "/api/agent/wrap-up/extend", {"seconds": 60}).status_code == 200
        wrap = {"disposition": "resolved", "notes": "客户满意 / happy", "ticket_ref": "T-42"}
        assert post(console, "alice", "/api/agent/wrap-up", wrap).status_code == 200
        states = [m["state"] for m in drain_to_pong(sup_ws)
                  if m["type"] == "agent_state" and m["agent"] == "1001" and "state" in m]
        assert states == ["not_ready", "not_ready", "ready", "ringing", "on_call", "on_hold", "on_call",
                          "wrap_up", "ready"]
    assert ("wrap_up", "1001", "resolved", "客户满意 / happy", "T-42") in center.actions
    assert ("transfer", "1001", "agent", "1002", True) in center.actions
    snap = console.client.get("/api/supervisor/snapshot", headers=console.auth("sup")).json()
    alice = next(a for a in snap["agents"] if a["agent"] == "1001")
    assert alice["calls_handled"] == 1
    sales = next(q for q in snap["queues"] if q["queue"] == "sales")
    assert (sales["offered_today"], sales["answered_today"]) == (1, 1)


async def _answer(center):
    center.answer("1001")


def test_force_state_and_spy_are_audited_with_from_and_to(console):
    center = console.center
    post(console, "alice", "/api/agent/login")
    post(console, "alice", "/api/agent/ready")
    r = post(console, "sup", "/api/supervisor/agents/1001/state", {"state": "not_ready", "reason": "coaching"})
    assert r.status_code == 200
    assert center.agents["1001"].state == "not_ready" and center.agents["1001"].reason == "coaching"
    row = audit_rows(console, "force_state")[-1]
    assert (row.actor, row.target, row.from_value, row.to_value, row.data) == (
        "sup", "1001", "ready", "not_ready", {"reason": "coaching"})
    r = post(console, "sup", "/api/supervisor/agents/1001/spy", {"mode": "whisper"})
    assert r.status_code == 409 and "cannot be listened to" in r.json()["detail"]
    assert audit_rows(console, "spy_whisper") == []
    post(console, "sup", "/api/supervisor/agents/1001/state", {"state": "ready", "reason": "back"})
    console.run(lambda: _offer(center))
    console.run(lambda: _answer(center))
    for mode in ("listen", "whisper", "barge"):
        assert post(console, "sup", "/api/supervisor/agents/1001/spy", {"mode": mode}).status_code == 200
    # the supervisor's own endpoint from their profile, never one from the request
    assert [a for a in center.actions if a[0] == "spy"] == [
        ("spy", "sup", "1001", m, "PJSIP/sup1") for m in ("listen", "whisper", "barge")]
    assert [r.action for r in audit_rows(console) if r.action.startswith("spy_")] == [
        "spy_listen", "spy_whisper", "spy_barge"]


def test_admin_manages_users_and_teams(console):
    h = console.auth("admin")
    c = console.client
    r = c.post("/api/admin/users", json={"username": "dave", "password": "pw-long-enough", "role": "agent",
                                         "agent_id": "1004", "display_name": "戴夫"}, headers=h)
    assert r.status_code == 201, r.text
    dave = r.json()["id"]
    r = c.post("/api/admin/users", json={"username": "dave2", "password": "pw-long-enough", "role": "agent",
                                         "agent_id": "1004"}, headers=h)
    assert r.status_code == 409 and "1004" in r.json()["detail"]
    teams = {t["name"]: t for t in c.get("/api/admin/teams", headers=h).json()}
    r = c.post(f"/api/admin/teams/{teams['Sales']['id']}/members", json={"user_id": dave}, headers=h)
    assert dave in r.json()["members"]
    r = c.put(f"/api/admin/teams/{teams['Center']['id']}",
              json={"name": "Center", "parent_id": teams["Sales-A"]["id"], "level": "manager"}, headers=h)
    assert r.status_code == 409 and "under itself" in r.json()["detail"]
    r = c.delete(f"/api/admin/teams/{teams['Sales']['id']}/members/{dave}", headers=h)
    assert dave not in r.json()["members"]
    actions = [a["action"] for a in c.get("/api/admin/audit", headers=h).json()]
    assert actions[:3] == ["team_remove_member", "team_add_member", "user_create"]


def test_acd_refusals_are_409_or_400_with_the_acd_sentence(console):
    center = console.center
    post(console, "alice", "/api/agent/login")
    post(console, "alice", "/api/agent/ready")
    console.run(lambda: _offer(center))
    console.run(lambda: _answer(center))
    r = post(console, "alice", "/api/agent/call/transfer", {"kind": "agent", "target": "9999"})
    assert r.status_code == 400 and r.json()["detail"] == "There is no agent 9999 to transfer to."
    r = post(console, "alice", "/api/agent/call/transfer/complete")
    assert r.status_code == 409 and r.json()["detail"] == "Agent 1001 has no transfer in progress."


def test_user_without_agent_id_is_told_to_ask_an_admin(console):
    r = post(console, "lead", "/api/agent/ready")
    assert r.status_code == 409 and "not linked to an ACD agent" in r.json()["detail"]


def test_pages_redirect_by_role(console):
    c = console.client
    assert c.get("/agent", follow_redirects=False).headers["location"] == "/login?next=/agent"
    c.cookies.set("hotline_session", console.tokens["alice"])
    assert c.get("/supervisor", follow_redirects=False).headers["location"] == "/agent"
    assert c.get("/agent").status_code == 200
    c.cookies.set("hotline_session", console.tokens["sup"])
    assert c.get("/", follow_redirects=False).headers["location"] == "/supervisor"
    assert "text/html" in c.get("/supervisor").headers["content-type"]


def test_usernames_may_be_chinese_but_not_contain_spaces(console):
    h = console.auth("admin")
    body = {"password": "pw-long-enough", "role": "agent"}
    assert console.client.post("/api/admin/users", json={**body, "username": "张伟"}, headers=h).status_code == 201
    r = console.client.post("/api/admin/users", json={**body, "username": "bad name"}, headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "username"]
