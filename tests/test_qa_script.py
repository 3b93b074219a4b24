"""Script compliance: required and forbidden phrases found on a transcript (pure), and
end to end from espeak-ng speech through PocketSphinx into ``qa_script_checks``."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from qa.forms import Form, FormError
from qa.script import check, find
from qa.transcribe import Transcript, Word, engine_for

FORM = {"key": "inbound", "version": 1, "effective_from": 0, "sections": [{"title": "Script", "items": [
    {"id": "greet", "text": "Standard greeting", "kind": "yes_no",
     "script": {"required": ["Thank you for calling hotline"], "window": "start", "within_s": 10}},
    {"id": "polite", "text": "No rude phrases", "kind": "yes_no", "fatal": True,
     "script": {"forbidden": ["not my problem", "shut up"]}},
    {"id": "close", "text": "Closing", "kind": "yes_no",
     "script": {"required": ["is there anything else"], "window": "end", "within_s": 15}},
    {"id": "tone", "text": "Tone", "kind": "scale", "max": 4}]}]}


def _words(text: str, step: float = 0.5) -> tuple[Word, ...]:
    return tuple(Word(w, i * step, i * step + 0.4) for i, w in enumerate(text.split()))


def test_a_phrase_is_found_with_a_misheard_word_but_not_two() -> None:
    assert [h.heard for h in find("thank you for calling hotline", _words("hi can you for calling hotline"))] == [
        "can you for calling hotline"]
    assert find("thank you for calling hotline", _words("can you for falling hotline")) == []
    hits = find("not my problem", _words("that is not my problem and not my problem"))
    assert [h.at_s for h in hits] == [1.0, 3.0]


def test_verdicts_per_item_with_windows() -> None:
    form = Form.from_dict(FORM)
    said = "thank you for calling hotline how can i help " + "x " * 30 + "is there anything else"
    v = {x.item_id: x for x in check(form, Transcript("en", "t", _words(said)), duration_s=20.0)}
    assert set(v) == {"greet", "polite", "close"}  # the scale item has no script
    assert v["greet"].answer == "yes" and v["greet"].found[0].at_s == 0.0
    assert v["close"].answer == "yes" and v["polite"].answer == "yes"
    late = "hello " * 30 + "thank you for calling hotline shut up"
    v = {x.item_id: x for x in check(form, Transcript("en", "t", _words(late)), duration_s=20.0)}
    assert v["greet"].answer == "no" and v["greet"].missing == ("thank you for calling hotline",)
    assert v["polite"].answer == "no" and v["polite"].forbidden[0].phrase == "shut up"
    assert v["close"].answer == "no"


@pytest.mark.parametrize("script, msg", [
    ({"required": "hello"}, "list of phrases"),
    ({}, "at least one"),
    ({"required": ["hi"], "window": "start"}, "needs within_s"),
    ({"required": ["hi"], "window": "middle", "within_s": 3}, "any, start or end"),
])
def test_a_bad_script_is_refused_with_a_reason(script: dict, msg: str) -> None:
    bad = {**FORM, "sections": [{"title": "s", "items": [{"id": "a", "script": script}]}]}
    with pytest.raises(FormError, match=msg):
        Form.from_dict(bad)


def test_a_form_round_trips_its_scripts_and_language() -> None:
    form = Form.from_dict({**FORM, "language": "zh"})
    again = Form.from_dict(form.to_dict())
    assert again == form and again.language == "zh" and again.item("greet").script is not None


def test_english_has_an_offline_engine_and_chinese_has_none() -> None:
    assert engine_for("en").name == "pocketsphinx" and engine_for("en-US") is not None
    assert engine_for("zh") is None


needs_audio = pytest.mark.skipif(not (shutil.which("espeak-ng") and shutil.which("sox")),
                                 reason="needs espeak-ng and sox")


def _say(tmp: Path, name: str, text: str, seconds_after: float) -> Path:
    raw, out = tmp / f"{name}-raw.wav", tmp / f"{name}.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "140", "-w", str(raw), text], check=True)
    subprocess.run(["sox", "-R", str(raw), "-r", "16000", "-b", "16", "-c", "1", str(out),
                    "pad", "0", str(seconds_after)], check=True)
    return out


def _call(tmp: Path, agent_lines: list[str], out: Path) -> None:
    """A stereo 16 kHz call: the agent's lines on the left, a silent caller on the right."""
    parts = [_say(tmp, f"{out.stem}{i}", line, 1.0) for i, line in enumerate(agent_lines)]
    agent = tmp / f"{out.stem}-agent.wav"
    subprocess.run(["sox", "-R", *map(str, parts), str(agent)], check=True)
    silent = tmp / f"{out.stem}-caller.wav"
    subprocess.run(["sox", "-R", str(agent), str(silent), "vol", "0"], check=True)
    subprocess.run(["sox", "-R", "-M", str(agent), str(silent), str(out)], check=True)


@needs_audio
@pytest.mark.slow
async def test_spoken_greeting_is_detected_and_a_forbidden_phrase_flagged(sqlite_engine, tmp_path: Path) -> None:
    from sqlalchemy.ext.asyncio import AsyncSession

    from qa.compliance import check_pending, no_engine_note
    from qa.evaluations import publish_form
    from qa.models import QaScriptCheck, QaTranscript
    from recordings.models import Recording
    from recordings.store import RecordingStore

    root = tmp_path / "rec"
    root.mkdir()
    _call(tmp_path, ["Thank you for calling hotline, my name is Anna.", "How can I help you today?",
                     "That is not my problem.", "Is there anything else I can help you with?"], root / "rude.wav")
    _call(tmp_path, ["Hello.", "I have reset your line.", "Goodbye."], root / "terse.wav")
    async with AsyncSession(sqlite_engine) as s, s.begin():
        await publish_form(s, FORM, now=0.0)
        await publish_form(s, {**FORM, "key": "zh-inbound", "language": "zh"}, now=0.0)
    async with sqlite_engine.begin() as conn:
        for i, path in ((1, "rude.wav"), (2, "terse.wav"), (3, "gone.wav")):
            await conn.execute(Recording.__table__.insert().values(
                id=i, call_id=f"c{i}", uniqueid=f"u{i}", agent="1001", queue="q", path=path,
                started_at=100.0, policy="all", status="ok"))
    out = await check_pending(sqlite_engine, RecordingStore(root), now=200.0)
    assert out.checked == 2 and out.no_engine == 2
    assert len(out.errors) == 1 and "recording 3" in out.errors[0]
    async with sqlite_engine.connect() as conn:
        rows = {(r.recording_id, r.form_key, r.item_id): r for r in (await conn.execute(select(QaScriptCheck)))}
        transcript = (await conn.execute(select(QaTranscript).where(QaTranscript.recording_id == 1))).one()
    rude = {k[2]: v for k, v in rows.items() if k[:2] == (1, "inbound")}
    assert rude["greet"].answer == "yes" and rude["greet"].found[0]["at_s"] < 2.0, transcript.text
    assert rude["polite"].answer == "no" and rude["polite"].forbidden[0]["phrase"] == "not my problem", transcript.text
    assert rude["close"].answer == "yes", transcript.text
    terse = {k[2]: v for k, v in rows.items() if k[:2] == (2, "inbound")}
    assert terse["greet"].answer == "no" and terse["polite"].answer == "yes" and terse["close"].answer == "no"
    zh = rows[(1, "zh-inbound", "greet")]
    assert zh.answer is None and zh.engine is None and zh.note == no_engine_note("zh")
    assert (await check_pending(sqlite_engine, RecordingStore(root), now=300.0)).checked == 0
