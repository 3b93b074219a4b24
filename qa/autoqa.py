"""Automatic QA of indexed recordings, stored per call in ``qa_audio_metrics``.

The recording's file is resolved through the store (never a path from outside), analysed
with :mod:`qa.audio`, and its metrics and threshold flags upserted by ``recording_id``.
A file that is missing or unreadable is reported, the rest of the batch still runs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from qa.audio import AudioError, analyse_legs, analyse_stereo
from qa.models import QaAudioMetrics
from qa.talk import flags
from recordings.models import Recording
from recordings.store import RecordingPathError, RecordingStore


@dataclass(frozen=True, slots=True)
class Outcome:
    analysed: int
    errors: tuple[str, ...]


async def analyse_pending(engine: AsyncEngine, store: RecordingStore, *, now: float,
                          dead_air_min_s: float = 5.0) -> Outcome:
    """Analyses every recording that has no metrics row yet (and whose files were not
    purged): the stereo mix, or the agent and caller leg files when ``legs`` names them."""
    async with engine.connect() as conn:
        done = select(QaAudioMetrics.recording_id)
        recs = (await conn.execute(select(Recording).where(
            Recording.id.not_in(done), Recording.purged_at.is_(None)).order_by(Recording.id))).all()
    rows, errors = [], []
    for r in recs:
        try:
            legs = r.legs or {}
            if legs.get("layout") == "legs":  # MixMonitor t() / r() files: one party each
                m = analyse_legs(store.resolve(legs["agent"]), store.resolve(legs["caller"]),
                                 dead_air_min_s=dead_air_min_s)
            else:
                m = analyse_stereo(store.resolve(r.path), dead_air_min_s=dead_air_min_s)
        except (AudioError, RecordingPathError, FileNotFoundError, KeyError) as e:
            errors.append(f"recording {r.id}: {e}")
            continue
        rows.append({"recording_id": r.id, "call_id": r.call_id, "agent": r.agent,
                     "analysed_at": now, **asdict(m), "flags": flags(m)})
    if rows:
        async with engine.begin() as conn:
            await conn.execute(delete(QaAudioMetrics).where(
                QaAudioMetrics.recording_id.in_([r["recording_id"] for r in rows])))
            await conn.execute(insert(QaAudioMetrics), rows)
    return Outcome(len(rows), tuple(errors))
