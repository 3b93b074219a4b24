"""Read-only CRM queries on the call path (IVR caller lookup, screen pop), run in one go.

Every call makes two lookups within seconds: the IVR asks who is calling, the agent's
console gets the card at offer time. Through the async ORM on aiosqlite each statement
is four trips between the event loop and the driver's thread (cursor, execute, fetch,
close), and each trip waits for the loop and for the GIL; on a loaded backend that was
most of a screen pop's latency. :class:`CrmReader` runs a whole lookup (a plain function
of a SQLAlchemy ``Connection``, in Core, see :mod:`crm.cards`) at once:

* SQLite file: on the loop thread, on a read-only connection of its own (WAL: readers
  never wait for writers). An indexed lookup is a few hundred microseconds of work, less
  than one trip to a thread. A reader that finds the database locked (a rare WAL
  recovery) gives up after ``busy_timeout_ms`` and the lookup goes the async way.
* Anything else (PostgreSQL/asyncpg, SQLite ``:memory:``): the same function through
  ``AsyncConnection.run_sync`` on the async engine.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")


class CrmReader:
    def __init__(self, engine: AsyncEngine, *, busy_timeout_ms: int = 50) -> None:
        self.engine = engine
        self.inline: Engine | None = None
        url = engine.url
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            self.inline = create_engine(url.set(drivername="sqlite+pysqlite"),
                                        connect_args={"timeout": busy_timeout_ms / 1000})

            @event.listens_for(self.inline, "connect")
            def _read_only(dbapi_conn: Any, _record: Any) -> None:
                cur = dbapi_conn.cursor()
                cur.execute("PRAGMA query_only=1")
                cur.close()

    async def run(self, fn: Callable[Concatenate[Connection, P], T], *args: P.args,
                  **kwargs: P.kwargs) -> T:
        """``fn(connection, *args, **kwargs)``: read only, one lookup's statements."""
        if self.inline is not None:
            try:
                with self.inline.connect() as conn:
                    return fn(conn, *args, **kwargs)
            except OperationalError as exc:
                if not isinstance(exc.orig, sqlite3.OperationalError) or "locked" not in str(exc.orig):
                    raise
                log.info("CRM read found the database locked; reading through the async engine")
        async with self.engine.connect() as aconn:
            return await aconn.run_sync(fn, *args, **kwargs)

    def close(self) -> None:
        if self.inline is not None:
            self.inline.dispose()
