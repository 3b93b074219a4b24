"""Helpers for reading the console websocket in tests."""

from __future__ import annotations

from typing import Any


def recv_until(ws: Any, kind: str, pred: Any = None, limit: int = 200) -> dict[str, Any]:
    """Read frames until one of ``kind`` matching ``pred``; other frames are skipped."""
    for _ in range(limit):
        msg = ws.receive_json()
        if msg["type"] == kind and (pred is None or pred(msg)):
            return msg
    raise AssertionError(f"no {kind} frame within {limit} frames")


def drain_to_pong(ws: Any) -> list[dict[str, Any]]:
    """Everything the server had queued for this console before our ping."""
    ws.send_json({"type": "ping"})
    seen = []
    while True:
        msg = ws.receive_json()
        if msg["type"] == "pong":
            return seen
        seen.append(msg)
