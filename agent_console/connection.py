"""One console's end of the hub: a bounded, non-blocking outbox with a priority lane.

``offer`` never blocks. Screen pops (``urgent``) go out before anything already
waiting; a frame with a ``latest`` key (``queue:sales``) replaces the unsent frame of
the same key, so a console that falls behind catches up on the newest state rather than
on history. A console whose outbox overflows is marked lagged: its writer drops what is
waiting and sends ``resync`` plus a fresh snapshot (see ``Hub.run_writer``).
``next_message`` hands the writer everything waiting as one websocket message.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from agent_console.scope import MONITOR_ROLES, Scope

Send = Callable[[str], Awaitable[None]]
SESSION_ENDED = (1008, "session ended")  # logged out, password changed, deactivated
SESSION_EXPIRED = (4001, "session expired")  # the page goes to the login page
BATCH_FRAMES = 128  # frames per websocket message at most
BATCH_CHARS = 64 * 1024  # characters per websocket message at most (a longer lone frame goes alone)


def dumps(msg: Any) -> str:
    return json.dumps(msg, ensure_ascii=False, separators=(",", ":"))


class TopicError(ValueError):
    pass


class Connection:
    """One console. ``offer`` is non-blocking; the writer drains the buffer."""

    def __init__(self, *, username: str, role: str, agent: str | None, scope: Scope,
                 send: Send, maxsize: int, token_digest: str = "",
                 expires_at: float = float("inf")) -> None:
        self.username = username
        self.token_digest = token_digest
        self.expires_at = expires_at  # the session's expiry (clock time); the hub ends the connection then
        self.role = role
        self.agent = agent
        self.scope = scope
        self.send = send
        self.maxsize = maxsize
        self.topics: set[str] = set()
        self.lagged = False
        self.resyncs = 0
        self._buf: deque[str | list[str]] = deque()  # a list is [frame, key] of a latest-wins frame
        self._urgent: deque[str] = deque()
        self._latest: dict[str, list[str]] = {}
        self._wake = asyncio.Event()
        self.closed = False
        self.queue_due = float("-inf")  # loop time: an agent's console may get queue figures again
        self.sent_versions: dict[str, int] = {}  # queue -> version of the figures it last got
        self.synced = -1  # the hub's figures version this console is up to date with
        self.close_code, self.close_reason = SESSION_ENDED  # why the hub ended it

    def offer(self, frame: str, *, urgent: bool = False, latest: str | None = None) -> None:
        """Queue ``frame``. ``urgent`` (screen pops) goes before everything waiting;
        ``latest`` is a key (``queue:sales``) whose unsent frame this one replaces."""
        if self.lagged:
            return
        if latest is not None and (box := self._latest.get(latest)) is not None:
            box[0] = frame
            return
        if len(self._buf) + len(self._urgent) >= self.maxsize:
            self.lagged = True
            self._clear()
        elif urgent:
            self._urgent.append(frame)
        elif latest is not None:
            box = self._latest[latest] = [frame, latest]
            self._buf.append(box)
        else:
            self._buf.append(frame)
        self._wake.set()

    def request_resync(self) -> None:
        """Drop what is waiting; the writer sends ``resync`` and a fresh snapshot."""
        self.lagged = True
        self._wake.set()

    def pending(self) -> int:
        return len(self._buf) + len(self._urgent)

    def next_frame(self) -> str | None:
        if self._urgent:
            return self._urgent.popleft()
        if not self._buf:
            return None
        item = self._buf.popleft()
        if isinstance(item, list):
            del self._latest[item[1]]
            return item[0]
        return item

    def _peek_len(self) -> int:
        if self._urgent:
            return len(self._urgent[0])
        item = self._buf[0]
        return len(item[0] if isinstance(item, list) else item)

    def next_message(self, max_frames: int = BATCH_FRAMES, max_chars: int = BATCH_CHARS) -> str | None:
        """Everything waiting, in ``next_frame`` order, as one websocket message: a lone
        frame as it is, several as a JSON array of them (``[f1,f2,...]``, not re-encoded).
        At most ``max_frames`` frames and, unless the first frame alone is longer, at most
        ``max_chars`` characters; the rest waits for the next message."""
        first = self.next_frame()
        if first is None:
            return None
        frames = [first]
        size = len(first) + 2  # with the brackets
        while len(frames) < max_frames and (self._urgent or self._buf):
            n = self._peek_len()
            if size + n + 1 > max_chars:
                break
            frame = self.next_frame()
            assert frame is not None
            frames.append(frame)
            size += n + 1
        return first if len(frames) == 1 else "[" + ",".join(frames) + "]"

    def _clear(self) -> None:
        self._buf.clear()
        self._urgent.clear()
        self._latest.clear()

    def default_topics(self) -> set[str]:
        s = self.scope
        topics: set[str] = set()
        if self.agent:
            topics |= {f"agent:{self.agent}", f"pops:{self.agent}"}
        if self.role in MONITOR_ROLES:
            topics.add("alarms")
            if s.everything:
                topics |= {"agent:*", "queue:*"}
            else:
                topics |= {f"agent:{a}" for a in s.agents or ()}
        if not s.everything:
            topics |= {f"queue:{q}" for q in s.queues or ()}
        return topics

    def sees_queue_topic(self, queue: str) -> bool:
        return "queue:*" in self.topics or f"queue:{queue}" in self.topics

    def check_topic(self, topic: str) -> None:
        kind, _, name = topic.partition(":")
        ok = False
        if topic == "alarms":
            ok = self.role in MONITOR_ROLES
        elif kind == "pops":
            ok = bool(name) and name == self.agent
        elif kind == "agent" and name:
            ok = self.scope.everything if name == "*" else self.scope.sees_agent(name)
        elif kind == "queue" and name:
            ok = self.scope.everything if name == "*" else self.scope.sees_queue(name)
        if not ok:
            raise TopicError(f"You may not subscribe to {topic!r}.")
