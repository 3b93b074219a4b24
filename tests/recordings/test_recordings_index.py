"""The index job fills a recording's row from its files and flags what is wrong; the
purge job removes exactly what retention says is due, never a held file."""

from __future__ import annotations

import hashlib
import logging

from sqlalchemy import insert, select
from typer.testing import CliRunner
from wavs import truncate, write_mono, write_stereo

from crm.customers import make_phone
from crm.models import Customer
from hotline.db import CallEvent, make_sessionmaker
from recordings.index import index_pending, inspect
from recordings.models import Recording
from recordings.retention import DAY_S, due, purge, set_hold, set_retention
from recordings.store import RecordingStore

T0 = 1_800_000_000.0


async def _add(engine, **kw) -> int:
    row = {"call_id": "c1", "uniqueid": "u1", "agent": "1001", "queue": "sales", "started_at": T0,
           "policy": "all", **kw}
    async with engine.begin() as conn:
        res = await conn.execute(insert(Recording).values(**row).returning(Recording.id))
        return int(res.scalar_one())


async def _row(engine, rid: int) -> Recording:
    async with make_sessionmaker(engine)() as s:
        return (await s.execute(select(Recording).where(Recording.id == rid))).scalar_one()


async def test_index_fills_duration_bytes_sha_format_caller_and_customer(engine, tmp_path):
    store = RecordingStore(tmp_path / "rec")
    f = write_stereo(store.root / "2027/01/15/a.wav", 3.0)
    async with make_sessionmaker(engine)() as s:
        cust = Customer(name="张安娜", created_at=T0, updated_at=T0)
        cust.phones.append(make_phone("+8613800000001"))
        s.add(cust)
        s.add(CallEvent(ts=T0 - 5, call_id="c1", uniqueid="u0", linkedid="L1", kind="CHAN_START",
                        data={"channel": "PJSIP/trunk-1", "caller_num": "13800000001"}))
        await s.commit()
        cust_id = cust.id
    rid = await _add(engine, path="2027/01/15/a.wav")
    out = await index_pending(engine, store, now=T0 + 600)
    assert out.indexed == 1 and out.flagged == ()
    r = await _row(engine, rid)
    assert r.status == "ok" and r.status_note is None
    assert abs(r.duration_s - 3.0) < 0.001
    assert r.bytes == f.stat().st_size
    assert r.sha256 == hashlib.sha256(f.read_bytes()).hexdigest()
    assert r.format == "wav/pcm_16"
    assert (r.caller, r.linkedid, r.customer_id) == ("13800000001", "L1", cust_id)
    assert (await index_pending(engine, store, now=T0 + 700)).indexed == 0  # done once


async def test_a_call_still_recording_is_left_for_later(engine, tmp_path):
    store = RecordingStore(tmp_path / "rec")
    write_stereo(store.root / "a.wav", 1.0)
    rid = await _add(engine, path="a.wav")
    assert (await index_pending(engine, store, now=T0 + 10, settle_s=60)).indexed == 0
    assert (await _row(engine, rid)).status == "pending"


async def test_missing_and_truncated_files_are_flagged_and_the_rows_kept(engine, tmp_path):
    store = RecordingStore(tmp_path / "rec")
    f = write_stereo(store.root / "cut.wav", 2.0)
    truncate(f, 44 + 4000)
    write_stereo(store.root / "mix.wav", 1.0)
    write_mono(store.root / "mix-agent.wav", 1.0)
    gone = await _add(engine, path="gone.wav")
    cut = await _add(engine, path="cut.wav")
    leg = await _add(engine, path="mix.wav",
                     legs={"layout": "legs", "agent": "mix-agent.wav", "caller": "mix-caller.wav"})
    outside = await _add(engine, path="../../etc/passwd")
    out = await index_pending(engine, store, now=T0 + 600)
    assert out.indexed == 4 and len(out.flagged) == 4
    assert (await _row(engine, gone)).status == "missing"
    r = await _row(engine, cut)
    assert r.status == "truncated" and "shorter than its header" in r.status_note
    r = await _row(engine, leg)
    assert r.status == "missing" and "mix-caller.wav" in r.status_note and r.sha256 is None
    r = await _row(engine, outside)
    assert r.status == "missing" and "outside the recordings store" in r.status_note
    async with engine.connect() as conn:
        assert len((await conn.execute(select(Recording.id))).all()) == 4


async def test_recheck_finds_a_file_lost_after_indexing(engine, tmp_path):
    store = RecordingStore(tmp_path / "rec")
    f = write_stereo(store.root / "a.wav", 1.0)
    rid = await _add(engine, path="a.wav")
    await index_pending(engine, store, now=T0 + 600)
    f.unlink()
    await index_pending(engine, store, now=T0 + 700, recheck=True)
    assert (await _row(engine, rid)).status == "missing"


