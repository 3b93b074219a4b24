"""Simulated agents for ``make demo`` and load runs: the people at the consoles.

The phones (ring, answer, talk) are simulated by ``pbx.sim``; this module plays the
person: logs in, goes ready, finishes wrap-up with a disposition after a while, and now
and then takes a break. It acts only through the :class:`ContactCenter` port, exactly
as the browser console does, and reacts to ``acd.events`` on the bus. A campaign call is
wrapped up as the console's outbound wrap-up does it (``campaign``, e.g.
:class:`hotline.app.demo_outbound.CampaignWrapUps`): with one of that campaign's codes,
stored on its record; every other call with the centre's ``dispositions``.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from acd.events import AgentStateChanged
from acd.ports import ContactCenter, ContactCenterError
from hotline.events import EventBus

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AgentHabits:
    """Seconds of simulated time. ``break_chance``: after a call, how often a break follows."""

    wrap_up_s: tuple[float, float] = (2.0, 8.0)
    break_chance: float = 0.05
    break_s: tuple[float, float] = (20.0, 60.0)
    dispositions: tuple[str, ...] = ("resolved", "resolved", "resolved", "follow_up", "escalated")


class CampaignWrapUp(Protocol):
    def __call__(self, agent: str, call_id: str,
                 choose: Callable[[Sequence[str]], str]) -> Awaitable[bool]:
        """Wrap up ``agent``'s campaign call ``call_id`` with ``choose(the campaign's codes)``;
        False (nothing done) if ``call_id`` is no campaign call."""
        ...


class SimulatedAgents:
    def __init__(self, center: ContactCenter, bus: EventBus, agents: Sequence[tuple[str, str]],
                 *, seed: int = 1, speed: float = 1.0, habits: AgentHabits | None = None,
                 campaign: CampaignWrapUp | None = None) -> None:
        """``agents``: (agent id, extension) pairs."""
        self.center = center
        self.campaign = campaign
        self.bus = bus
        self.agents = list(agents)
        self.rng = random.Random(seed)
        self.speed = speed
        self.habits = habits or AgentHabits()
        self._tasks: set[asyncio.Task[None]] = set()
        self._unsubscribe: Callable[[], None] | None = None
        self.wrapups = 0
        self.breaks = 0

    async def start(self) -> None:
        self._unsubscribe = self.bus.subscribe(AgentStateChanged, self._on_state)
        for agent, ext in self.agents:
            try:
                await self.center.login(agent, ext)
                await self.center.set_ready(agent)
            except ContactCenterError as exc:
                log.warning("demo agent %s could not start: %s", agent, exc.message)

    async def stop(self) -> None:
        if self._unsubscribe:
            self._unsubscribe()
        for t in list(self._tasks):
            t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _on_state(self, ev: AgentStateChanged) -> None:
        if ev.agent not in {a for a, _ in self.agents}:
            return
        if ev.state == "wrap_up":
            self._spawn(self._wrap_up(ev.agent, ev.call_id))
        elif ev.state == "not_ready" and ev.reason == "RONA":
            # The person notices the missed call and comes back after a moment.
            self._spawn(self._back_after(ev.agent, self.rng.uniform(3.0, 10.0)))

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds / self.speed)

    async def _wrap_up(self, agent: str, call_id: str | None) -> None:
        h = self.habits
        await self._sleep(self.rng.uniform(*h.wrap_up_s))
        try:
            if not (call_id and self.campaign is not None
                    and await self.campaign(agent, call_id, self.rng.choice)):
                await self.center.wrap_up(agent, self.rng.choice(h.dispositions), "", None)
            self.wrapups += 1
            if self.rng.random() < h.break_chance:
                self.breaks += 1
                await self.center.set_not_ready(agent, "break")
                await self._back_after(agent, self.rng.uniform(*h.break_s))
        except ContactCenterError as exc:
            log.debug("demo agent %s: %s", agent, exc.message)

    async def _back_after(self, agent: str, seconds: float) -> None:
        await self._sleep(seconds)
        try:
            await self.center.set_ready(agent)
        except ContactCenterError as exc:
            log.debug("demo agent %s: %s", agent, exc.message)
