"""A session that expires while its websocket is open ends the connection (close code
4001, "session expired"), found by the hub's periodic sweep or by the writer's next wake;
one revoked in the database by another process ends it at the next session check (1008)."""

from __future__ import annotations

import asyncio

import pytest
from starlette.websockets import WebSocketDisconnect

from acd.events import AgentStateChanged
from agent_console.connection import SESSION_EXPIRED, Connection
from agent_console.revocation import end_revoked
from agent_console.scope import Scope
from agent_console.security import token_digest
from agent_console.store import close_session, open_session, set_password, user_by_name
from tests.console.test_hub import Sink, make_hub, settle, writing
from tests.console.wsutil import drain_to_pong, recv


def console_for(hub, sink: Sink, expires_at: float, username: str = "sup") -> Connection:
    c = Connection(username=username, role="supervisor", agent=None, scope=Scope(agents=None), send=sink.send,
                   maxsize=hub.config.ws_queue_size, expires_at=expires_at)
    hub.attach(c)
    return c


async def test_the_sweep_ends_connections_whose_session_expired():
    hub, _, _ = make_hub()
    hub.start()
    now = hub.clock.now()
    soon, later = Sink(), Sink()
    a, b = console_for(hub, soon, now + 100), console_for(hub, later, now + 500, "sup2")
    writers = [asyncio.create_task(hub.run_writer(c)) for c in (a, b)]
    async with writing(hub):
        await settle(lambda: soon.frames and later.frames)
        hub.clock.advance(99.9)
        assert hub.expire_sessions() == 0 and not a.closed
        hub.clock.advance(0.1)
        assert hub.expire_sessions() == 1
        await asyncio.wait_for(writers[0], 1)  # the writer returns; the route closes the socket
        assert a.closed and (a.close_code, a.close_reason) == SESSION_EXPIRED == (4001, "session expired")
        assert hub.connections == {b} and not writers[1].done()
        hub.detach(b)
        await asyncio.wait_for(writers[1], 1)
    assert b.close_code == 1008  # ended otherwise: not an expiry


async def test_an_expired_connection_gets_no_more_frames():
    hub, _, bus = make_hub()
    hub.start()
    sink = Sink()
    conn = console_for(hub, sink, hub.clock.now() + 60)
    writer = asyncio.create_task(hub.run_writer(conn))
    async with writing(hub):
        await settle(lambda: len(sink.frames) == 1)
        hub.clock.advance(60)  # expired; the sweep has not run yet
        bus.publish(AgentStateChanged(at=1.0, agent="1001", state="ready", previous="not_ready"))
        await asyncio.wait_for(writer, 1)
    assert [f["type"] for f in sink.frames] == ["snapshot"]
    assert conn.closed and conn.close_code == 4001 and conn not in hub.connections


def test_the_socket_closes_with_4001_when_the_session_expires(console):
    hub = console.app.state.console.hub

    async def sweep() -> int:
        return hub.expire_sessions()

    with console.client.websocket_connect("/ws", headers=console.auth("alice")) as w, \
            console.client.websocket_connect("/ws", headers=console.auth("bob")) as other:
        assert recv(w)["type"] == "snapshot" and recv(other)["type"] == "snapshot"
        assert console.run(sweep) == 0
        console.clock.advance(31 * 86400)  # the seeded sessions last 30 days
        assert console.run(sweep) == 2
        for ws in (w, other):
            with pytest.raises(WebSocketDisconnect) as exc:
                while True:
                    recv(ws)
            assert (exc.value.code, exc.value.reason) == (4001, "session expired")
    assert hub.connections == set()
    with pytest.raises(WebSocketDisconnect) as exc, \
            console.client.websocket_connect("/ws", headers=console.auth("alice")) as w:
        recv(w)
    assert exc.value.code == 1008  # and the expired session cannot reconnect


def test_a_session_revoked_in_the_database_ends_its_connection(console):
    """As ``hotline users set-password`` does from another process: the session rows go,
    the hub is not told; the periodic check ends the connection (1008)."""
    ctx = console.app.state.console

    async def revoke_alice() -> None:
        async with ctx.sessions() as s:
            alice = await user_by_name(s, "alice")
            assert alice is not None
            await set_password(s, alice, "another-pass-2")
            await s.commit()

    async def check() -> int:
        return await end_revoked(ctx.hub, ctx.sessions_alive)

    with console.client.websocket_connect("/ws", headers=console.auth("alice")) as w, \
            console.client.websocket_connect("/ws", headers=console.auth("bob")) as other:
        assert recv(w)["type"] == "snapshot" and recv(other)["type"] == "snapshot"
        assert console.run(check) == 0
        console.run(revoke_alice)
        assert console.run(check) == 1
        with pytest.raises(WebSocketDisconnect) as exc:
            while True:
                recv(w)
        assert exc.value.code == 1008
        assert drain_to_pong(other) == []  # bob's connection is untouched
    assert {c.username for c in ctx.hub.connections} == set()


def test_live_session_digests_leave_out_expired_revoked_and_inactive(console):
    ctx = console.app.state.console
    digest = {name: token_digest(tok) for name, tok in console.tokens.items()}

    async def scenario() -> tuple[set[str], set[str], str]:
        async with ctx.sessions() as s:
            sup = await user_by_name(s, "sup")
            carol = await user_by_name(s, "carol")
            assert sup is not None and carol is not None
            short, _ = await open_session(s, sup, now=console.clock.now(), ttl_s=60, ip=None)
            carol.active = False
            await close_session(s, console.tokens["bob"])
            await s.commit()
        asked = {digest[n] for n in ("alice", "bob", "carol", "sup")} | {token_digest(short), "0" * 64}
        before = await ctx.sessions_alive(asked)
        console.clock.advance(60)
        return before, await ctx.sessions_alive(asked), token_digest(short)

    before, after, short = console.run(scenario)
    assert before == {digest["alice"], digest["sup"], short}  # not bob's (closed), carol's (inactive), unknown
    assert after == {digest["alice"], digest["sup"]}  # the 60 s session expired
