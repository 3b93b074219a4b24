"""Recordings over HTTP: search within scope, Range playback, download by role, audit of
every access, path traversal refused even from a tampered index row, the call timeline."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import insert, select, update

from hotline.db import CallEvent
from recordings.models import Recording
from tests.console.conftest import Console
from tests.console.recording_rows import T0, add_recording, audit_rows, use_store
from tests.recordings.wavs import write_stereo


@pytest.fixture
def store(console: Console, tmp_path: Path) -> Path:
    return use_store(console, tmp_path)


def team_id(console: Console, name: str) -> int:
    from agent_console.models import Team

    async def go() -> int:
        async with console.engine.connect() as conn:
            return int((await conn.execute(select(Team.id).where(Team.name == name))).scalar_one())

    return console.run(go)


def test_search_is_scoped_agent_sees_own_lead_sees_team_qa_sees_all(console, store):
    a = add_recording(console, store, agent="1001", name="a.wav", caller="13800000001")
    b = add_recording(console, store, agent="1002", name="b.wav", seconds=30.0, started_at=T0 + 60)
    c = add_recording(console, store, agent="1003", name="c.wav", queue="support")
    ids = lambda who, q="": [r["id"] for r in console.client.get(f"/api/recordings{q}", headers=console.auth(who)).json()]  # noqa: E731
    assert ids("alice") == [a]
    assert ids("bob") == [b]
    assert ids("lead") == [b, a]  # Sales + Sales-A, newest first
    assert ids("qa") == ids("sup") == ids("admin") == [b, c, a]  # newest first, then id
    assert ids("qa", "?queue=support") == [c]
    assert ids("qa", "?caller=0000001") == [a]
    assert ids("qa", "?min_duration=10") == [b]
    assert ids("qa", "?max_duration=10") == [c, a]
    assert ids("qa", f"?from={T0 + 1}") == [b]
    assert ids("qa", f"?to={T0 + 1}") == [c, a]
    assert ids("qa", "?agent=1003") == [c]
    assert ids("lead", "?agent=1003") == []  # filters never widen the scope
    assert ids("qa", f"?team={team_id(console, 'Sales-A')}") == [a]
    assert ids("qa", f"?team={team_id(console, 'Sales')}") == [b, a]  # and the teams below it


def test_search_by_status_hold_and_audio_flag(console, store):
    from qa.models import QaAudioMetrics

    a = add_recording(console, store, name="a.wav")
    b = add_recording(console, None, name="gone.wav", status="missing")
    c = add_recording(console, store, name="c.wav", legal_hold=True)

    async def metrics() -> None:
        async with console.engine.begin() as conn:
            await conn.execute(insert(QaAudioMetrics).values(
                recording_id=a, call_id="x", agent="1001", analysed_at=T0, duration_s=2, agent_talk_s=1,
                caller_talk_s=1, talk_ratio=0.5, dead_air_s=9, longest_dead_air_s=9, overtalk_s=0,
                longest_monologue_s=1, first_words_s=0.5, flags=["dead_air"]))

    console.run(metrics)
    get = lambda q: [r["id"] for r in console.client.get(f"/api/recordings?{q}", headers=console.auth("qa")).json()]  # noqa: E731
    assert get("flag=missing") == [b]
    assert get("flag=held") == [c]
    assert get("flag=dead_air") == [a]
    one = console.client.get(f"/api/recordings/{a}", headers=console.auth("qa")).json()
    assert one["flags"] == ["dead_air"] and one["layout"] == "stereo"


def test_range_requests_seek_and_416(console, store):
    rid = add_recording(console, store)
    data = (store / "a.wav").read_bytes()
    size = len(data)
    url = f"/api/recordings/{rid}/audio"
    h = console.auth("qa")
    whole = console.client.get(url, headers=h)
    assert whole.status_code == 200 and whole.content == data
    assert whole.headers["accept-ranges"] == "bytes" and whole.headers["content-type"] == "audio/wav"
    part = console.client.get(url, headers={**h, "Range": "bytes=1000-1999"})
    assert part.status_code == 206 and part.content == data[1000:2000]
    assert part.headers["content-range"] == f"bytes 1000-1999/{size}"
    assert part.headers["content-length"] == "1000"
    seek = console.client.get(url, headers={**h, "Range": "bytes=30000-"})
    assert seek.status_code == 206 and seek.content == data[30000:]
    tail = console.client.get(url, headers={**h, "Range": "bytes=-100"})
    assert tail.content == data[-100:]
    bad = console.client.get(url, headers={**h, "Range": f"bytes={size}-"})
    assert bad.status_code == 416 and bad.headers["content-range"] == f"bytes */{size}"
    zh = console.client.get(url, headers={**h, "Range": f"bytes={size + 5}-", "Accept-Language": "zh-CN"})
    assert "超出录音" in zh.json()["detail"]


def test_every_play_and_download_is_audited(console, store):
    rid = add_recording(console, store)
    url = f"/api/recordings/{rid}/audio"
    console.client.get(url, headers={**console.auth("lead"), "Range": "bytes=0-99"})
    console.client.get(url, headers=console.auth("alice"))
    r = console.client.get(url + "?download=1", headers=console.auth("qa"))
    assert r.status_code == 200
    assert r.headers["content-disposition"] == f'attachment; filename="recording-{rid}.wav"'
    rows = audit_rows(console)
    assert [(a.actor, a.action, a.target) for a in rows] == [
        ("lead", "recording_play", f"recording:{rid}"), ("alice", "recording_play", f"recording:{rid}"),
        ("qa", "recording_download", f"recording:{rid}")]
    assert rows[0].data["range"] == "bytes=0-99" and rows[0].ts == console.clock.now()


def test_download_only_for_qa_supervisor_admin(console, store):
    rid = add_recording(console, store)
    url = f"/api/recordings/{rid}/audio?download=1"
    for who in ("alice", "lead"):
        r = console.client.get(url, headers=console.auth(who))
        assert r.status_code == 403 and "not download" in r.json()["detail"]
    for who in ("qa", "sup", "admin"):
        assert console.client.get(url, headers=console.auth(who)).status_code == 200
    assert all(a.action == "recording_download" for a in audit_rows(console))


def test_out_of_scope_and_anonymous_are_refused(console, store):
    rid = add_recording(console, store, agent="1003", queue="support")
    for path in ("", "/audio", "/timeline"):
        assert console.client.get(f"/api/recordings/{rid}{path}").status_code == 401
        for who in ("alice", "bob", "lead"):
            r = console.client.get(f"/api/recordings/{rid}{path}", headers=console.auth(who))
            assert r.status_code == 403, (who, path, r.text)
        assert console.client.get(f"/api/recordings/{rid}{path}", headers=console.auth("manager")).status_code == 200
    assert console.client.get("/api/recordings/999/audio", headers=console.auth("qa")).status_code == 404
    assert audit_rows(console) == [audit_rows(console)[0]] and audit_rows(console)[0].actor == "manager"


@pytest.mark.parametrize("tampered", ["../outside.wav", "%2e%2e/outside.wav", "..%2foutside.wav",
                                      "ABSOLUTE", "link.wav", "sub/../../outside.wav"])
def test_a_path_leaving_the_store_is_refused_even_from_the_index(console, store, tampered):
    secret = store.parent / "outside.wav"
    write_stereo(secret, 0.5)
    os.symlink(secret, store / "link.wav")
    rid = add_recording(console, store, name="a.wav")
    path = str(secret) if tampered == "ABSOLUTE" else tampered

    async def tamper() -> None:
        async with console.engine.begin() as conn:
            await conn.execute(update(Recording).where(Recording.id == rid).values(path=path))

    console.run(tamper)
    r = console.client.get(f"/api/recordings/{rid}/audio", headers=console.auth("qa"))
    assert r.status_code == 404 and "not in the recordings store" in r.json()["detail"]
    assert secret.read_bytes() not in r.content
    assert [a.action for a in audit_rows(console)] == ["recording_refused"]


@pytest.mark.parametrize("url", ["/api/recordings/..%2F..%2Fetc%2Fpasswd/audio", "/api/recordings/%2Fetc%2Fpasswd/audio",
                                 "/api/recordings/1%2F..%2F2/audio", "/api/recordings/a.wav/audio"])
def test_urls_take_ids_never_paths(console, store, url):
    add_recording(console, store)
    r = console.client.get(url, headers=console.auth("qa"))
    assert r.status_code in (404, 422), r.status_code
    assert not r.content.startswith(b"RIFF")


def test_purged_recording_is_gone_and_leg_files_play(console, store):
    gone = add_recording(console, None, name="old.wav", purged_at=T0)
    r = console.client.get(f"/api/recordings/{gone}/audio", headers=console.auth("qa"))
    assert r.status_code == 410
    from tests.recordings.wavs import write_mono

    write_mono(store / "m-agent.wav", 0.5)
    write_mono(store / "m-caller.wav", 0.7)
    rid = add_recording(console, store, name="m.wav",
                        legs={"layout": "legs", "agent": "m-agent.wav", "caller": "m-caller.wav"})
    r = console.client.get(f"/api/recordings/{rid}/audio?leg=caller", headers=console.auth("qa"))
    assert r.status_code == 200 and r.content == (store / "m-caller.wav").read_bytes()
    r = console.client.get(f"/api/recordings/{gone}/audio?leg=agent", headers=console.auth("qa"))
    assert r.status_code == 410


def test_timeline_has_answer_hold_transfer_hangup_at_offsets(console, store):
    rid = add_recording(console, store, call_id="C9", started_at=T0)
    events = [(T0 - 20, "CHAN_START"), (T0 - 19, "ENTERQUEUE"), (T0, "CONNECT"), (T0 + 0.5, "ANSWER"),
              (T0 + 30, "HOLD"), (T0 + 45, "UNHOLD"), (T0 + 60, "TRANSFER"), (T0 + 90, "HANGUP")]

    async def log() -> None:
        async with console.engine.begin() as conn:
            await conn.execute(insert(CallEvent), [
                {"ts": ts, "call_id": "C9", "kind": k, "agent": "1001", "data": {"channel": "PJSIP/x", "secret": 1}}
                for ts, k in events] + [{"ts": T0, "call_id": "other", "kind": "HOLD", "agent": None, "data": {}}])

    console.run(log)
    r = console.client.get(f"/api/recordings/{rid}/timeline", headers=console.auth("lead"))
    assert r.status_code == 200
    got = [(e["kind"], e["offset_s"]) for e in r.json()["events"]]
    assert got == [("CHAN_START", -20.0), ("CONNECT", 0.0), ("ANSWER", 0.5), ("HOLD", 30.0), ("UNHOLD", 45.0),
                   ("TRANSFER", 60.0), ("HANGUP", 90.0)]
    assert r.json()["events"][0]["data"] == {"channel": "PJSIP/x"}
