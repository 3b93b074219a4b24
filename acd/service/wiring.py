"""Build the ACD for ``hotline serve``::

    bus, clock = EventBus(), SystemClock()
    tracker = CallTracker(bus, clock)
    ami = AmiClient(settings, bus, clock, on_event=tracker.feed)
    eventlog = CallEventLog(engine, clock); eventlog.start()
    acd = await build_acd_service(settings, engine, bus, clock, ami, eventlog)
    await acd.start()          # before connect: the first resync re-adopts callers
    await ami.connect()
    app.include_router(build_router(require_admin, get_session, on_change=reloader(acd, engine)))
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncEngine

from acd.admin.store import load_config
from acd.service.base import ActionExecutor
from acd.service.config import AcdConfig
from acd.service.service import AcdService
from hotline.clock import Clock
from hotline.db import make_sessionmaker
from hotline.eventlog import CallEventLog
from hotline.events import EventBus
from hotline.settings import Settings
from recordings.store import RecordingStore


async def build_acd_service(settings: Settings, engine: AsyncEngine, bus: EventBus, clock: Clock,
                            ami: ActionExecutor, eventlog: CallEventLog,
                            rng: random.Random | None = None) -> AcdService:
    """The service with its configuration from the database (not started)."""
    base = AcdConfig(trunk=settings.trunk_endpoint)
    async with make_sessionmaker(engine)() as session:
        config = await load_config(session, base)
    return AcdService(bus, clock, ami, eventlog, config,
                      store=RecordingStore(settings.recordings_dir), rng=rng,
                      timezone=settings.timezone)


def reloader(service: AcdService, engine: AsyncEngine) -> Callable[[], Awaitable[None]]:
    """``on_change`` for the admin router: reload the configuration into the service."""
    maker = make_sessionmaker(engine)

    async def reload() -> None:
        async with maker() as session:
            service.reload(await load_config(session, service.config))

    return reload
