"""Retention: delete the files of recordings older than their queue keeps them.

The days a queue keeps its recordings are ``recording_retention`` rows (queue ``*`` for
every other queue). :func:`due` is pure (rows and a time in, ids out) so the rule is
testable on its own; :func:`purge` deletes the files of those rows through the store, logs
each file it removes and sets ``purged_at``. A ``legal_hold`` row is never due; the index
row itself always stays. :func:`over_budget` / :func:`purge_over_budget` keep the store
within a size (the demo's, which would otherwise fill a laptop's disk): oldest first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.db import make_sessionmaker
from recordings.index import files_of
from recordings.models import Recording, RecordingRetention
from recordings.store import RecordingPathError, RecordingStore

log = logging.getLogger(__name__)
DAY_S = 86400.0
DEFAULT_QUEUE = "*"


def keep_days(queue: str | None, days: Mapping[str, int]) -> int | None:
    """Days a recording of ``queue`` is kept, None for ever."""
    if queue is not None and queue in days:
        return days[queue]
    return days.get(DEFAULT_QUEUE)


def due(rows: Iterable[Any], days: Mapping[str, int], now: float) -> list[int]:
    """Ids of the rows whose files must go: not held, not purged yet, older than their
    queue's days (``started_at + days`` reached)."""
    out = []
    for r in rows:
        if r.legal_hold or r.purged_at is not None:
            continue
        d = keep_days(r.queue, days)
        if d is not None and r.started_at + d * DAY_S <= now:
            out.append(r.id)
    return out


@dataclass(frozen=True, slots=True)
class PurgeOutcome:
    purged: tuple[int, ...]
    removed: tuple[str, ...]  # store-relative files deleted


async def retention_days(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as conn:
        return {r.queue: r.days for r in await conn.execute(select(RecordingRetention))}


async def set_retention(engine: AsyncEngine, queue: str, days: int | None) -> None:
    """``days`` None removes the queue's rule."""
    if days is not None and days < 1:
        raise ValueError(f"Retention must be at least 1 day, not {days}.")
    async with engine.begin() as conn:
        await conn.execute(delete(RecordingRetention).where(RecordingRetention.queue == queue))
        if days is not None:
            await conn.execute(insert(RecordingRetention).values(queue=queue, days=days))


async def purge(engine: AsyncEngine, store: RecordingStore, *, now: float,
                progress: Callable[[str], None] | None = None) -> PurgeOutcome:
    days = await retention_days(engine)
    sessions = make_sessionmaker(engine)
    async with sessions() as s:
        rows = (await s.execute(select(Recording).where(
            Recording.purged_at.is_(None), Recording.legal_hold.is_(False))
            .order_by(Recording.id))).scalars().all()
    ids = set(due(rows, days, now))
    purged: list[int] = []
    removed: list[str] = []
    for rec in (r for r in rows if r.id in ids):
        for rel in files_of(rec):
            try:
                p = store.resolve(rel)
            except RecordingPathError as e:
                log.warning("recording %s: not purging %r: %s", rec.id, rel, e)
                continue
            if p.is_file():
                p.unlink()
                removed.append(rel)
                msg = f"recording {rec.id}: removed {rel} (queue {rec.queue}, kept {keep_days(rec.queue, days)} days)"
                log.info(msg)
                if progress:
                    progress(msg)
        async with sessions() as s:
            # legal_hold re-checked in the UPDATE: a hold set while we ran wins for the row
            await s.execute(update(Recording).where(Recording.id == rec.id, Recording.legal_hold.is_(False))
                            .values(purged_at=now))
            await s.commit()
        purged.append(rec.id)
    return PurgeOutcome(tuple(purged), tuple(removed))


def over_budget(items: Iterable[tuple[int, int]], max_bytes: int) -> list[int]:
    """Ids to purge, oldest first, until the rest fit in ``max_bytes``. ``items``: ``(id,
    bytes on disk)`` of the purgeable recordings (not held, not purged), oldest first."""
    items = list(items)
    total = sum(b for _, b in items)
    out = []
    for rid, size in items:
        if total <= max_bytes:
            break
        out.append(rid)
        total -= size
    return out


async def purge_over_budget(engine: AsyncEngine, store: RecordingStore, max_bytes: int, *,
                            now: float) -> PurgeOutcome:
    """Delete the files of the oldest recordings (never legal holds) until the store's
    recordings fit in ``max_bytes``; their index rows stay, with ``purged_at``."""
    sessions = make_sessionmaker(engine)
    async with sessions() as s:
        rows = (await s.execute(select(Recording).where(Recording.purged_at.is_(None))
                                .order_by(Recording.started_at, Recording.id))).scalars().all()
    sizes: list[tuple[int, int]] = []
    held = 0  # held files count against the budget but are never taken
    for rec in rows:
        size = 0
        for rel in files_of(rec):
            try:
                p = store.resolve(rel)
                size += p.stat().st_size if p.is_file() else 0
            except (RecordingPathError, OSError):
                continue
        if rec.legal_hold:
            held += size
        else:
            sizes.append((rec.id, size))
    ids = set(over_budget(sizes, max(0, max_bytes - held)))
    removed: list[str] = []
    for rec in (r for r in rows if r.id in ids):
        for rel in files_of(rec):
            try:
                p = store.resolve(rel)
            except RecordingPathError:
                continue
            if p.is_file():
                p.unlink()
                removed.append(rel)
        async with sessions() as s:
            await s.execute(update(Recording).where(Recording.id == rec.id, Recording.legal_hold.is_(False))
                            .values(purged_at=now))
            await s.commit()
    if ids:
        log.info("recordings over the %d-byte budget: %d purged", max_bytes, len(ids))
    return PurgeOutcome(tuple(sorted(ids)), tuple(removed))


async def set_hold(engine: AsyncEngine, recording_id: int, hold: bool) -> bool:
    """Sets or releases the legal hold; False when there is no such recording."""
    async with engine.begin() as conn:
        res = await conn.execute(update(Recording).where(Recording.id == recording_id)
                                 .values(legal_hold=hold))
        return bool(res.rowcount)
