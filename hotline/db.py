"""Database engine, declarative base and the append-only call-event log.

SQLite file by default (``sqlite+aiosqlite:///./hotline.db``), PostgreSQL by URL
(``postgresql+asyncpg://user:pw@host/db``). Every package declares its tables on
:class:`Base`; :func:`hotline.app.models.load_all` imports them so Alembic sees the whole
schema.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import JSON, BigInteger, Float, Index, Integer, String, event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# BigInteger primary keys autoincrement on SQLite only as INTEGER.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON}


class CallEvent(Base):
    """One row per event in the life of a call. Append-only; reports read only this.

    ``ts`` is epoch seconds (float, UTC). ``call_id`` is our id of the call (stable over
    transfers and restarts); ``uniqueid``/``linkedid`` are Asterisk's. ``kind`` is a short
    upper-case verb (``ENTERQUEUE``, ``IVR_NODE``, ``CONNECT``, ``ABANDON`` ...).
    """

    __tablename__ = "call_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ts: Mapped[float] = mapped_column(Float, nullable=False)
    call_id: Mapped[str] = mapped_column(String(64), nullable=False)
    uniqueid: Mapped[str | None] = mapped_column(String(64))
    linkedid: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    queue: Mapped[str | None] = mapped_column(String(64))
    agent: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)

    __table_args__ = (
        Index("ix_call_events_call_id", "call_id"),
        Index("ix_call_events_ts", "ts"),
        Index("ix_call_events_kind_ts", "kind", "ts"),
        Index("ix_call_events_queue_ts", "queue", "ts"),
        Index("ix_call_events_agent_ts", "agent", "ts"),
    )


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Create the async engine. SQLite gets WAL and foreign keys switched on."""
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 30})
    engine = create_async_engine(url, **kwargs)
    if url.startswith("sqlite"):

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            if ":memory:" not in url:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

    return engine


T = TypeVar("T")


async def with_engine(url: str, job: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    """``job`` on an engine of its own for ``url``, disposed afterwards (a CLI command's
    database)."""
    engine = make_engine(url)
    try:
        return await job(engine)
    finally:
        await engine.dispose()


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
