"""What the CRM's route modules share: the dependencies the console hands in, the id path
parameter and the reload helper (kept apart so ``crm.http`` and its route modules do not
import each other)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Path
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession

from crm.policy import UserLike
from hotline.clock import Clock

Notify = Callable[[str, dict[str, Any]], Awaitable[None]]
Id = Annotated[int, Path(ge=1, le=2**62)]


async def fresh(session: AsyncSession, obj: Any) -> Any:
    """Reload ``obj`` if a commit expired it (sessions made with expire_on_commit=True)."""
    if inspect(obj).expired_attributes:
        await session.refresh(obj)
    return obj


@dataclass(frozen=True)
class Deps:
    current_user: Callable[..., Awaitable[UserLike]]
    get_session: Callable[..., AsyncIterator[AsyncSession]]
    notify: Notify | None
    clock: Clock

    async def tell(self, users: tuple[str, ...] | list[str], payload: dict[str, Any]) -> None:
        if self.notify is None:
            return
        for user in users:
            await self.notify(user, payload)
