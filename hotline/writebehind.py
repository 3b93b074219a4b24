"""Write-behind of rows that are written off the call path, in one transaction per flush.

The first change after a quiet spell is written at once, later ones are gathered for
``pause_s`` (at 50 calls/s that is one transaction every quarter second instead of one
per agent state change and one per recording, each of which contends for SQLite's
single writer lock).

Two kinds of rows: :meth:`replace` keeps only the latest row per key (an agent's last
state: only the latest matters to a restart) and writes it as delete + insert;
:meth:`append` inserts every row (the recordings index). A failed flush keeps every row
(a newer replacement wins over the retried one) and is retried after ``retry_s``.
``flush()`` writes whatever is waiting now (tests, ``drain()``, shutdown).

Owners pass their own mapped classes in, so this module knows no package's models.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.db import Base

log = logging.getLogger("hotline.writebehind")

Row = dict[str, Any]
Table = type[Base]  # a mapped class: ``AcdAgentState``, ``Recording``


class WriteBehind:
    def __init__(self, engine: AsyncEngine, *, pause_s: float = 0.25, retry_s: float = 1.0) -> None:
        self.engine = engine
        self.pause_s = pause_s
        self.retry_s = retry_s
        # table -> (key column, key -> latest row); table -> appended rows (insertion order)
        self._replace: dict[Table, tuple[str, dict[Any, Row]]] = {}
        self._append: dict[Table, list[Row]] = {}
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()

    def replace(self, table: Table, key: str, row: Row) -> None:
        """Write ``row`` in place of the saved row with the same ``row[key]``."""
        self._replace.setdefault(table, (key, {}))[1][row[key]] = row
        self._wake.set()

    def append(self, table: Table, row: Row) -> None:
        self._append.setdefault(table, []).append(row)
        self._wake.set()

    @property
    def pending(self) -> int:
        return sum(len(rows) for _, rows in self._replace.values()) + sum(
            len(rows) for rows in self._append.values())

    async def run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            ok = await self.flush()
            await asyncio.sleep(self.pause_s if ok else self.retry_s)

    async def flush(self) -> bool:
        """Write what is waiting in one transaction; False (rows kept) if it failed."""
        async with self._lock:
            replace, self._replace = self._replace, {}
            append, self._append = self._append, {}
            if not any(rows for _, rows in replace.values()) and not any(append.values()):
                return True
            try:
                async with self.engine.begin() as conn:
                    for table, (key, rows) in replace.items():
                        if rows:
                            await conn.execute(delete(table).where(getattr(table, key).in_(list(rows))))
                            await conn.execute(insert(table), list(rows.values()))
                    for table, appended in append.items():
                        if appended:
                            await conn.execute(insert(table), appended)
            except Exception:
                log.exception("rows not saved (%s); will retry", ", ".join(
                    [f"{len(r)} {t.__tablename__}" for t, (_, r) in replace.items()]
                    + [f"{len(r)} {t.__tablename__}" for t, r in append.items()]))
                for table, (key, rows) in replace.items():
                    newer = self._replace.setdefault(table, (key, {}))[1]
                    for k, row in rows.items():
                        newer.setdefault(k, row)  # a newer row wins over the retry
                for table, appended in append.items():
                    self._append.setdefault(table, [])[:0] = appended
                self._wake.set()
                return False
            return True
