"""The websocket hub: live state from the bus to every open console.

One :class:`Connection` per console. The hub listens on the bus synchronously (inside
``publish``), encodes each event once and offers the frame to the connections whose
topics match; ``offer`` never blocks. Each connection has a bounded buffer drained by
its own writer task: a console that cannot keep up overflows its buffer, is marked
lagged, and its writer sends ``resync`` plus a fresh snapshot when it next can. The
publisher and the other consoles never wait for it.

Topics (checked against the user's scope when subscribing):
``agent:<id>``/``agent:*`` state changes, ``queue:<name>``/``queue:*`` wallboard
figures, ``pops:<agent>`` screen pops (only the agent themself), ``alarms``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from dataclasses import asdict
from typing import Any

from acd.events import (
    AcdEvent,
    AgentStateChanged,
    CallAbandoned,
    CallCompleted,
    CallConnected,
    CallExited,
    CallOffered,
    CallQueued,
    CallRingNoAnswer,
    QueueSnapshot,
)
from agent_console import alarms as alarm_rules
from agent_console.config import ConsoleConfig
from agent_console.context import ScreenPopLookup, scope_queues
from agent_console.popcard import build_pop
from agent_console.ports import AgentStatus, CenterSnapshot, ContactCenter, QueueStatus
from agent_console.scope import MONITOR_ROLES, Scope
from hotline.clock import Clock
from hotline.events import EventBus

log = logging.getLogger(__name__)

Send = Callable[[str], Awaitable[None]]
_REFRESH_ON = (CallQueued, CallConnected, CallAbandoned, CallCompleted, CallExited, QueueSnapshot,
               AgentStateChanged, CallRingNoAnswer)
_POP_ENDS = frozenset({"ready", "not_ready", "logged_out"})


def dumps(msg: dict[str, Any]) -> str:
    return json.dumps(msg, ensure_ascii=False, separators=(",", ":"))


class TopicError(ValueError):
    pass


class Connection:
    """One console. ``offer`` is non-blocking; the writer drains the buffer."""

    def __init__(self, *, username: str, role: str, agent: str | None, scope: Scope,
                 send: Send, maxsize: int, token_digest: str = "") -> None:
        self.username = username
        self.token_digest = token_digest
        self.role = role
        self.agent = agent
        self.scope = scope
        self.send = send
        self.maxsize = maxsize
        self.topics: set[str] = set()
        self.lagged = False
        self.resyncs = 0
        self._buf: deque[str] = deque()
        self._wake = asyncio.Event()
        self.closed = False

    def offer(self, frame: str) -> None:
        if self.lagged:
            return
        if len(self._buf) >= self.maxsize:
            self.lagged = True
            self._buf.clear()
        else:
            self._buf.append(frame)
        self._wake.set()

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


class Hub:
    def __init__(self, *, bus: EventBus, center: ContactCenter, clock: Clock,
                 lookup: ScreenPopLookup, config: ConsoleConfig) -> None:
        self.bus = bus
        self.center = center
        self.clock = clock
        self.lookup = lookup
        self.config = config
        self.connections: set[Connection] = set()
        self._index: dict[str, set[Connection]] = {}
        self.active_alarms: dict[tuple[str, str], alarm_rules.Alarm] = {}
        self.last_pop: dict[str, dict[str, Any]] = {}
        self._queues: dict[str, QueueStatus] = {}
        self._agent_stats: dict[str, tuple[int, float | None]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: int | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._refreshing = False
        self._dirty = False
        self._primed = False

    # --- life cycle ---------------------------------------------------------
    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()
        self._unsubscribe = self.bus.subscribe(AcdEvent, self._on_event)
        self._spawn(self.refresh())  # primes the figures the deltas are computed against
        self._spawn(self._ticker())

    async def stop(self) -> None:
        if self._unsubscribe:
            self._unsubscribe()
            self._unsubscribe = None
        for t in list(self._tasks):
            t.cancel()
        for t in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        assert self._loop is not None
        task: asyncio.Task[Any] = self._loop.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _ticker(self) -> None:
        while True:
            await asyncio.sleep(self.config.refresh_interval_s)
            await self.refresh()

    # --- connections --------------------------------------------------------
    def attach(self, conn: Connection, topics: Iterable[str] | None = None) -> None:
        self.connections.add(conn)
        self.set_topics(conn, conn.default_topics() if topics is None else topics)

    def detach(self, conn: Connection) -> None:
        conn.closed = True
        self.connections.discard(conn)
        for t in conn.topics:
            self._index.get(t, set()).discard(conn)
        conn.topics = set()
        conn._wake.set()

    def kick(self, *, username: str | None = None, token_digest: str | None = None) -> int:
        """End the live connections of a user (password changed, deactivated) or of one
        session (logged out). Their writers return; the route closes the sockets."""
        gone = [c for c in self.connections
                if (username is not None and c.username == username)
                or (token_digest is not None and c.token_digest == token_digest)]
        for c in gone:
            self.detach(c)
        return len(gone)

    def set_topics(self, conn: Connection, topics: Iterable[str]) -> None:
        wanted = set(topics)
        for t in wanted:
            conn.check_topic(t)  # all or nothing
        for t in conn.topics - wanted:
            self._index.get(t, set()).discard(conn)
        for t in wanted - conn.topics:
            self._index.setdefault(t, set()).add(conn)
        conn.topics = wanted

    def _targets(self, *topics: str) -> set[Connection]:
        out: set[Connection] = set()
        for t in topics:
            out |= self._index.get(t, set())
        return out

    async def snapshot_frame(self, conn: Connection, snap: CenterSnapshot | None = None) -> str:
        snap = snap or await self.center.snapshot()
        scope = conn.scope
        if scope.agents is not None and scope.queues is None:
            scope = conn.scope = scope_queues(scope, snap)
        now = self.clock.now()
        every_agent = "agent:*" in conn.topics
        agents = [_agent_dict(a, now) for a in snap.agents
                  if every_agent or f"agent:{a.agent}" in conn.topics]
        queues = [_queue_dict(q) for q in snap.queues
                  if "queue:*" in conn.topics or f"queue:{q.queue}" in conn.topics]
        alarms = ([a.as_dict() for a in self.active_alarms.values() if scope.sees_queue(a.queue)]
                  if "alarms" in conn.topics else [])
        pop = self.last_pop.get(conn.agent) if conn.agent and f"pops:{conn.agent}" in conn.topics else None
        return dumps({"type": "snapshot", "now": now, "me": {"username": conn.username, "role": conn.role,
                      "agent": conn.agent}, "topics": sorted(conn.topics), "agents": agents,
                      "queues": queues, "alarms": alarms, "pop": pop})

    async def run_writer(self, conn: Connection) -> None:
        """Send the snapshot, then deltas; resync after a lag. Returns when detached."""
        await conn.send(await self.snapshot_frame(conn))
        while not conn.closed:
            await conn._wake.wait()
            conn._wake.clear()
            if conn.lagged:
                conn._buf.clear()
                conn.lagged = False
                conn.resyncs += 1
                await conn.send(dumps({"type": "resync", "reason": "lagged"}))
                await conn.send(await self.snapshot_frame(conn))
                continue
            while conn._buf and not conn.lagged:
                await conn.send(conn._buf.popleft())

    # --- bus ----------------------------------------------------------------
    def _on_event(self, event: AcdEvent) -> None:
        if self._loop is None:
            return
        if threading.get_ident() != self._thread:
            self._loop.call_soon_threadsafe(self._dispatch, event)
        else:
            self._dispatch(event)

    def _dispatch(self, event: AcdEvent) -> None:
        if isinstance(event, AgentStateChanged):
            frame = dumps({"type": "agent_state", "agent": event.agent, "state": event.state,
                           "previous": event.previous, "since": event.at, "reason": event.reason,
                           "current_call": event.call_id})
            for c in self._targets("agent:*", f"agent:{event.agent}"):
                c.offer(frame)
            if event.state in _POP_ENDS:
                self.last_pop.pop(event.agent, None)
        elif isinstance(event, CallOffered):
            self._spawn(self._pop(event))
        if isinstance(event, _REFRESH_ON):
            self.schedule_refresh()

    async def _pop(self, event: CallOffered) -> None:
        card: dict[str, Any] | None = None
        error: str | None = None
        try:
            card = await asyncio.wait_for(self.lookup(event.caller_num), self.config.screen_pop_timeout_s)
        except TimeoutError:
            error = "The customer lookup took too long; the card is missing."
        except Exception:
            log.exception("screen pop lookup failed for %s", event.call_id)
            error = "The customer lookup failed; the card is missing."
        pop = build_pop(event, card, error)
        self.last_pop[event.agent] = pop
        frame = dumps(pop)
        for c in self._targets(f"pops:{event.agent}"):
            c.offer(frame)

    def schedule_refresh(self) -> None:
        if self._refreshing:
            self._dirty = True
            return
        self._refreshing = True
        self._spawn(self._refresh_loop())

    async def _refresh_loop(self) -> None:
        try:
            self._dirty = True
            while self._dirty:
                self._dirty = False
                await self.refresh()
        finally:
            self._refreshing = False

    async def refresh(self) -> None:
        """Push changed queue figures, agent statistics and alarm changes."""
        try:
            snap = await self.center.snapshot()
        except Exception:
            log.exception("snapshot for the wallboard failed")
            return
        # The first look only records: consoles got those figures in their snapshot.
        first, self._primed = not self._primed, True
        for q in snap.queues:
            if self._queues.get(q.queue) != q:
                self._queues[q.queue] = q
                if first:
                    continue
                frame = dumps({"type": "queue", "queue": _queue_dict(q)})
                for c in self._targets("queue:*", f"queue:{q.queue}"):
                    c.offer(frame)
        for a in snap.agents:
            stats = (a.calls_handled, a.aht_s)
            if self._agent_stats.get(a.agent) != stats:
                self._agent_stats[a.agent] = stats
                if first:
                    continue
                frame = dumps({"type": "agent_state", "agent": a.agent, "calls_handled": a.calls_handled,
                               "aht_s": a.aht_s, "name": a.name, "queues": list(a.queues)})
                for c in self._targets("agent:*", f"agent:{a.agent}"):
                    c.offer(frame)
        now_active = alarm_rules.evaluate(snap.queues, self.config.alarms)
        raised, cleared = alarm_rules.diff(self.active_alarms, now_active)
        self.active_alarms = now_active
        for alarm, active in [(a, True) for a in raised] + [(a, False) for a in cleared]:
            frame = dumps({"type": "alarm", "active": active, **alarm.as_dict()})
            for c in self._targets("alarms"):
                if c.scope.sees_queue(alarm.queue):
                    c.offer(frame)


def _agent_dict(a: AgentStatus, now: float) -> dict[str, Any]:
    d = asdict(a)
    d["queues"] = list(a.queues)
    d["time_in_state_s"] = max(0.0, round(now - a.since, 1))
    d["current_call"] = a.current_call
    return d


def _queue_dict(q: QueueStatus) -> dict[str, Any]:
    return asdict(q)
