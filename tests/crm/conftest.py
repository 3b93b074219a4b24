from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from crm_users import header_user
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from crm.http import build_router
from hotline.clock import ManualClock
from hotline.db import make_sessionmaker


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    async with make_sessionmaker(engine)() as s:
        yield s


@pytest.fixture
def notified() -> list[tuple[str, dict[str, Any]]]:
    return []


@pytest.fixture
async def client(engine: AsyncEngine, clock: ManualClock,
                 notified: list[tuple[str, dict[str, Any]]]) -> AsyncIterator[httpx.AsyncClient]:
    # expire_on_commit=True (the SQLAlchemy default) is the harsher case for the routes.
    maker = async_sessionmaker(engine)

    async def get_session() -> AsyncIterator[AsyncSession]:
        async with maker() as s:
            yield s

    async def notify(user: str, payload: dict[str, Any]) -> None:
        notified.append((user, payload))

    app = FastAPI()
    app.include_router(build_router(header_user, get_session, notify, clock=clock))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        yield c
