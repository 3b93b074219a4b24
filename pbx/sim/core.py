"""The simulator's state and scheduling, which every call flow shares: the simulated
clock (scripted delays divided by ``speed``; AMI Timestamps in simulated seconds), the
channel table, the phones, the event emitter and the id allocator.

:class:`pbx.sim.asterisk.SimAsterisk` adds the AMI server and the public API on top;
the call-flow modules only need this part, so they sit below it in the import graph.
"""

from __future__ import annotations

import asyncio
import functools
import random
import time
import uuid
from collections.abc import Callable
from typing import Any

from .channels import Bridge, Channel, Fields, IdAllocator
from .config import AgentPhone, CalleeModel, CalleeScript, SimConfig
from .emitter import Emitter


class SimCore:
    def __init__(self, config: SimConfig, sink: Callable[[Fields], None]) -> None:
        self.config = config
        self.rng = random.Random(self.config.seed)
        self.emit = Emitter(sink, self.now)
        self.ids = IdAllocator()
        self.channels: dict[str, Channel] = {}
        self.phones: dict[str, AgentPhone] = {}
        self.conferences: dict[str, Bridge] = {}  # ConfBridge rooms by name
        # dialed customers (pbx.sim.callees): a script per number, else drawn from the model
        self.callees: dict[str, CalleeScript] = {}
        self.callee_model = self.config.callees or CalleeModel()
        self.callee_rng = random.Random(self.config.seed + 1)
        self.dialed: list[tuple[str, str]] = []  # (number, behaviour) per trunk Originate
        self.globals: dict[str, str] = {
            "AGI_URL": f"agi://{self.config.agi_host}:{self.config.agi_port}/ivr",
            "RECDIR": "/var/spool/asterisk/monitor",
        }
        self._epoch0 = self.config.epoch if self.config.epoch is not None else time.time()
        self._loop_t0 = 0.0
        self._boot_at = self._epoch0
        self._tasks: set[asyncio.Task[Any]] = set()
        self.running = False
        self.rtp_flowing = self.config.rtp_flowing
        self.cdr = self.config.cdr

    # --- time -----------------------------------------------------------------------

    def now(self) -> float:
        """Simulated epoch seconds."""
        if not self.running and self._loop_t0 == 0.0:
            return self._epoch0
        loop = asyncio.get_running_loop()
        return self._epoch0 + (loop.time() - self._loop_t0) * self.config.speed

    @property
    def uptime(self) -> int:
        return int(self.now() - self._boot_at)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / self.config.speed)

    def later(self, ch: Channel | None, seconds: float, fn: Callable[..., Any],
              *args: Any, **kwargs: Any) -> asyncio.TimerHandle:
        """Run ``fn(*args)`` after ``seconds`` of simulated time; tied to ``ch`` so
        the timer dies with the channel."""
        loop = asyncio.get_running_loop()
        handle = loop.call_later(max(0.0, seconds) / self.config.speed,
                                 functools.partial(fn, *args, **kwargs))
        if ch is not None:
            ch.timers.append(handle)
        return handle

    def spawn(self, coro: Any, ch: Channel | None = None) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        if ch is not None:
            ch.tasks.append(task)
        return task

    def new_bridge(self) -> Bridge:
        return Bridge(str(uuid.UUID(int=self.rng.getrandbits(128), version=4)))

    # --- channel table --------------------------------------------------------------

    def find_channel(self, name_or_uid: str) -> Channel | None:
        ch = self.channels.get(name_or_uid)
        if ch is not None:
            return ch
        for c in self.channels.values():
            if c.uniqueid == name_or_uid:
                return c
        return None

    def add_channel(self, ch: Channel) -> None:
        self.channels[ch.name] = ch

    def _kill(self, ch: Channel) -> None:
        ch.alive = False
        ch.cancel_timers()
        current = asyncio.current_task() if asyncio.get_event_loop().is_running() else None
        for t in ch.tasks:
            if t is not current:
                t.cancel()
        ch.tasks.clear()
        self.channels.pop(ch.name, None)
