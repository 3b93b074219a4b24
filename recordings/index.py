"""After the call: fill a recording's row from its files and flag what is wrong on disk.

For each recording still ``pending`` (MixMonitor has finished writing: the call started at
least ``settle_s`` ago), :func:`index_pending` reads every file of the recording (the mix at
``path``, and the agent / caller legs when ``legs`` names them), through the store — never a
path from elsewhere — and sets duration (of the mix), bytes and sha256 (over all files, in
that order), format, caller number and linkedid (from the call-event log) and the CRM
customer. A file that is absent is ``missing``; one whose header promises more audio than
the file holds, or that soundfile cannot read, is ``truncated``. No row is ever deleted.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import soundfile as sf
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from crm.lookup import find_by_phone
from hotline.db import CallEvent, make_sessionmaker
from recordings.models import MISSING, OK, PENDING, TRUNCATED, Recording
from recordings.store import RecordingPathError, RecordingStore

_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class FileFacts:
    status: str  # ok | missing | truncated
    note: str | None = None
    duration_s: float | None = None
    bytes: int = 0
    format: str | None = None


def wav_shortfall(path: Path) -> int:
    """Bytes the WAV's ``data`` chunk declares beyond the end of the file (0 when whole).

    A MixMonitor killed mid-call leaves such a file: the header was written for more audio
    than reached the disk (libsndfile then quietly reports fewer frames)."""
    size = path.stat().st_size
    with path.open("rb") as f:
        head = f.read(12)
        if len(head) < 12 or head[:4] not in (b"RIFF", b"RF64") or head[8:12] != b"WAVE":
            return 0
        pos = 12
        while pos + 8 <= size:
            f.seek(pos)
            cid, n = struct.unpack("<4sI", f.read(8))
            if cid == b"data":
                return max(0, pos + 8 + n - size) if n != 0xFFFFFFFF else 0
            pos += 8 + n + (n & 1)
        return 1  # no data chunk before the end: the header itself was cut


def inspect(path: Path) -> FileFacts:
    """What one file of a recording holds (pure I/O on that file, no database)."""
    if not path.is_file():
        return FileFacts(MISSING, f"{path.name} is not on disk")
    size = path.stat().st_size
    try:
        info = sf.info(str(path))
    except (sf.LibsndfileError, RuntimeError) as e:
        return FileFacts(TRUNCATED, f"{path.name} cannot be read ({e})", bytes=size)
    fmt = f"{info.format.lower()}/{info.subtype.lower()}"
    dur = info.frames / info.samplerate if info.samplerate else 0.0
    short = wav_shortfall(path) if info.format == "WAV" else 0
    if short:
        return FileFacts(TRUNCATED, f"{path.name} is {short} bytes shorter than its header says",
                         dur, size, fmt)
    return FileFacts(OK, None, dur, size, fmt)


def files_of(rec: Any) -> list[str]:
    """The store-relative files of a recording row: the mix, then the legs it names."""
    out = [rec.path]
    legs = rec.legs or {}
    if legs.get("layout") == "legs":
        out += [p for p in (legs.get("agent"), legs.get("caller")) if p]
    return out


def digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        with p.open("rb") as f:
            while block := f.read(_CHUNK):
                h.update(block)
    return h.hexdigest()


@dataclass(frozen=True, slots=True)
class IndexOutcome:
    indexed: int
    flagged: tuple[str, ...]  # "recording 7: missing (x.wav is not on disk)"


def _facts(store: RecordingStore, rec: Any) -> dict[str, Any]:
    paths: list[Path] = []
    facts: list[FileFacts] = []
    for rel in files_of(rec):
        try:
            p = store.resolve(rel)
        except RecordingPathError as e:
            facts.append(FileFacts(MISSING, str(e)))
            continue
        paths.append(p)
        facts.append(inspect(p))
    bad = next((f for f in facts if f.status == MISSING), None) or \
        next((f for f in facts if f.status == TRUNCATED), None)
    mix = facts[0]
    row: dict[str, Any] = {
        "status": bad.status if bad else OK, "status_note": bad.note if bad else None,
        "duration_s": mix.duration_s, "format": mix.format,
        "bytes": sum(f.bytes for f in facts),
    }
    if all(f.status != MISSING for f in facts):
        row["sha256"] = digest(paths)
    return row


async def _call_facts(session: AsyncSession, call_id: str) -> dict[str, Any]:
    rows = (await session.execute(
        select(CallEvent.kind, CallEvent.linkedid, CallEvent.data).where(CallEvent.call_id == call_id)
        .order_by(CallEvent.ts, CallEvent.id))).all()
    linkedid = next((r.linkedid for r in rows if r.linkedid), None)
    caller = next((str(r.data["caller_num"]) for r in rows
                   if r.kind == "CHAN_START" and (r.data or {}).get("caller_num")), None)
    customer = await find_by_phone(session, caller) if caller else None
    return {"linkedid": linkedid, "caller": caller,
            "customer_id": customer.id if customer is not None else None}


async def index_pending(engine: AsyncEngine, store: RecordingStore, *, now: float,
                        settle_s: float = 60.0, recheck: bool = False,
                        progress: Callable[[str], None] | None = None) -> IndexOutcome:
    """Indexes every ``pending`` recording that started at least ``settle_s`` ago
    (``recheck``: every recording not purged, to catch files lost since)."""
    sessions = make_sessionmaker(engine)
    async with sessions() as s:
        q = select(Recording).where(Recording.purged_at.is_(None))
        if not recheck:
            q = q.where(Recording.status == PENDING, Recording.started_at <= now - settle_s)
        recs = (await s.execute(q.order_by(Recording.id))).scalars().all()
    flagged: list[str] = []
    for rec in recs:
        row = _facts(store, rec)
        async with sessions() as s:
            if rec.caller is None:
                row |= {k: v for k, v in (await _call_facts(s, rec.call_id)).items()
                        if getattr(rec, k) is None}
            await s.execute(update(Recording).where(Recording.id == rec.id)
                            .values(**row, indexed_at=now))
            await s.commit()
        line = f"recording {rec.id}: {row['status']}" + (f" ({row['status_note']})" if row["status_note"] else "")
        if row["status"] != OK:
            flagged.append(line)
        if progress:
            progress(line)
    return IndexOutcome(len(recs), tuple(flagged))
