"""Write-behind of the ACD's own rows: agents' last states and the recordings index.

Both are written off the call path, in one transaction per flush: the first change
after a quiet spell is written at once, later ones are gathered for ``pause_s`` (at 50
calls/s that is one transaction every quarter second instead of one per state change
and one per recording, each of which contends for SQLite's single writer lock).

An agent's state is kept per agent (only the latest matters to a restart); recording
rows are appended. A failed flush keeps every row and is retried after ``retry_s``.
``flush()`` writes whatever is waiting now (tests, ``drain()``, shutdown).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncEngine

from acd.admin.models import AcdAgentState
from recordings.models import Recording

log = logging.getLogger("acd.service")


class RowWriter:
    def __init__(self, engine: AsyncEngine, *, pause_s: float = 0.25, retry_s: float = 1.0) -> None:
        self.engine = engine
        self.pause_s = pause_s
        self.retry_s = retry_s
        self._states: dict[str, dict[str, Any]] = {}
        self._recordings: list[dict[str, Any]] = []
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()

    def agent_state(self, row: dict[str, Any]) -> None:
        self._states[str(row["agent_id"])] = row
        self._wake.set()

    def recording(self, row: dict[str, Any]) -> None:
        self._recordings.append(row)
        self._wake.set()

    @property
    def pending(self) -> int:
        return len(self._states) + len(self._recordings)

    async def run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            ok = await self.flush()
            await asyncio.sleep(self.pause_s if ok else self.retry_s)

    async def flush(self) -> bool:
        """Write what is waiting in one transaction; False (rows kept) if it failed."""
        async with self._lock:
            states, self._states = self._states, {}
            recordings, self._recordings = self._recordings, []
            if not states and not recordings:
                return True
            try:
                async with self.engine.begin() as conn:
                    if states:
                        await conn.execute(delete(AcdAgentState).where(
                            AcdAgentState.agent_id.in_(list(states))))
                        await conn.execute(insert(AcdAgentState), list(states.values()))
                    if recordings:
                        await conn.execute(insert(Recording), recordings)
            except Exception:
                log.exception("ACD rows not saved (%d agent states, %d recordings); will retry",
                              len(states), len(recordings))
                for agent, row in states.items():
                    self._states.setdefault(agent, row)  # a newer state wins over the retry
                self._recordings[:0] = recordings
                self._wake.set()
                return False
            return True
