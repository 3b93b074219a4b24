"""What the service's collaborators share: the clock, the bus, AMI, the router fed in
order, the call book and the few per-agent tables more than one of them reads.

Each collaborator (offers, talk, takes, transfers, conference, callbacks, queueing,
agents, restart) holds an :class:`AcdContext` and owns its own tables; the service
(:mod:`acd.service.service`) builds them, wires the few calls between them, and routes
pbx events and router commands to them.

Bus handlers are synchronous (``EventBus.subscribe``); anything that talks to Asterisk
is queued on one action worker so actions reach Asterisk in the order decided.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

from acd.core import AgentTookCall, CallEnded, ResetDailyCounters, Router, RouterEvent, Tick
from acd.core.commands import Command, Rejection
from acd.ports import ContactCenterError, Recorder
from acd.service.calls import CallBook, LiveCall
from acd.service.config import AcdConfig
from acd.service.journal import Journal
from acd.service.stats import DayStats
from hotline.clock import Clock
from hotline.eventlog import CallEventLog
from hotline.events import Event, EventBus
from hotline.settings import get_settings
from hotline.writebehind import WriteBehind
from pbx.ami.actions import AmiAction

log = logging.getLogger("acd.service")
T = TypeVar("T")


class ActionExecutor(Protocol):
    """What the service needs of :class:`pbx.ami.client.AmiClient`."""

    async def execute(self, action: AmiAction[T], *, within: float | None = None) -> T: ...


OnError = Callable[[Exception], None]
# A command whose execution raised: ``(command, exception)`` -> the router events that
# tell the router it did not happen (registered per command type by its owner).
Undo = Callable[[Any, Exception], None]


class AcdContext:
    """State shared by the service's collaborators. ``time_scale``: clock seconds per
    wall second (1 in production; the simulator's speed in tests, whose clock is the
    simulator's); ``timezone``: where "today" starts at midnight (default: the settings')."""

    def __init__(self, bus: EventBus, clock: Clock, ami: ActionExecutor, eventlog: CallEventLog,
                 config: AcdConfig, *, router: Router | None = None,
                 rng: random.Random | None = None, time_scale: float = 1.0,
                 timezone: str | None = None, recorder: Recorder | None = None,
                 rows: WriteBehind | None = None) -> None:
        self.bus = bus
        self.clock = clock
        self.ami = ami
        self.eventlog = eventlog
        self.journal = Journal(eventlog)
        self.config = config
        self.router = router or Router(config.queues, config.reasons(), start=clock.now())
        self.rng = rng or random.Random()
        self.time_scale = time_scale
        self.book = CallBook()
        self.stats = DayStats(zone=ZoneInfo(timezone or get_settings().timezone))
        self.stats.roll(clock.now())
        self.endpoints: dict[str, str] = {}  # agent -> endpoint given at login
        self.extensions: dict[str, str] = {}  # agent -> extension given at login
        self.recorder = recorder
        self.last_call: dict[str, tuple[str, str]] = {}  # agent -> (call id, queue) to wrap up
        self.rejections: deque[Rejection] = deque(maxlen=100)
        self.rows = rows if rows is not None else WriteBehind(eventlog.engine)
        self.dispatch: dict[type, Callable[[Any], None]] = {Rejection: self._on_rejection}
        self.undo: dict[type, Undo] = {}
        self.actions: asyncio.Queue[tuple[AmiAction[Any], OnError | None]] | None = None
        self._pending: deque[RouterEvent] = deque()
        self._feeding = False
        self._tasks: set[asyncio.Task[Any]] = set()
        self._timer: asyncio.TimerHandle | None = None
        self._unsubscribe: list[Callable[[], None]] = []

    def now(self) -> float:
        return self.clock.now()

    def today(self) -> DayStats:
        """Today's figures; at the first use after local midnight they start again at
        zero, and so do the router's per-agent daily counters (least-calls routing)."""
        if self.stats.roll(self.now()):
            self.feed(ResetDailyCounters(self.now()))
        return self.stats

    # --- router ------------------------------------------------------------------------

    def feed(self, event: RouterEvent) -> list[Command]:
        """Give the router one event and execute its commands. Re-entrant calls (a
        command whose execution produces another router event) are queued, so the router
        always sees events one at a time and in order. Returns this event's commands."""
        if self._feeding:
            self._pending.append(event)
            return []
        self._feeding = True
        try:
            commands = self._run(event)
            while self._pending:
                self._run(self._pending.popleft())
        finally:
            self._feeding = False
        self.arm_timer()
        return commands

    def _run(self, event: RouterEvent) -> list[Command]:
        commands = self.router.handle(event)
        for cmd in commands:
            handler = self.dispatch.get(type(cmd))
            if handler is None:
                continue
            try:
                handler(cmd)
            except Exception as exc:
                log.exception("executing %r failed", cmd)
                self.command_failed(cmd, exc)
        return commands

    def command_failed(self, cmd: Command, exc: Exception) -> None:
        """A command could not be carried out: tell the router (through its owner's
        undo) so it does not believe in what Asterisk never did."""
        undo = self.undo.get(type(cmd))
        if undo is None:
            return
        try:
            undo(cmd, exc)
        except Exception:
            log.exception("undoing %r failed", cmd)

    def _on_rejection(self, cmd: Rejection) -> None:
        self.rejections.append(cmd)
        log.info("router refused: %s", cmd.reason)

    def arm_timer(self) -> None:
        due = self.router.next_due()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if due is None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        delay = max(0.0, due - self.now()) / self.time_scale
        self._timer = loop.call_later(delay + 0.001, self._tick)

    def _tick(self) -> None:
        self._timer = None
        self.feed(Tick(self.now()))

    # --- AMI actions -------------------------------------------------------------------

    def send(self, action: AmiAction[Any], on_error: OnError | None = None) -> None:
        """Queue an AMI action; ``on_error`` is called if Asterisk refuses it."""
        if self.actions is None:
            log.warning("AMI %s dropped: the service is not started", type(action).__name__)
            return
        self.actions.put_nowait((action, on_error))

    async def action_worker(self) -> None:
        assert self.actions is not None
        queue = self.actions
        while True:
            action, on_error = await queue.get()
            try:
                await self.ami.execute(action)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if on_error is not None:
                    try:
                        on_error(exc)
                    except Exception:
                        log.exception("error handler of %r failed", action)
                else:
                    log.info("AMI %s refused: %s", type(action).__name__, exc)
            finally:
                queue.task_done()

    async def drain(self) -> None:
        """Wait until every queued AMI action has been answered (tests, shutdown)."""
        if self.actions is not None:
            await self.actions.join()
        await self.rows.flush()

    def spawn(self, coro: Awaitable[Any], name: str) -> None:
        task = asyncio.ensure_future(coro)
        task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("ACD task %s failed", task.get_name(), exc_info=task.exception())

    def subscribe(self, event_type: type[Event], handler: Callable[[Any], Any]) -> None:
        self._unsubscribe.append(self.bus.subscribe(event_type, handler))

    async def stop_tasks(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(BaseException):
                await task
        self.actions = None

    # --- lookups and steps more than one collaborator needs ----------------------------

    def endpoint_of(self, agent: str) -> str:
        return self.endpoints.get(agent) or self.config.agents[agent].endpoint

    def agent_at(self, exten: str) -> str | None:
        """The agent whose phone is ``exten`` (the extension given at login first)."""
        for aid, profile in self.config.agents.items():
            if self.extensions.get(aid, profile.extension) == exten:
                return aid
        return None

    def connected_call(self, agent: str, what: str) -> LiveCall:
        call = self.book.by_agent.get(agent)
        if call is None or call.connected_at is None or not call.leg_channel:
            raise ContactCenterError(f"Agent {agent} has no call to {what}.")
        return call

    def agent_took(self, agent: str, call_id: str, queue: str) -> bool:
        """A call reached ``agent`` outside an offer (transfer, conference): tell the
        router; False if it refused (agent logged out or on another call)."""
        self.feed(AgentTookCall(self.now(), agent, call_id, queue))
        view = self.router.agent(agent)
        return view is not None and view.call_id == call_id and view.state == "on_call"

    def finish_talk(self, call: LiveCall, by: str) -> None:
        """Forget the call and put its agent in wrap-up (``by``: caller/agent/transfer)."""
        agent = call.agent
        assert agent is not None
        self.book.drop(call)
        self.last_call[agent] = (call.call_id, call.queue)
        self.feed(CallEnded(self.now(), call.call_id, agent, by))
