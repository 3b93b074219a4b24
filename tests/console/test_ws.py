"""Websocket subscriptions: snapshot on connect, deltas, scope, pops to the right agent only."""

from __future__ import annotations

import pytest
from starlette.websockets import WebSocketDisconnect

from tests.console.wsutil import drain_to_pong, recv, recv_until


def ws(console, user):
    return console.client.websocket_connect("/ws", headers=console.auth(user))


def test_websocket_without_credentials_is_refused(console):
    with pytest.raises(WebSocketDisconnect) as exc, console.client.websocket_connect("/ws") as w:
        recv(w)
    assert exc.value.code == 1008


def test_cookie_websocket_from_another_origin_is_refused(console):
    console.client.cookies.set("hotline_session", console.tokens["alice"])
    with pytest.raises(WebSocketDisconnect), console.client.websocket_connect(
            "/ws", headers={"Origin": "https://evil.example"}) as w:
        recv(w)
    with console.client.websocket_connect("/ws", headers={"Origin": "http://testserver"}) as w:
        assert recv(w)["type"] == "snapshot"


def test_agent_snapshot_shows_only_themself(console):
    with ws(console, "alice") as w:
        snap = recv(w)
    assert snap["type"] == "snapshot"
    assert [a["agent"] for a in snap["agents"]] == ["1001"]
    assert snap["me"] == {"username": "alice", "role": "agent", "agent": "1001"}
    assert sorted(snap["topics"]) == ["agent:1001", "pops:1001", "queue:sales"]
    assert snap["alarms"] == []


@pytest.mark.parametrize("topic", ["pops:1002", "agent:1002", "agent:*", "queue:support", "alarms"])
def test_agent_cannot_subscribe_beyond_themself(console, topic):
    with ws(console, "alice") as w:
        recv(w)
        w.send_json({"type": "subscribe", "topics": ["agent:1001", topic]})
        err = recv_until(w, "error")
    assert err["code"] == "forbidden" and topic in err["message"]


def test_supervisor_cannot_subscribe_to_an_agents_pops(console):
    with ws(console, "sup") as w:
        recv(w)
        w.send_json({"type": "subscribe", "topics": ["pops:1001"]})
        assert recv_until(w, "error")["code"] == "forbidden"


def test_team_lead_sees_only_their_teams(console):
    center = console.center
    with ws(console, "lead") as lead, ws(console, "sup") as sup:
        snap = recv(lead)
        assert sorted(a["agent"] for a in snap["agents"]) == ["1001", "1002"]
        assert [q["queue"] for q in snap["queues"]] == ["sales"]
        recv(sup)
        lead.send_json({"type": "subscribe", "topics": ["agent:1003"]})
        assert recv_until(lead, "error")["code"] == "forbidden"
        console.run(lambda: center.login("1003", "PJSIP/c"))
        console.run(lambda: center.login("1002", "PJSIP/b"))
        got = recv_until(sup, "agent_state", lambda m: m["agent"] == "1003" and "state" in m)
        assert got["state"] == "not_ready"
        seen = [m for m in drain_to_pong(lead) if m["type"] == "agent_state"]
        assert "1002" in {m["agent"] for m in seen if m.get("state")}
        assert "1003" not in {m["agent"] for m in seen}


def test_screen_pop_goes_to_the_offered_agent_only(console):
    center = console.center
    console.run(lambda: center.login("1001", "PJSIP/a"))
    console.run(lambda: center.set_ready("1001"))
    console.run(lambda: center.login("1002", "PJSIP/b"))
    console.run(lambda: center.set_ready("1002"))
    with ws(console, "alice") as alice, ws(console, "bob") as bob, ws(console, "sup") as sup:
        for w in (alice, bob, sup):
            recv(w)
        console.clock.advance(0)
        console.run(lambda: _offer(center))
        pop = recv_until(alice, "screen_pop")
        assert pop["caller_num"] == "13800000001" and pop["known"] is True
        assert pop["customer"]["name"] == "张安娜"
        assert [t["id"] for t in pop["open_tickets"]] == [42]
        assert len(pop["interactions"]) == 5
        assert pop["ivr_path"] == ["main", "sales", "billing"] and pop["skills"] == ["billing"]
        assert pop["queue"] == "sales"
        assert not [m for m in drain_to_pong(bob) if m["type"] == "screen_pop"]
        assert not [m for m in drain_to_pong(sup) if m["type"] == "screen_pop"]
    # a console that reconnects while the call rings gets the pop in its snapshot
    with ws(console, "alice") as alice:
        assert recv(alice)["pop"]["call_id"] == pop["call_id"]
    # once the agent is not ready (the caller gave up, a RONA), the pop is gone for good
    console.run(lambda: _not_ready(center))
    with ws(console, "alice") as alice:
        assert recv(alice)["pop"] is None


async def _not_ready(center):
    center._set(center.agents["1001"], "not_ready", reason="rona")


async def _offer(center):
    center.offer_call("1001", "sales", "13800000001", "", ivr_path=("main", "sales", "billing"),
                      skills=("billing",))


def test_unknown_caller_pop_and_failed_lookup_still_pop(console, seeded_db, tmp_path):
    import shutil

    from tests.console.conftest import make_console

    async def broken(number):
        raise RuntimeError("crm down")

    src, tokens = seeded_db
    shutil.copy(src, tmp_path / "b.db")
    gen = make_console(tmp_path / "b.db", tokens, lookup=broken)
    other = next(gen)
    try:
        c = other.center
        other.run(lambda: c.login("1001", "PJSIP/a"))
        other.run(lambda: c.set_ready("1001"))
        with other.client.websocket_connect("/ws", headers=other.auth("alice")) as w:
            recv(w)
            other.run(lambda: _call(c, "1001", "555"))
            pop = recv_until(w, "screen_pop")
        assert pop["known"] is False and pop["customer"] is None
        assert "lookup failed" in pop["lookup_error"]
    finally:
        gen.close()
    console.run(lambda: console.center.login("1001", "PJSIP/a"))
    console.run(lambda: console.center.set_ready("1001"))
    with ws(console, "alice") as w:
        recv(w)
        console.run(lambda: _call(console.center, "1001", "02155550000"))
        pop = recv_until(w, "screen_pop")
    assert pop["known"] is False and pop["lookup_error"] is None and pop["caller_num"] == "02155550000"


async def _call(center, agent, number):
    center.offer_call(agent, "sales", number)


def test_malformed_client_frames_get_errors_not_disconnects(console):
    with ws(console, "alice") as w:
        recv(w)
        for bad in ["not json", "[1,2]", '{"type": "dance"}', '{"type": "subscribe", "topics": "x"}',
                    "x" * 20000]:
            w.send_text(bad)
            assert recv_until(w, "error")["message"]
        assert drain_to_pong(w) == []


def test_logout_and_deactivation_end_live_connections(console):
    with ws(console, "alice") as w:
        recv(w)
        assert console.client.post("/api/auth/logout", headers=console.auth("alice")).status_code == 200
        with pytest.raises(WebSocketDisconnect) as exc:
            while True:
                recv(w)
        assert exc.value.code == 1008
    h = console.auth("admin")
    bob = next(u for u in console.client.get("/api/admin/users", headers=h).json() if u["username"] == "bob")
    with ws(console, "bob") as w:
        recv(w)
        console.client.patch(f"/api/admin/users/{bob['id']}", json={"active": False}, headers=h)
        with pytest.raises(WebSocketDisconnect):
            while True:
                recv(w)
    assert console.app.state.console.hub.connections == set()
