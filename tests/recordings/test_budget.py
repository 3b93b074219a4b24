"""The store kept within a size: the oldest recordings go first, never a held one; their
index rows stay with purged_at (the demo's disk does not fill up)."""

from __future__ import annotations

from sqlalchemy import insert, select
from wavs import write_mono

from hotline.db import make_sessionmaker
from recordings.models import Recording
from recordings.retention import over_budget, purge_over_budget, set_hold
from recordings.store import RecordingStore

T0 = 1_800_000_000.0


def test_over_budget_takes_the_oldest_until_the_rest_fit():
    items = [(1, 100), (2, 100), (3, 100), (4, 100)]
    assert over_budget(items, 400) == []
    assert over_budget(items, 399) == [1]
    assert over_budget(items, 150) == [1, 2, 3]
    assert over_budget(items, 0) == [1, 2, 3, 4]
    assert over_budget([], 0) == []


async def test_purge_over_budget_removes_the_oldest_files_and_never_a_held_one(engine, tmp_path):
    store = RecordingStore(tmp_path / "rec")
    ids = {}
    async with engine.begin() as conn:
        for i, name in enumerate(("a", "b", "c", "d")):
            write_mono(store.root / f"2027/01/15/{name}.wav", 1.0)  # 16 kB each
            res = await conn.execute(insert(Recording).values(
                call_id=name, uniqueid=name, agent="1001", queue="sales", path=f"2027/01/15/{name}.wav",
                started_at=T0 + i, policy="all").returning(Recording.id))
            ids[name] = int(res.scalar_one())
    size = (store.root / "2027/01/15/a.wav").stat().st_size
    assert await set_hold(engine, ids["a"], True)  # the oldest, but held
    out = await purge_over_budget(engine, store, 2 * size, now=T0 + 100)
    assert out.purged == (ids["b"], ids["c"])  # held a stays; b and c go; a + d fit
    assert sorted(p.name for p in (store.root / "2027/01/15").iterdir()) == ["a.wav", "d.wav"]
    async with make_sessionmaker(engine)() as s:
        purged = dict((await s.execute(select(Recording.call_id, Recording.purged_at))).all())
    assert purged == {"a": None, "b": T0 + 100, "c": T0 + 100, "d": None}
    assert (await purge_over_budget(engine, store, 2 * size, now=T0 + 200)).purged == ()  # within budget now