def test_inspect_reads_a_whole_wav_as_ok_and_an_unreadable_one_as_truncated(tmp_path):
    good = write_stereo(tmp_path / "g.wav", 0.5)
    assert inspect(good).status == "ok"
    bad = tmp_path / "b.wav"
    bad.write_bytes(b"RIFF\x00\x00")
    assert inspect(bad).status == "truncated"


class _Row:
    def __init__(self, id, queue, started_at, legal_hold=False, purged_at=None):
        self.id, self.queue, self.started_at = id, queue, started_at
        self.legal_hold, self.purged_at = legal_hold, purged_at


def test_due_keeps_held_purged_and_unruled_queues():
    rows = [_Row(1, "sales", T0), _Row(2, "sales", T0, legal_hold=True), _Row(3, "support", T0),
            _Row(4, "vip", T0), _Row(5, "sales", T0 + DAY_S), _Row(6, "sales", T0, purged_at=T0)]
    now = T0 + 30 * DAY_S
    assert due(rows, {"sales": 30, "support": 31}, now) == [1]
    assert due(rows, {"sales": 30, "*": 10}, now) == [1, 3, 4]


async def test_purge_removes_exactly_what_is_due_and_never_a_held_file(engine, tmp_path, caplog):
    store = RecordingStore(tmp_path / "rec")
    for name in ("old.wav", "held.wav", "young.wav", "other.wav", "old-a.wav", "old-c.wav"):
        write_mono(store.root / name, 0.2)
    old = await _add(engine, path="old.wav", legs={"layout": "legs", "agent": "old-a.wav", "caller": "old-c.wav"})
    held = await _add(engine, path="held.wav")
    young = await _add(engine, path="young.wav", started_at=T0 + 20 * DAY_S)
    other = await _add(engine, path="other.wav", queue="support")
    await set_retention(engine, "sales", 30)
    assert await set_hold(engine, held, True)
    assert not await set_hold(engine, 9999, True)
    caplog.set_level(logging.INFO, logger="recordings.retention")
    out = await purge(engine, store, now=T0 + 30 * DAY_S)
    assert out.purged == (old,)
    assert sorted(out.removed) == ["old-a.wav", "old-c.wav", "old.wav"]
    assert sorted(p.name for p in store.root.iterdir()) == ["held.wav", "other.wav", "young.wav"]
    assert sum("removed old" in m for m in caplog.messages) == 3
    assert (await _row(engine, old)).purged_at == T0 + 30 * DAY_S
    for rid in (held, young, other):
        assert (await _row(engine, rid)).purged_at is None
    assert (await purge(engine, store, now=T0 + 30 * DAY_S)).purged == ()  # idempotent
    await set_hold(engine, held, False)
    assert (await purge(engine, store, now=T0 + 30 * DAY_S)).purged == (held,)


def test_cli_hold_release_retention_index_purge(tmp_path, monkeypatch):
    import asyncio

    from hotline.app.cli import app
    from hotline.app.migrate import upgrade
    from hotline.db import make_engine

    url = f"sqlite+aiosqlite:///{tmp_path / 'h.db'}"
    store = tmp_path / "rec"
    write_stereo(store / "a.wav", 1.0)

    async def seed() -> int:
        engine = make_engine(url)
        await upgrade(engine)
        rid = await _add(engine, path="a.wav", started_at=1.0)
        await engine.dispose()
        return rid

    rid = asyncio.run(seed())
    monkeypatch.setenv("HOTLINE_RECORDINGS_DIR", str(store))
    from hotline.settings import get_settings
    get_settings.cache_clear()
    try:
        run = CliRunner().invoke
        r = run(app, ["recordings", "index", "--url", url])
        assert r.exit_code == 0, r.output
        assert f"recording {rid}: ok" in r.output
        assert run(app, ["recordings", "hold", str(rid), "--url", url]).exit_code == 0
        r = run(app, ["recordings", "hold", "999", "--url", url])
        assert r.exit_code == 1 and "no recording 999" in r.output
        assert "sales\t1 days" in run(app, ["recordings", "retention", "sales", "1", "--url", url]).output
        r = run(app, ["recordings", "purge", "--url", url])
        assert "0 recording(s) purged" in r.output and (store / "a.wav").exists()
        assert run(app, ["recordings", "release", str(rid), "--url", url]).exit_code == 0
        r = run(app, ["recordings", "purge", "--url", url])
        assert "removed a.wav" in r.output and not (store / "a.wav").exists()
    finally:
        get_settings.cache_clear()
