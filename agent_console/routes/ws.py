"""``/ws``: one websocket per console. Client messages:
``{"type": "subscribe", "topics": [...]}`` (replaces the topic set; all or nothing) and
``{"type": "resync"}`` (asks for a fresh snapshot). Everything else gets an ``error``.

Close codes: 1008 the session ended (logged out, password changed, deactivated) or the
handshake had no valid session; 4001 the session expired while the socket was open
(the page goes to the login page)."""

from __future__ import annotations

import asyncio
import contextlib
import json

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from agent_console.context import ConsoleContext
from agent_console.deps import ws_user
from agent_console.hub import Connection, TopicError, dumps
from agent_console.scope import scope_queues
from agent_console.security import token_digest
from agent_console.store import scope_for

router = APIRouter()
MAX_CLIENT_FRAME = 16_384
POLICY_VIOLATION = 1008


@router.websocket("/ws")
async def console_ws(websocket: WebSocket) -> None:
    ctx: ConsoleContext = websocket.app.state.console
    auth = await ws_user(websocket, ctx)
    if auth is None:
        await websocket.close(code=POLICY_VIOLATION, reason="not logged in")
        return
    user, token, expires_at = auth
    async with ctx.sessions() as session:
        scope = await scope_for(session, user)
    scope = scope_queues(scope, await ctx.hub.snapshot())  # shared with the writer's first frame
    await websocket.accept()
    conn = Connection(username=user.username, role=user.role, agent=user.agent_id, scope=scope,
                      send=websocket.send_text, maxsize=ctx.config.ws_queue_size,
                      token_digest=token_digest(token), expires_at=expires_at)
    ctx.hub.attach(conn)
    writer = asyncio.create_task(ctx.hub.run_writer(conn))
    reader = asyncio.create_task(_read(websocket, ctx, conn))
    try:
        await asyncio.wait({writer, reader}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        ended = conn.closed  # by the hub: kicked or expired (else the client went away)
        ctx.hub.detach(conn)
        for t in (writer, reader):
            t.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        with contextlib.suppress(Exception):
            if ended:
                await websocket.close(code=conn.close_code, reason=conn.close_reason)
            else:
                await websocket.close(code=1000)


async def _read(websocket: WebSocket, ctx: ConsoleContext, conn: Connection) -> None:
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            raw = await websocket.receive_text()
            reply = _handle(raw, ctx, conn)
            if reply is not None:
                conn.offer(reply)


def _handle(raw: str, ctx: ConsoleContext, conn: Connection) -> str | None:
    def error(msg: str) -> str:
        return dumps({"type": "error", "message": msg})

    if len(raw) > MAX_CLIENT_FRAME:
        return error("Message too large; send at most 16 KiB.")
    try:
        msg = json.loads(raw)
    except ValueError:
        return error("Messages must be JSON objects like {\"type\": \"subscribe\", \"topics\": [...]}.")
    if not isinstance(msg, dict):
        return error("Messages must be JSON objects.")
    kind = msg.get("type")
    if kind == "subscribe":
        topics = msg.get("topics")
        if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics) or len(topics) > 2000:
            return error("subscribe needs \"topics\": a list of strings.")
        try:
            ctx.hub.set_topics(conn, topics)
        except TopicError as exc:
            return dumps({"type": "error", "message": str(exc), "code": "forbidden"})
        conn.request_resync()  # the writer answers with resync + a snapshot for the new topics
        return None
    if kind == "resync":
        conn.request_resync()
        return None
    if kind == "ping":
        return dumps({"type": "pong"})
    return error(f"Unknown message type {kind!r}; use subscribe, resync or ping.")
