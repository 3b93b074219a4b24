"""Script compliance of indexed recordings, stored per recording and scripted item in
``qa_script_checks`` (and the agent's transcript in ``qa_transcripts``).

For each recording not yet checked, every form whose version in force at the call's start
has scripted items is checked: the agent's audio (the ``t()`` leg, or channel 0 of the
stereo mix) is transcribed once by the engine for the form's language with all the
form's phrases as hints, and each item gets a verdict (:mod:`qa.script`). A language no
engine serves gets rows with no answer and a note saying so, so the page can tell the
evaluator; the audio-signal QA (:mod:`qa.autoqa`) runs on those calls all the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from qa.audio import AudioError, read_party
from qa.forms import Form, FormError, FormHistory
from qa.models import QaForm, QaScriptCheck, QaTranscript
from qa.script import check, hints
from qa.transcribe import ENGINES, TranscribeError, Transcriber, Transcript, engine_for
from recordings.models import MISSING, Recording
from recordings.store import RecordingPathError, RecordingStore


def no_engine_note(language: str) -> str:
    return (f"No offline speech engine for language {language!r}: script items are left to the "
            "evaluator; talk time, dead air and overtalk are still measured.")


@dataclass(frozen=True, slots=True)
class Outcome:
    checked: int  # recordings
    no_engine: int  # of them, with a form in a language no engine serves
    errors: tuple[str, ...]


def _scripted(history: FormHistory, keys: Iterable[str], at: float) -> list[Form]:
    out = []
    for k in keys:
        try:
            f = history.in_force(k, at)
        except FormError:
            continue
        if any(i.script is not None for i in f.items):
            out.append(f)
    return out


async def check_pending(engine: AsyncEngine, store: RecordingStore, *, now: float,
                        engines: Iterable[Transcriber] = ENGINES) -> Outcome:
    engines = tuple(engines)
    async with engine.connect() as conn:
        defs = (await conn.execute(select(QaForm.definition))).scalars().all()
        history = FormHistory(Form.from_dict(d) for d in defs)
        keys = sorted({d["key"] for d in defs})
        done = select(QaScriptCheck.recording_id)
        recs = (await conn.execute(select(Recording).where(
            Recording.id.not_in(done), Recording.purged_at.is_(None),
            Recording.status != MISSING).order_by(Recording.id))).all()
    checked = no_engine = 0
    errors: list[str] = []
    for r in recs:
        forms = _scripted(history, keys, r.started_at)
        if not forms:
            continue
        rows: list[dict[str, object]] = []
        transcript: Transcript | None = None
        try:
            for form in forms:
                tr = engine_for(form.language, engines)
                if tr is None:
                    no_engine += 1
                    rows += [_row(r.id, form, i.id, now, note=no_engine_note(form.language))
                             for i in form.items if i.script is not None]
                    continue
                samples, rate = read_party(store, r.path, r.legs, "agent")
                transcript = tr.transcribe(samples, rate, hints=hints(form))
                duration = len(samples) / rate
                for v in check(form, transcript, duration):
                    rows.append(_row(r.id, form, v.item_id, now, engine=tr.name, answer=v.answer,
                                     found=[asdict(h) for h in v.found], missing=list(v.missing),
                                     forbidden=[asdict(h) for h in v.forbidden],
                                     note=_unknown_note(transcript)))
        except (AudioError, TranscribeError, RecordingPathError, FileNotFoundError, KeyError) as e:
            errors.append(f"recording {r.id}: {e}")
            continue
        async with AsyncSession(engine) as session, session.begin():
            await session.execute(insert(QaScriptCheck), rows)
            if transcript is not None:
                await session.merge(QaTranscript(
                    recording_id=r.id, language=transcript.language, engine=transcript.engine,
                    text=transcript.text, created_at=now,
                    words=[[w.text, round(w.start_s, 2), round(w.end_s, 2)] for w in transcript.words]))
        checked += 1
    return Outcome(checked, no_engine, tuple(errors))


def _unknown_note(t: Transcript) -> str | None:
    if not t.unknown_words:
        return None
    return ("Words the engine cannot recognise, so never found: " + ", ".join(t.unknown_words))[:300]


def _row(recording_id: int, form: Form, item_id: str, now: float, *, engine: str | None = None,
         answer: str | None = None, found: list[dict[str, object]] | None = None,
         missing: list[str] | None = None, forbidden: list[dict[str, object]] | None = None,
         note: str | None = None) -> dict[str, object]:
    return {"recording_id": recording_id, "form_key": form.key, "form_version": form.version,
            "item_id": item_id, "language": form.language, "engine": engine, "answer": answer,
            "found": found or [], "missing": missing or [], "forbidden": forbidden or [],
            "note": note, "checked_at": now}


async def prefill(session: AsyncSession, recording_id: int, form: Form) -> dict[str, dict[str, object]]:
    """Item id -> the stored check of this recording against ``form`` (what the page
    pre-selects and shows as evidence)."""
    rows = (await session.execute(select(QaScriptCheck).where(
        QaScriptCheck.recording_id == recording_id, QaScriptCheck.form_key == form.key,
        QaScriptCheck.form_version == form.version))).scalars()
    return {c.item_id: {"answer": c.answer, "engine": c.engine, "language": c.language,
                        "found": c.found, "missing": c.missing, "forbidden": c.forbidden, "note": c.note}
            for c in rows}

