from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any

import httpx
import pytest
from fastapi import FastAPI, Header, HTTPException
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from crm.http import build_router
from hotline.clock import ManualClock
from hotline.db import make_sessionmaker


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    async with make_sessionmaker(engine)() as s:
        yield s


@dataclass(frozen=True)
class HeaderUser:
    id: int
    username: str
    role: str
    team_ids: frozenset[int] = frozenset()


async def header_user(x_test_user: Annotated[str | None, Header()] = None) -> HeaderUser:
    """``X-Test-User: 7:li:agent:1,2`` -> user 7 'li', role agent, teams {1, 2}."""
    if not x_test_user:
        raise HTTPException(401, "sign in")
    uid, name, role, *teams = x_test_user.split(":")
    team_ids = frozenset(int(t) for t in teams[0].split(",") if t) if teams else frozenset()
    return HeaderUser(int(uid), name, role, team_ids)


def as_user(uid: int, name: str, role: str, teams: str = "") -> dict[str, str]:
    return {"X-Test-User": f"{uid}:{name}:{role}:{teams}"}


AGENT = as_user(7, "li", "agent", "1")
AGENT2 = as_user(8, "wu", "agent", "2")
LEAD = as_user(3, "wang", "team_lead", "1")
SUPERVISOR = as_user(2, "zhao", "supervisor")
QA = as_user(5, "qian", "qa")
ADMIN = as_user(1, "root", "admin")


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
