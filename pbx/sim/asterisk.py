"""SimAsterisk: the simulated Asterisk 22 that the hotline backend talks to.

It owns the simulated clock (scripted delays divided by ``speed``; AMI Timestamps in
simulated seconds), the channel table, the AMI server and the call flows. Same seed and
same actions give the same event sequence (ids and times aside).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import random
import time
import uuid
from collections.abc import Callable
from typing import Any

from .actions import Actions
from .channels import Bridge, Channel, IdAllocator
from .config import AgentPhone, CallerScript, SimConfig
from .emitter import Emitter
from .server import AmiServer


class SimAsterisk:
    def __init__(self, config: SimConfig | None = None) -> None:
        self.config = config or SimConfig()
        self.rng = random.Random(self.config.seed)
        self.server = AmiServer(self)
        self.emit = Emitter(self.server.broadcast, self.now)
        self.actions = Actions(self)
        self.ids = IdAllocator()
        self.channels: dict[str, Channel] = {}
        self.phones: dict[str, AgentPhone] = {}
        self.conferences: dict[str, Bridge] = {}  # ConfBridge rooms by name
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

    # --- public API -----------------------------------------------------------------

    @property
    def ami_port(self) -> int:
        return self.server.port

    @property
    def chunk_size(self) -> int | None:
        return self.server.chunk_size

    @chunk_size.setter
    def chunk_size(self, n: int | None) -> None:
        self.server.chunk_size = n

    async def start(self) -> None:
        self._loop_t0 = asyncio.get_running_loop().time()
        self.running = True
        await self.server.start(self.config.ami_host, self.config.ami_port)

    async def stop(self) -> None:
        self.running = False
        for ch in list(self.channels.values()):
            self._kill(ch)
        for t in list(self._tasks):
            t.cancel()
        for t in list(self._tasks):
            with contextlib.suppress(BaseException):
                await t
        await self.server.close()

    def add_agent_phone(self, phone: AgentPhone) -> None:
        self.phones[phone.endpoint] = phone
        self.emit.device_states.setdefault(f"PJSIP/{phone.endpoint}", "NOT_INUSE")

    async def place_call(self, script: CallerScript) -> str:
        """Start a scripted inbound call; returns the caller channel's name once its
        ``Newchannel`` has been sent."""
        from .dialplan import start_inbound_call

        return start_inbound_call(self, script).name

    def drop_ami_connections(self) -> None:
        """Network failure: every AMI connection is cut, no Shutdown; calls go on."""
        self.server.drop_all()

    def inject_garbage(self, data: bytes) -> None:
        self.server.inject(data)

    async def restart(self) -> None:
        """``core restart now`` (ami-11): every channel is hung up, ``Shutdown``
        (Restart: True) is sent, connections close, connects are refused for a while,
        then a fresh Asterisk listens on the same port with numbering reset."""
        for ch in list(self.channels.values()):
            self.emit.soft_hangup_request(ch, 4)
            from .dialplan import terminate

            terminate(self, ch, cause=0, how="restart")
        self.emit.event("Shutdown", [("Shutdown", "Cleanly"), ("Restart", "True")],
                        privilege="system,all")
        await self.sleep(self.config.restart_eof_s)
        self.server.close_all_after_flush()
        await asyncio.sleep(0.01)
        port = self.server.port
        await self.server.close()
        await self.sleep(self.config.restart_refuse_s)
        self.ids = IdAllocator()
        self._boot_at = self.now()
        await self.server.start(self.config.ami_host, port)

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
