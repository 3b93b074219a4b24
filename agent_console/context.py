"""Everything a request handler needs, built once per app by ``create_app``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from agent_console.config import ConsoleConfig
from agent_console.ports import CenterSnapshot, ContactCenter
from agent_console.scope import Scope, queues_of
from agent_console.security import LoginLimiter
from agent_console.store import live_session_digests
from hotline.clock import Clock
from hotline.events import EventBus
from hotline.settings import Settings

if TYPE_CHECKING:
    from agent_console.hub import Hub

ScreenPopLookup = Callable[[str], Awaitable[dict[str, Any]]]


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


def scope_queues(scope: Scope, snap: CenterSnapshot) -> Scope:
    """Fill in the queues a limited scope covers (those its agents serve)."""
    if scope.agents is None:
        return scope
    agent_queues = {a.agent: a.queues for a in snap.agents}
    return Scope(agents=scope.agents, queues=queues_of(scope.agents, agent_queues))
