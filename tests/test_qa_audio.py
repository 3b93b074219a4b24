"""Automatic QA against ground truth: calls built from espeak-ng speech and sox silences of
known length per party; dead air, talk time, ratio and overtalk within 0.2 s / 2 %."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import soundfile as sf

from qa.audio import AudioError, analyse_legs, analyse_stereo

pytestmark = pytest.mark.skipif(not (shutil.which("espeak-ng") and shutil.which("sox")),
                                reason="needs espeak-ng and sox")


def _speech(tmp: Path, name: str, text: str) -> tuple[Path, float]:
    raw, out = tmp / f"{name}-raw.wav", tmp / f"{name}.wav"
    subprocess.run(["espeak-ng", "-w", str(raw), text], check=True)
    # trim espeak's own leading/trailing silence so the clip length is the speech length
    subprocess.run(["sox", str(raw), "-r", "8000", "-b", "16", "-c", "1", str(out),
                    "silence", "1", "0.02", "0.5%", "reverse", "silence", "1", "0.02", "0.5%",
                    "reverse"], check=True)
    return out, sf.info(str(out)).duration


def _track(tmp: Path, name: str, parts: list[Path | float]) -> Path:
    """Concatenate clips and silences (floats, seconds) into one mono 8 kHz file."""
    args: list[str] = []
    for i, p in enumerate(parts):
        if isinstance(p, Path):
            args.append(str(p))
        else:
            s = tmp / f"{name}-sil{i}.wav"
            subprocess.run(["sox", "-n", "-r", "8000", "-b", "16", "-c", "1", str(s),
                            "trim", "0", f"{p}"], check=True)
            args.append(str(s))
    out = tmp / f"{name}.wav"
    subprocess.run(["sox", *args, str(out)], check=True)
    return out


def _mix(agent: Path, caller: Path, out: Path) -> Path:
    """Agent on the left channel, caller on the right."""
    subprocess.run(["sox", "-M", str(agent), str(caller), str(out)], check=True)
    return out


def test_metrics_match_the_built_call(tmp_path: Path) -> None:
    hello, h = _speech(tmp_path, "hello", "Thank you for calling hotline, this is Anna.")
    ask, q = _speech(tmp_path, "ask", "My internet has been down since this morning.")
    bye, b = _speech(tmp_path, "bye", "I have reset your line, is there anything else?")
    # agent: 1 s, hello, [caller asks], 7 s dead air, bye ; caller talks over the last 0.8 s of bye
    agent = _track(tmp_path, "agent", [1.0, hello, 0.5 + q + 7.0, bye, 1.0])
    caller = _track(tmp_path, "caller", [1.0 + h + 0.5, ask, 7.0 + b - 0.8, bye,
                                         max(0.0, 1.0 - (b - 0.8))])
    stereo = tmp_path / "mix.wav"
    subprocess.run(["sox", "-M", str(agent), str(caller), str(stereo)], check=True)

    m = analyse_stereo(stereo, dead_air_min_s=3.0)
    assert m.longest_dead_air_s == pytest.approx(7.0, abs=0.2)
    assert m.dead_air_s == pytest.approx(7.0, abs=0.2)
    assert m.first_words_s == pytest.approx(1.0, abs=0.2)
    assert m.overtalk_s == pytest.approx(0.8, abs=0.2)
    want_a, want_c = h + b, q + b
    assert m.agent_talk_s == pytest.approx(want_a, abs=max(0.2, 0.02 * want_a))
    assert m.caller_talk_s == pytest.approx(want_c, abs=max(0.2, 0.02 * want_c))
    assert m.talk_ratio == pytest.approx(want_a / (want_a + want_c), abs=0.02)
    assert analyse_legs(agent, caller, dead_air_min_s=3.0) == m


def test_a_mono_mix_is_refused_with_a_reason(tmp_path: Path) -> None:
    hello, _ = _speech(tmp_path, "hello", "Hello")
    with pytest.raises(AudioError, match="1 channel"):
        analyse_stereo(hello)


async def test_every_indexed_recording_is_analysed_and_stored(sqlite_engine, tmp_path: Path) -> None:
    from sqlalchemy import select

    from qa.autoqa import analyse_pending
    from qa.models import QaAudioMetrics
    from recordings.models import Recording
    from recordings.store import RecordingStore

    store = RecordingStore(tmp_path / "rec")
    (tmp_path / "rec").mkdir()
    hello, h = _speech(tmp_path, "hello", "Thank you for calling.")
    agent = _track(tmp_path, "a", [0.5, hello, 12.0])
    caller = _track(tmp_path, "c", [0.5 + h + 12.0])
    _mix(agent, caller, tmp_path / "rec" / "ok.wav")
    async with sqlite_engine.begin() as conn:
        for i, path in ((1, "ok.wav"), (2, "gone.wav")):
            await conn.execute(Recording.__table__.insert().values(
                id=i, call_id=f"c{i}", uniqueid=f"u{i}", agent="1001", queue="q", path=path,
                started_at=0.0, policy="all"))
    out = await analyse_pending(sqlite_engine, store, now=50.0)
    assert out.analysed == 1 and len(out.errors) == 1 and "recording 2" in out.errors[0]
    async with sqlite_engine.connect() as conn:
        row = (await conn.execute(select(QaAudioMetrics))).one()
    assert row.recording_id == 1 and row.caller_talk_s == 0.0
    assert row.longest_dead_air_s == pytest.approx(12.0, abs=0.2)
    assert "dead_air" in row.flags and "talk_ratio" in row.flags
    assert (await analyse_pending(sqlite_engine, store, now=60.0)).analysed == 0


async def test_leg_files_are_analysed_per_party_and_purged_rows_skipped(sqlite_engine, tmp_path: Path) -> None:
    from sqlalchemy import select

    from qa.autoqa import analyse_pending
    from qa.models import QaAudioMetrics
    from recordings.models import Recording
    from recordings.store import RecordingStore

    root = tmp_path / "rec"
    root.mkdir()
    store = RecordingStore(root)
    hello, h = _speech(tmp_path, "hello", "Thank you for calling.")
    ask, q = _speech(tmp_path, "ask", "My line is down.")
    agent = _track(tmp_path, "a", [0.5, hello, 0.5 + q + 6.0])
    caller = _track(tmp_path, "c", [0.5 + h + 0.5, ask, 6.0])
    shutil.copy(agent, root / "x-agent.wav")
    shutil.copy(caller, root / "x-caller.wav")
    _mix(agent, caller, root / "x.wav")
    async with sqlite_engine.begin() as conn:
        await conn.execute(Recording.__table__.insert().values(
            id=1, call_id="c1", uniqueid="u1", agent="1001", queue="q", path="x.wav", started_at=0.0,
            policy="all", legs={"layout": "legs", "agent": "x-agent.wav", "caller": "x-caller.wav"}))
        await conn.execute(Recording.__table__.insert().values(
            id=2, call_id="c2", uniqueid="u2", agent="1001", queue="q", path="gone.wav", started_at=0.0,
            policy="all", purged_at=10.0))
    out = await analyse_pending(sqlite_engine, store, now=50.0)
    assert out.analysed == 1 and out.errors == ()
    async with sqlite_engine.connect() as conn:
        row = (await conn.execute(select(QaAudioMetrics))).one()
    assert row.agent_talk_s == pytest.approx(h, abs=0.2) and row.caller_talk_s == pytest.approx(q, abs=0.2)
    assert row.longest_dead_air_s == pytest.approx(6.0, abs=0.2)
