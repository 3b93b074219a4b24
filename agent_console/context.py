"""Everything a request handler needs, built once per app by ``create_app``."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from acd.ports import ContactCenter
from agent_console.config import ConsoleConfig
from agent_console.hub import Hub
from agent_console.security import LoginLimiter
from agent_console.store import live_session_digests
from hotline.clock import Clock
from hotline.events import EventBus
from hotline.settings import Settings


@dataclass(slots=True)
class ConsoleContext:
    settings: Settings
    config: ConsoleConfig
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    bus: EventBus
    center: ContactCenter
    clock: Clock
    limiter: LoginLimiter
    hub: Hub

    async def sessions_alive(self, digests: set[str]) -> set[str]:
        """Which of these token digests are open sessions of active users (see revocation)."""
        async with self.sessions() as session:
            return await live_session_digests(session, digests, self.clock.now())
