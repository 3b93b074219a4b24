"""Helpers: a running ACD against the simulated Asterisk over real sockets.

The service's clock *is* the simulator's clock (simulated epoch seconds), and
``time_scale`` = the simulator's speed. Both derive from the event loop's time, which in
this folder is virtual (vtime.py): a scenario's times are exact and the same on every
run, however loaded the machine, so the tests assert exact values, not windows.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from acd.core import Agent, Membership, QueueConfig
from acd.requests import RoutingRequest
from acd.service import AcdConfig, AcdService, AgentProfile
from hotline.db import CallEvent
from hotline.eventlog import CallEventLog
from hotline.events import Event, EventBus
from hotline.settings import Settings
from hotline.writebehind import WriteBehind
from pbx.ami.client import AmiClient
from pbx.sim.asterisk import SimAsterisk
from pbx.sim.clock import SimClock
from pbx.sim.config import CallerScript
from pbx.tracker import CallTracker
from recordings.recorder import StoreRecorder
from recordings.store import RecordingStore

SPEED = 20.0  # sim seconds per second of (virtual) loop time
EPOCH = 1_795_354_536.0
# The service wakes its router 1 ms of loop time after a timer is due
# (AcdContext.arm_timer): wrap-up, maximum wait and overflow end this much late.
TIMER_LAG_S = 0.001 * SPEED
# wait_for's poll step in simulated seconds: a step that waits for a condition ends
# up to this much after it became true.
POLL_S = 0.005 * SPEED
# Simulated times are epoch seconds (~1.8e9) in floats, exact to 2**-22 s (2.4e-7 s):
# durations compare with this tolerance.
EXACT = 1e-6




def agent(n: int, queues: tuple[str, ...] = ("sales",), skill: int = 5) -> AgentProfile:
    return AgentProfile(Agent(f"a{n}", {"sales": skill}, {"zh", "en"},
                              queues={q: Membership() for q in queues}, name=f"坐席{n}"),
                        f"PJSIP/agent{n}")


def make_config(queues: tuple[QueueConfig, ...] | None = None, agents: int = 2,
                **kw: Any) -> AcdConfig:
    qs = queues or (QueueConfig("sales", skills=("sales",), ring_timeout_s=10.0, wrap_up_s=5.0),)
    return AcdConfig(queues=qs, agents={f"a{n}": agent(n) for n in range(1001, 1001 + agents)},
                     **kw)


@dataclass
class Rig:
    sim: SimAsterisk
    engine: AsyncEngine
    bus: EventBus
    clock: SimClock
    tmp: Path
    config: AcdConfig
    service: AcdService = field(init=False)
    ami: AmiClient = field(init=False)
    log: CallEventLog = field(init=False)
    events: list[Event] = field(default_factory=list)

    async def start_backend(self, rng: random.Random | None = None, *,
                            connect: bool = True) -> None:
        """A fresh bus, tracker, AMI client, event log and service (a backend start);
        ``connect=False``: the AMI is not reached yet (``await rig.ami.connect()`` later)."""
        self.bus = EventBus()
        self.bus.subscribe(Event, self.events.append)
        tracker = CallTracker(self.bus, self.clock)
        self.log = CallEventLog(self.engine, clock=self.clock, flush_interval=0.05)
        self.log.start()
        self.ami = AmiClient(Settings(ami_port=self.sim.ami_port), self.bus, self.clock,
                             on_event=tracker.feed, ping_interval=60.0)
        rows = WriteBehind(self.engine)
        self.service = AcdService(self.bus, self.clock, self.ami, self.log, self.config, rows=rows,
                                  recorder=StoreRecorder(RecordingStore(self.tmp / "rec"), rows),
                                  rng=rng or random.Random(7), time_scale=SPEED)
        await self.service.start()
        if connect:
            await self.ami.connect()

    async def stop_backend(self) -> None:
        await self.service.stop()
        await self.ami.close()
        await self.log.stop()

    async def call(self, call_id: str, script: CallerScript | None = None, *,
                   queue: str = "sales", priority: int = 0, enqueue: bool = True) -> str:
        """Place a caller (IVR skipped), wait until it hears MOH, enqueue it; its channel."""
        name = await self.sim.place_call(script or CallerScript(dtmf=[], patience_s=120.0))
        await wait_for(lambda: (ch := self.sim.find_channel(name)) is not None and ch.moh)
        ch = self.sim.find_channel(name)
        assert ch is not None
        if enqueue:
            self.service.enqueue(RoutingRequest(
                call_id=call_id, uniqueid=ch.uniqueid, channel=name, caller_num=ch.cid_num,
                caller_name=ch.cid_name, queue=queue, priority=priority))
        return name

    async def login_ready(self, *agents: str) -> None:
        for a in agents:
            await self.service.login(a, "")
            await self.service.set_ready(a)

    def kinds(self, call_id: str | None = None) -> list[str]:
        return [e.kind for e in self.rows(call_id)]

    def rows(self, call_id: str | None = None) -> list[Any]:
        return [r for r in self._rows if call_id is None or r.call_id == call_id]

    async def flush(self) -> None:
        await self.service.drain()
        # stop() waits for a flush the background task may have in flight, then flushes.
        await self.log.stop()
        self.log.start()
        async with self.engine.connect() as conn:
            self._rows = (await conn.execute(select(CallEvent).order_by(CallEvent.id))).all()

    def state(self, agent_id: str) -> str:
        view = self.service.router.agent(agent_id)
        return view.state if view else "logged_out"

    def of(self, cls: type[Event]) -> list[Any]:
        return [e for e in self.events if isinstance(e, cls)]


async def wait_for(pred: Callable[[], bool], timeout: float = 5.0) -> None:  # noqa: ASYNC109
    """Poll ``pred`` every POLL_S simulated seconds; ``timeout`` is in loop seconds
    (SPEED times as many simulated seconds), which cost no wall time when virtual."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not pred():
        if loop.time() > end:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(POLL_S / SPEED)


