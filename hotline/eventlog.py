"""Batched writer for the append-only call-event log.

``append`` never blocks and never awaits: the tracker, router and IVR call it on the
hot path. A background task flushes the buffer every ``flush_interval`` seconds or
as soon as ``max_batch`` rows are waiting, with one multi-row INSERT per flush. A
failed flush keeps the rows and retries, so nothing is lost while the database is
briefly unavailable.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.clock import Clock, SystemClock
from hotline.db import CallEvent

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LogRow:
    ts: float
    call_id: str
    kind: str
    uniqueid: str | None = None
    linkedid: str | None = None
    queue: str | None = None
    agent: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ts": self.ts,
            "call_id": self.call_id,
            "kind": self.kind,
            "uniqueid": self.uniqueid,
            "linkedid": self.linkedid,
            "queue": self.queue,
            "agent": self.agent,
            "data": dict(self.data),
        }


class CallEventLog:
    def __init__(
        self,
        engine: AsyncEngine,
        clock: Clock | None = None,
        flush_interval: float = 0.2,
        max_batch: int = 2000,
    ) -> None:
        self.engine = engine
        self.clock = clock or SystemClock()
        self.flush_interval = flush_interval
        self.max_batch = max_batch
        self._buf: list[dict[str, Any]] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.written = 0
        self.failures = 0

    def append(self, row: LogRow) -> None:
        self._buf.append(row.as_dict())
        if len(self._buf) >= self.max_batch:
            self._wake.set()

    def log(self, call_id: str, kind: str, *, ts: float | None = None, **kw: Any) -> None:
        """Shorthand: ``log.log(call_id, "ABANDON", queue="sales", data={...})``."""
        self.append(LogRow(ts=self.clock.now() if ts is None else ts, call_id=call_id, kind=kind, **kw))

    @property
    def pending(self) -> int:
        return len(self._buf)

    async def flush(self) -> int:
        """Write everything buffered now. Returns the number of rows written."""
        written = 0
        while self._buf:
            batch, self._buf = self._buf[: self.max_batch], self._buf[self.max_batch :]
            try:
                async with self.engine.begin() as conn:
                    await conn.execute(insert(CallEvent), batch)
            except BaseException:
                # Keep the rows (in order) and let the caller or the next tick retry;
                # BaseException too: a cancelled flush must not lose its batch.
                self._buf = batch + self._buf
                self.failures += 1
                raise
            written += len(batch)
        self.written += written
        return written

    async def _run(self) -> None:
        while not self._stopping:
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.flush_interval)
            except TimeoutError:
                pass
            self._wake.clear()
            try:
                await self.flush()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("call-event log flush failed; %d rows kept for retry", self.pending)
                await asyncio.sleep(min(5.0, self.flush_interval * 10))

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="call-event-log")

    async def stop(self) -> None:
        """Let the running flush finish (never cancel it mid-write), then write the rest."""
        if self._task is not None:
            self._stopping = True
            self._wake.set()
            try:
                await self._task
            except Exception:
                log.exception("call-event log writer ended with an error")
            self._task = None
            self._stopping = False
        await self.flush()
