"""Helpers for reading the console websocket in tests.

A websocket message from the hub is one frame (a JSON object) or several (a JSON array,
in order). ``recv`` hands out one frame at a time, keeping the rest of an array for the
next call; every test reads frames through it.
"""

from __future__ import annotations

import json
import weakref
from collections import deque
from typing import Any

_pending: weakref.WeakKeyDictionary[Any, deque[dict[str, Any]]] = weakref.WeakKeyDictionary()


def frames_of(message: str | bytes) -> list[dict[str, Any]]:
    """The frames of one websocket message, in order."""
    data = json.loads(message)
    return data if isinstance(data, list) else [data]


def recv(ws: Any) -> dict[str, Any]:
    """The next frame from a TestClient websocket."""
    box = _pending.setdefault(ws, deque())
    if not box:
        box.extend(frames_of(ws.receive_text()))
    return box.popleft()


def recv_until(ws: Any, kind: str, pred: Any = None, limit: int = 200) -> dict[str, Any]:
    """Read frames until one of ``kind`` matching ``pred``; other frames are skipped."""
    for _ in range(limit):
        msg = recv(ws)
        if msg["type"] == kind and (pred is None or pred(msg)):
            return msg
    raise AssertionError(f"no {kind} frame within {limit} frames")


def drain_to_pong(ws: Any) -> list[dict[str, Any]]:
    """Everything the server had queued for this console before our ping."""
    ws.send_json({"type": "ping"})
    seen = []
    while True:
        msg = recv(ws)
        if msg["type"] == "pong":
            return seen
        seen.append(msg)
