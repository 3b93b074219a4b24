"""A running IVR behind our FastAGI server, called by the simulated Asterisk."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from acd.requests import CallbackRequest, RoutingRequest
from hotline.clock import ManualClock
from hotline.db import CallEvent
from hotline.eventlog import CallEventLog
from ivr.directory import CallerInfo, StaticDirectory
from ivr.handler import IvrHandler
from ivr.loader import MenuSet
from ivr.store import IvrStore
from pbx.agi.server import FastAgiServer
from pbx.sim.agi_client import AgiOutcome, SimCaller, run_fastagi

SPEED = 1000.0
ENV = {"agi_calleridname": "张安娜", "agi_callerid": "13800138000", "agi_arg_1": "lang=zh",
       "agi_channel": "PJSIP/hotline-trunk-00000002", "agi_uniqueid": "1795354545.3"}
VIP_NUMBER = "13900139000"


class ListEnqueuer:
    """The Enqueuer port, keeping what it was given (acd/ is not under test here)."""

    def __init__(self) -> None:
        self.requests: list[RoutingRequest] = []
        self.callbacks: list[CallbackRequest] = []

    def enqueue(self, request: RoutingRequest) -> None:
        self.requests.append(request)

    def request_callback(self, request: CallbackRequest) -> None:
        self.callbacks.append(request)

    def estimated_wait(self, queue: str) -> float | None:
        return None

    def agents_logged_in(self, queue: str) -> int:
        return 1


@dataclass
class IvrStack:
    server: FastAgiServer
    handler: IvrHandler
    enqueuer: ListEnqueuer
    events: CallEventLog
    store: IvrStore
    clock: ManualClock
    engine: AsyncEngine
    channel_vars: dict[str, str] = field(default_factory=dict)

    async def call(self, dtmf: list[str], script: str = "ivr", env: dict[str, str] | None = None,
                   **caller: object) -> AgiOutcome:
        self.channel_vars = {}
        out = await asyncio.wait_for(run_fastagi(
            "127.0.0.1", self.server.port, script, ENV | (env or {}),
            SimCaller(dtmf=list(dtmf), **caller), self.channel_vars, speed=SPEED), 20)  # type: ignore[arg-type]
        await self.events.flush()
        return out

    async def rows(self, call_id: str | None = None) -> list[CallEvent]:
        q = select(CallEvent).order_by(CallEvent.id)
        if call_id is not None:
            q = q.where(CallEvent.call_id == call_id)
        async with self.engine.connect() as conn:
            return list((await conn.execute(q)).all())  # type: ignore[arg-type]


async def start_stack(engine: AsyncEngine, menus: MenuSet | None, tmp: Path, ts: float,
                      get_menus=None) -> IvrStack:  # type: ignore[no-untyped-def]
    clock = ManualClock(ts)
    events = CallEventLog(engine, clock=clock)
    store = IvrStore(engine)
    enq = ListEnqueuer()
    directory = StaticDirectory(
        callers={VIP_NUMBER: CallerInfo(customer_id=42, vip=True, known=True, language="en")},
        tickets={"20261": "escalated"})
    ids = itertools.count(1)
    handler = IvrHandler(menus=get_menus or (lambda: menus), directory=directory, enqueuer=enq,
                         events=events, store=store, prompts_dir=tmp / "prompts",
                         recordings_dir=tmp / "recordings", clock=clock,
                         new_call_id=lambda: f"call-{next(ids)}")
    server = FastAgiServer("127.0.0.1", 0, handler.routes())
    await server.start()
    return IvrStack(server, handler, enq, events, store, clock, engine)
