"""The websocket hub: live state from the bus to every open console.

One :class:`Connection` per console. The hub listens on the bus synchronously (inside
``publish``), encodes each event once and offers the frame to the connections whose
topics match; ``offer`` never blocks. Each connection has a bounded buffer drained by
its own writer task: a console that cannot keep up overflows its buffer, is marked
lagged, and its writer sends ``resync`` plus a fresh snapshot when it next can. The
publisher and the other consoles never wait for it.

Screen pops take a priority lane: they go out before any wallboard frame already
waiting. Wallboard figures (queues, agents' daily statistics, alarms) are coalesced:
at most one refresh per ``wallboard_interval_s``, and a queue's unsent frame is replaced
by its newer one (the latest state wins); agents' own consoles get their queues'
figures at most every ``agent_queue_interval_s``, each console at its own phase (a
refresh serves a share of them, so 500 consoles are not sent at once). Agent state
changes are never coalesced.
The center's snapshot is shared by consoles connecting at the same time while no ACD
event happened in between (``snapshot_ttl_s``), and encoded once per snapshot.

A connection ends when its session expires (swept every ``refresh_interval_s`` and
checked when its writer wakes; close code 4001) or is revoked (``kick``; close 1008).

Framing: every websocket message from the hub is either one frame, a JSON object with
a ``type`` (the snapshot, ``resync`` and a lone delta always go alone), or a JSON array
of frames to be handled in order: when its writer wakes, a connection gets every frame
waiting (pops first) in one message, up to ``BATCH_FRAMES`` frames / ``BATCH_CHARS``
characters, the rest in the next messages. Batching only groups frames: it drops,
reorders or coalesces nothing, and each frame is encoded once (the array is the frames
joined with commas). A monitor's console (no agent of its own) is paced: at most one
message per ``ConsoleConfig.monitor_frame_interval_s`` (25 ms); the first change after a
quiet spell goes at once, a burst is sent as one batch. Agents' consoles are never paced.

Topics (checked against the user's scope when subscribing):
``agent:<id>``/``agent:*`` state changes, ``queue:<name>``/``queue:*`` wallboard
figures, ``pops:<agent>`` screen pops (only the agent themself), ``alarms``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from dataclasses import asdict
from typing import Any
from zoneinfo import ZoneInfo

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
from acd.ports import AgentStatus, CenterSnapshot, ContactCenter
from agent_console.alarms import Alarm
from agent_console.config import ConsoleConfig
from agent_console.connection import (
    BATCH_CHARS,
    BATCH_FRAMES,
    SESSION_ENDED,
    SESSION_EXPIRED,
    Connection,
    Send,
    TopicError,
    dumps,
)
from agent_console.current_calls import CALL_STATES, CurrentCalls
from agent_console.popcard import build_pop
from agent_console.scope import scope_queues
from agent_console.state_times import StateTimes
from agent_console.wallboard import Wallboard, queue_dict
from hotline.clock import Clock
from hotline.events import EventBus

log = logging.getLogger(__name__)

# caller number -> the screen-pop card (``crm.lookup.screen_pop_card`` in the application)
ScreenPopLookup = Callable[[str], Awaitable[dict[str, Any]]]

__all__ = ["BATCH_CHARS", "BATCH_FRAMES", "Connection", "Hub", "Send", "TopicError", "dumps"]
_REFRESH_ON = (CallQueued, CallConnected, CallAbandoned, CallCompleted, CallExited, QueueSnapshot,
               AgentStateChanged, CallRingNoAnswer)
_POP_ENDS = frozenset({"ready", "not_ready", "logged_out"})
FAN_CHUNK = 64  # consoles offered a refresh's frames per turn of the event loop


class Hub:
    def __init__(self, *, bus: EventBus, center: ContactCenter, clock: Clock,
                 lookup: ScreenPopLookup, config: ConsoleConfig,
                 wallboard_interval_s: float = 0.5, agent_queue_interval_s: float = 2.0,
                 snapshot_ttl_s: float = 0.2, zone: ZoneInfo | None = None) -> None:
        self.wallboard_interval_s = wallboard_interval_s
        self.snapshot_ttl_s = snapshot_ttl_s
        self.bus = bus
        self.center = center
        self.clock = clock
        self.lookup = lookup
        self.config = config
        self.connections: set[Connection] = set()
        self._index: dict[str, set[Connection]] = {}
        self.wallboard = Wallboard(agent_queue_interval_s)
        self.last_pop: dict[str, dict[str, Any]] = {}
        self._attached = 0  # consoles attached so far: spreads agents' queue cadences
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: int | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self.calls = CurrentCalls()  # what the supervisor page shows as an agent's current call
        self.state_times = StateTimes(zone or ZoneInfo("Asia/Shanghai"))  # the agents' "today" page
        # user-defined traffic alarms (reports.alarms.AlarmWatch), by "rule<id>|queue"
        self.traffic_alarms: dict[str, dict[str, Any]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._refreshing = False
        self._dirty = False
        self._last_refresh = float("-inf")  # loop time
        self._generation = 0  # ACD events seen; a cached snapshot is valid while it is unchanged
        self._snap: tuple[int, float, CenterSnapshot] | None = None
        self._encoded: tuple[CenterSnapshot, dict[str, str], dict[str, str]] | None = None

    # --- life cycle ---------------------------------------------------------
    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()
        self._unsubscribe = self.bus.subscribe(AcdEvent, self._on_event)
        self._spawn(self.refresh())  # primes the figures the deltas are computed against
        self._spawn(self._ticker())

    @property
    def agent_queue_interval_s(self) -> float:
        """How often an agent's console may get its queues' figures (the wallboard's)."""
        return self.wallboard.agent_queue_interval_s

    @agent_queue_interval_s.setter
    def agent_queue_interval_s(self, seconds: float) -> None:
        self.wallboard.agent_queue_interval_s = seconds

    @property
    def active_alarms(self) -> dict[tuple[str, str], Alarm]:
        """The alarms raised now, by (queue, rule)."""
        return self.wallboard.active_alarms

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
            self.expire_sessions()
            self.schedule_refresh()  # one refresh at a time (they yield while fanning out)

    # --- connections --------------------------------------------------------
    def attach(self, conn: Connection, topics: Iterable[str] | None = None) -> None:
        self.connections.add(conn)
        # Agents' consoles get queue figures every ``agent_queue_interval_s``, each at its
        # own phase (golden-ratio spread): 500 consoles are not all sent at the same turn.
        self._attached += 1
        now = self._loop.time() if self._loop is not None else 0.0
        conn.queue_due = now + (self._attached * 0.618034 % 1.0) * self.agent_queue_interval_s
        self.set_topics(conn, conn.default_topics() if topics is None else topics)

    def detach(self, conn: Connection, why: tuple[int, str] = SESSION_ENDED) -> None:
        """Forget ``conn``; its writer returns and the route closes the socket with ``why``
        (close code, reason) unless the socket was already gone."""
        if not conn.closed:
            conn.close_code, conn.close_reason = why
        conn.closed = True
        conn._clear()  # a writer busy sending stops after the current message
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

    def expire_sessions(self) -> int:
        """End the live connections whose session expired (``_ticker`` calls this every
        ``refresh_interval_s``; a writer also checks when it wakes)."""
        now = self.clock.now()
        gone = [c for c in self.connections if c.expires_at <= now]
        for c in gone:
            self.detach(c, SESSION_EXPIRED)
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

    def traffic_alarms_changed(self, raised: Iterable[dict[str, Any]],
                               cleared: Iterable[dict[str, Any]]) -> None:
        """Announce user-defined alarms that rose or cleared (``reports.alarms.Alarm.as_dict``
        with ``kind`` = ``rule<id>``) to the monitors that see the queue."""
        for a, active in [(a, True) for a in raised] + [(a, False) for a in cleared]:
            a = {**a, "kind": f"rule{a['rule_id']}", "metric": a["kind"]}
            key = f"{a['kind']}|{a['queue']}"
            if active:
                self.traffic_alarms[key] = a
            else:
                self.traffic_alarms.pop(key, None)
            frame = dumps({"type": "alarm", "active": active, **a})
            for c in self._targets("alarms"):
                if c.scope.sees_queue(a["queue"]):
                    c.offer(frame)

    def _targets(self, *topics: str) -> set[Connection]:
        out: set[Connection] = set()
        for t in topics:
            out |= self._index.get(t, set())
        return out

    async def snapshot(self) -> CenterSnapshot:
        """The center's snapshot, shared while no ACD event happened since and it is
        younger than ``snapshot_ttl_s`` (a reconnect storm costs one snapshot)."""
        gen, now, c = self._generation, self.clock.now(), self._snap
        if c is not None and c[0] == gen and 0 <= now - c[1] <= self.snapshot_ttl_s:
            return c[2]
        snap = await self.center.snapshot()
        self._snap = (gen, now, snap)
        return snap

    def _parts(self, snap: CenterSnapshot) -> tuple[dict[str, str], dict[str, str]]:
        """Every agent and queue of ``snap`` as JSON, encoded once per snapshot."""
        e = self._encoded
        if e is None or e[0] is not snap:
            now = self.clock.now()
            e = self._encoded = (snap, {a.agent: dumps(_agent_dict(a, now, self.calls)) for a in snap.agents},
                                 {q.queue: dumps(queue_dict(q)) for q in snap.queues})
        return e[1], e[2]

    async def snapshot_frame(self, conn: Connection, snap: CenterSnapshot | None = None) -> str:
        snap = snap or await self.snapshot()
        scope = conn.scope
        if scope.agents is not None and scope.queues is None:
            scope = conn.scope = scope_queues(scope, snap)
        agents_json, queues_json = self._parts(snap)
        topics = conn.topics
        agents = (agents_json.values() if "agent:*" in topics else
                  [v for k, v in agents_json.items() if "agent:" + k in topics])
        queues = (queues_json.values() if "queue:*" in topics else
                  [v for k, v in queues_json.items() if "queue:" + k in topics])
        # The figures this console now has (a version per queue; see ``refresh``).
        self.wallboard.versions_for(conn)
        alarms = ([a.as_dict() for a in self.wallboard.active_alarms.values() if scope.sees_queue(a.queue)]
                  + [a for a in self.traffic_alarms.values() if scope.sees_queue(a["queue"])]
                  if "alarms" in topics else [])
        pop = self.last_pop.get(conn.agent) if conn.agent and f"pops:{conn.agent}" in topics else None
        head = dumps({"type": "snapshot", "now": self.clock.now(), "me": {
            "username": conn.username, "role": conn.role, "agent": conn.agent}, "topics": sorted(topics)})
        return (f'{head[:-1]},"agents":[{",".join(agents)}],"queues":[{",".join(queues)}],'
                f'"alarms":{dumps(alarms)},"pop":{dumps(pop)}}}')

    async def run_writer(self, conn: Connection) -> None:
        """Send the snapshot, then deltas; resync after a lag. Returns when detached."""
        await conn.send(await self.snapshot_frame(conn))
        assert self._loop is not None
        pace = self.config.monitor_frame_interval_s if conn.agent is None else 0.0
        last_sent = float("-inf")
        while not conn.closed:
            await conn._wake.wait()
            if pace > 0 and (wait := last_sent + pace - self._loop.time()) > 0:
                await asyncio.sleep(wait)  # a monitor's burst goes out as one message
            conn._wake.clear()
            if conn.expires_at <= self.clock.now():
                self.detach(conn, SESSION_EXPIRED)
                return
            if conn.lagged:
                conn._clear()
                conn.lagged = False
                conn.resyncs += 1
                await conn.send(dumps({"type": "resync", "reason": "lagged"}))
                await conn.send(await self.snapshot_frame(conn))
                continue
            while not conn.lagged and (msg := conn.next_message()) is not None:
                await conn.send(msg)  # a pop offered meanwhile leads the next message
            last_sent = self._loop.time()

    # --- bus ----------------------------------------------------------------
    def _on_event(self, event: AcdEvent) -> None:
        self._generation += 1  # (any thread) a snapshot taken before this is stale
        if self._loop is None:
            return
        if threading.get_ident() != self._thread:
            self._loop.call_soon_threadsafe(self._dispatch, event)
        else:
            self._dispatch(event)

    def _dispatch(self, event: AcdEvent) -> None:
        self.state_times.feed(event)
        changed = self.calls.feed(event)
        if changed is not None:  # the caller / talk start reached the monitors with the call
            frame = dumps({"type": "agent_call", "agent": changed, "call": self.calls.by_agent.get(changed)})
            for c in self._targets("agent:*", f"agent:{changed}"):
                if c.agent != changed:  # monitors only: the agent's own page has the pop
                    c.offer(frame)
        if isinstance(event, AgentStateChanged):
            frame = dumps({"type": "agent_state", "agent": event.agent, "state": event.state,
                           "previous": event.previous, "since": event.at, "reason": event.reason,
                           "current_call": event.call_id if event.state in CALL_STATES else None,
                           "call": self.calls.get(event.agent, event.state)})
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
            c.offer(frame, urgent=True)

    def schedule_refresh(self) -> None:
        """Refresh now, or once the current ``wallboard_interval_s`` is over (coalesced)."""
        self._dirty = True
        if not self._refreshing:
            self._refreshing = True
            self._spawn(self._refresh_loop())

    async def _refresh_loop(self) -> None:
        assert self._loop is not None
        try:
            while self._dirty:
                wait = self._last_refresh + self.wallboard_interval_s - self._loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                self._dirty = False
                await self.refresh()
        finally:
            self._refreshing = False

    async def refresh(self) -> None:
        """Push changed queue figures, agent statistics and alarm changes."""
        if self._loop is not None:
            self._last_refresh = self._loop.time()
        try:
            snap = await self.snapshot()
        except Exception:
            log.exception("snapshot for the wallboard failed")
            return
        now = self._loop.time() if self._loop is not None else 0.0
        out, stale = self.wallboard.frames(snap, self.connections, self._targets, self.config.alarms, now)
        await self._deliver(out)
        if stale:
            self.schedule_refresh()  # the next turn (wallboard_interval_s) serves the next phase

    async def _deliver(self, out: dict[Connection, list[tuple[str, str | None]]]) -> None:
        """Offer each console its frames of one refresh, ``FAN_CHUNK`` consoles per turn of
        the loop: a wallboard burst to hundreds of consoles does not hold up pops."""
        for i, (c, frames) in enumerate(out.items()):
            if i and i % FAN_CHUNK == 0:
                await asyncio.sleep(0)
            if not c.closed:
                for frame, key in frames:
                    c.offer(frame, latest=key)


def _agent_dict(a: AgentStatus, now: float, calls: CurrentCalls) -> dict[str, Any]:
    d = asdict(a)
    d["queues"] = list(a.queues)
    d["time_in_state_s"] = max(0.0, round(now - a.since, 1))
    on_call = a.state in CALL_STATES
    d["current_call"] = a.current_call if on_call else None  # never a stale id after the call
    call = calls.get(a.agent, a.state)
    if call is None and on_call and a.current_call:  # a call older than this console's hub
        call = {"call_id": a.current_call, "caller": "", "caller_name": "", "queue": "", "talk_since": None}
    d["call"] = call
    return d


