"""Reconciliation with Asterisk: CDRs (AMI Cdr, Master.csv) against our call-event log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.clock import ManualClock
from hotline.db import CallEvent
from hotline.eventlog import CallEventLog
from hotline.events import EventBus
from hotline.writebehind import WriteBehind
from pbx.ami.codec import AmiDecoder, AmiMessage
from pbx.calllog import CallLogWriter
from pbx.tracker import CallTracker
from pbx.transcripts import received_chunks
from reports.cdrs import CdrRow, CdrWriter, store_cdrs
from reports.reconcile import parse_cdr_event, read_master_csv, reconcile

AMI13 = Path(__file__).resolve().parents[3] / "shared" / "asterisk" / "ami-13-cdr-cel-answered-call.txt"
T0 = 1_795_355_000.0  # 2026-11-22 13:43:20 UTC
DAY = (T0 - 3600, T0 + 3600)


def _ami13() -> list[AmiMessage]:
    return [m for m in AmiDecoder().feed(b"".join(received_chunks(AMI13))) if isinstance(m, AmiMessage)]


# --- parsing -----------------------------------------------------------------------------

def test_cdr_event_of_ami_13_parses_to_epoch_times_and_seconds() -> None:
    caller, leg1, leg2 = (parse_cdr_event(m) for m in _ami13() if m.get("Event") == "Cdr")
    assert (caller.uniqueid, caller.channel, caller.dstchannel, caller.lastapp) == (
        "1795355869.119", "PJSIP/hotline-trunk-0000005d", "", "MusicOnHold")
    assert caller.start == 1795355869.0 and caller.answer == 1795355869.0 and caller.end == 1795355880.0
    assert (caller.duration, caller.billsec, caller.disposition, caller.source) == (10, 10, "ANSWERED", "ami")
    assert caller.linkedid is None  # Cdr has no Linkedid
    assert (leg1.uniqueid, leg1.duration, leg2.dstchannel, leg2.duration) == (
        "1795355872.120", 0, "PJSIP/hotline-trunk-0000005d", 7)
    # the Asterisk server's local time: the same CDR read as Asia/Shanghai is 8 h earlier
    local = {**_cdr_fields(), "StartTime": "2026-11-22 21:57:49", "AnswerTime": "2026-11-22 21:57:49",
             "EndTime": "2026-11-22 21:58:00"}
    assert parse_cdr_event(local, tz="Asia/Shanghai").start == 1795355869.0


def _cdr_fields() -> dict[str, str]:
    return dict(next(m for m in _ami13() if m.get("Event") == "Cdr"))


MASTER = (
    '"","13800138000","s","hotline-wait","""张安娜"" <13800138000>","PJSIP/hotline-trunk-0000005d","",'
    '"MusicOnHold","default,600","2026-11-22 13:57:49","2026-11-22 13:57:49","2026-11-22 13:58:00",'
    '10,10,"ANSWERED","DOCUMENTATION","1795355869.119",""\n'
    '"","13800138000","s","from-agents","""张安娜"" <13800138000>","PJSIP/agent1001-0000005e",'
    '"PJSIP/hotline-trunk-0000005d","Bridge","PJSIP/hotline-trunk-0000005d","2026-11-22 13:57:53",'
    '"2026-11-22 13:57:53","2026-11-22 13:58:00",7,7,"ANSWERED","DOCUMENTATION","1795355872.120",""\n'
)


def test_master_csv_reads_quoted_caller_ids_and_keeps_good_rows_around_bad_ones() -> None:
    bad_time = MASTER.splitlines()[0].replace("2026-11-22 13:58:00", "22/11/2026 13:58")
    lines = [MASTER.splitlines()[0], bad_time, "", '"too","few","columns"',
             MASTER.splitlines()[1].replace('"ANSWERED"', '"MAYBE"'),
             MASTER.splitlines()[1]]
    data = ("\n".join(lines) + "\n").encode() + b'"\xff\xfe",' + b"x" * 3 + b"\n"
    got = read_master_csv(data)
    assert [(c.uniqueid, c.dstchannel, c.source) for c in got.cdrs] == [
        ("1795355869.119", "", "csv"), ("1795355872.120", "PJSIP/hotline-trunk-0000005d", "csv")]
    assert [(p.line, p.reason.split(" ")[0]) for p in got.problems] == [
        (2, "end"), (4, "3"), (5, "disposition"), (7, "not")]
    assert "22/11/2026 13:58" in got.problems[0].reason
    assert "loguniqueid" in got.problems[1].reason
    assert got.as_dict()["cdrs"] == 2 and got.as_dict()["problems"][0]["line"] == 2
    assert got.cdrs[0].src == "13800138000"


def test_master_csv_with_newcdrcolumns_carries_the_linkedid() -> None:
    line = MASTER.splitlines()[0] + ',"","1795355869.119","5"'
    [cdr] = read_master_csv(line.encode()).cdrs
    assert cdr.linkedid == "1795355869.119"


async def test_the_same_cdr_from_ami_and_csv_is_stored_once(engine: AsyncEngine) -> None:
    live = [parse_cdr_event(m) for m in _ami13() if m.get("Event") == "Cdr"]
    assert await store_cdrs(engine, live) == 3
    assert await store_cdrs(engine, read_master_csv(MASTER.encode()).cdrs) == 0
    async with engine.connect() as conn:
        assert len((await conn.execute(select(CdrRow.id))).all()) == 3


# --- the real transcript through our own writers -------------------------------------------

async def _replay_ami13(engine: AsyncEngine) -> None:
    """ami-13's AMI stream through the tracker, the call-log writer and the CDR writer."""
    bus, clock = EventBus(), ManualClock(T0)
    tracker = CallTracker(bus, clock)
    log = CallEventLog(engine, clock=clock)
    rows = WriteBehind(engine)
    CallLogWriter(bus, log, tracker)
    CdrWriter(bus, rows)
    for m in _ami13():
        tracker.feed(m)
    await log.flush()
    assert await rows.flush()


async def test_ami_13_every_cdr_matches_the_call_and_its_agent_leg(engine: AsyncEngine) -> None:
    await _replay_ami13(engine)
    r = await reconcile(engine, *DAY)
    assert r.unexplained == 0 and not r.missing_in_ours and not r.missing_in_asterisk
    assert [(m.cdr.uniqueid, m.leg, m.by) for m in r.matched] == [
        ("1795355869.119", "caller", "uniqueid"), ("1795355872.120", "agent", "uniqueid"),
        ("1795355872.120", "agent", "uniqueid")]
    assert len({m.call_id for m in r.matched}) == 1  # the agent leg belongs to the caller's call
    assert r.as_dict()["matched"] == 3


async def test_a_call_deleted_from_our_log_and_a_missing_cdr_are_unexplained(
        engine: AsyncEngine) -> None:
    await _synthetic(engine, calls=3)
    assert (await reconcile(engine, *DAY)).unexplained == 0
    async with engine.begin() as conn:
        # every row of call 1 (under its linkedid, our id and the agent leg's linkedid)
        await conn.execute(delete(CallEvent).where(CallEvent.call_id.in_(("T.1", "call-1", "A.1"))))
        await conn.execute(delete(CdrRow).where(CdrRow.uniqueid == "T.2"))
    r = await reconcile(engine, *DAY)
    assert [(u.uniqueid, u.reason) for u in r.missing_in_ours] == [
        ("T.1", None), ("A.1", None), ("A.1", None)]
    assert [(u.uniqueid, u.call_id, u.reason) for u in r.missing_in_asterisk] == [
        ("T.2", "call-2", None)]
    assert r.unexplained == 4
    assert len(r.matched) == 3 * 3 - 3 - 1
    assert r.as_dict()["missing_in_asterisk"][0]["explanation"] is None


async def test_reasons_that_explain_what_does_not_match(engine: AsyncEngine) -> None:
    await _synthetic(engine, calls=4)
    async with engine.begin() as conn:
        # call 1 is still up (no hangup yet): no CDR yet
        await conn.execute(delete(CallEvent).where(CallEvent.uniqueid == "T.1",
                                                   CallEvent.kind == "HANGUP"))
        await conn.execute(delete(CdrRow).where(CdrRow.uniqueid == "T.1"))
        # call 2 was never answered: unanswered = no
        await conn.execute(delete(CallEvent).where(CallEvent.uniqueid == "T.2",
                                                   CallEvent.kind == "ANSWER"))
        await conn.execute(delete(CdrRow).where(CdrRow.uniqueid == "T.2"))
        # an agent's own internal call, and a CDR at a time our log has nothing
        await conn.execute(insert(CdrRow), [
            _cdr_row("X.1", T0 + 50, "PJSIP/agent1009-00000099", ""),
            _cdr_row("X.2", T0 + 3000, "PJSIP/hotline-trunk-000000ff", "")])
        # an IVR-only call whose CDR says NO ANSWER is matched all the same
        await conn.execute(CdrRow.__table__.update().where(CdrRow.uniqueid == "T.3")
                           .values(disposition="NO ANSWER", answer=None, billsec=0))
    r = await reconcile(engine, *DAY)
    assert r.unexplained == 0
    assert {(u.uniqueid, u.reason) for u in r.missing_in_asterisk} == {
        ("T.1", "still_up"), ("T.2", "never_answered")}
    assert {(u.uniqueid, u.reason) for u in r.missing_in_ours} == {
        ("X.1", "not_via_hotline"), ("X.2", "log_gap")}
    assert "T.3" in {m.cdr.uniqueid for m in r.matched}
    assert all(u["explanation"] for u in r.as_dict()["missing_in_ours"])


async def test_no_cdr_feed_at_the_time_explains_a_leg_without_cdr(engine: AsyncEngine) -> None:
    await _synthetic(engine, calls=1)
    async with engine.begin() as conn:
        await conn.execute(delete(CdrRow))
    r = await reconcile(engine, *DAY)
    assert [(u.uniqueid, u.reason) for u in r.missing_in_asterisk] == [("T.0", "no_cdrs_then")]


async def test_a_cdr_of_a_call_that_started_before_the_range_still_matches(
        engine: AsyncEngine) -> None:
    await _synthetic(engine, calls=1)
    # the agent leg's bridge CDR starts 4 s after the call, its first CDR 3 s after: cut in between
    r = await reconcile(engine, T0 + 3.5, T0 + 3600)
    assert [(m.cdr.uniqueid, m.call_id) for m in r.matched] == [("A.0", "call-0")]
    assert not r.missing_in_asterisk and r.unexplained == 0


# --- synthetic calls shaped like pbx.calllog's rows (ami-13's flow) ------------------------

def _cdr_row(uid: str, start: float, channel: str, dst: str, end: float | None = None,
             **kw: Any) -> dict[str, Any]:
    end = start + 10 if end is None else end
    return {"uniqueid": uid, "linkedid": None, "src": "13800138000", "dst": "s", "start": start,
            "answer": start, "end": end, "duration": int(end - start), "billsec": int(end - start),
            "disposition": "ANSWERED", "channel": channel, "dstchannel": dst, "lastapp": "Bridge",
            "lastdata": dst, "source": "ami", **kw}


async def _synthetic(engine: AsyncEngine, calls: int) -> None:
    """``calls`` overlapping calls 20 s apart: caller T.n answered, IVR (call id set), agent
    leg A.n originated with its own linkedid, merged at the bridge; and their 3 CDRs."""
    events: list[dict[str, Any]] = []
    cdrs: list[dict[str, Any]] = []

    def ev(ts: float, call_id: str, kind: str, uid: str | None, lid: str | None,
           **data: Any) -> None:
        events.append({"ts": ts, "call_id": call_id, "kind": kind, "uniqueid": uid,
                       "linkedid": lid, "data": data})

    for n in range(calls):
        t, caller, leg, cid = T0 + 20 * n, f"T.{n}", f"A.{n}", f"call-{n}"
        trunk, agent = f"PJSIP/hotline-trunk-{n:08x}", f"PJSIP/agent1001-{n + 100:08x}"
        ev(t, caller, "CHAN_START", caller, caller, channel=trunk)
        ev(t, caller, "ANSWER", caller, None, channel=trunk)
        ev(t + 1, cid, "VARSET", caller, None, variable="HOTLINE_CALL_ID", value=cid)
        ev(t + 2, cid, "ENTERQUEUE", None, None)
        ev(t + 3, leg, "CHAN_START", leg, leg, channel=agent)
        ev(t + 4, cid, "MERGE", leg, caller, merged_linkedid=leg)
        ev(t + 4, cid, "BRIDGE", leg, caller, channel=agent)
        ev(t + 12, cid, "HANGUP", caller, caller, channel=trunk)
        ev(t + 12, cid, "HANGUP", leg, caller, channel=agent)
        ev(t + 12, cid, "CALL_END", None, caller)
        cdrs += [_cdr_row(caller, t, trunk, "", t + 12, lastapp="MusicOnHold",
                          lastdata="default,600"),
                 _cdr_row(leg, t + 3, agent, "", t + 4, lastdata=trunk),
                 _cdr_row(leg, t + 4, agent, trunk, t + 12, lastdata=trunk)]
    async with engine.begin() as conn:
        await conn.execute(insert(CallEvent), events)
        await conn.execute(insert(CdrRow), cdrs)


@pytest.fixture(autouse=True)
def _no_wall_clock_here() -> None:
    """Nothing in these tests waits; the reconciliation reads only stored rows."""


async def test_live_writer_stores_good_cdrs_and_counts_a_bad_one(engine: AsyncEngine) -> None:
    from pbx.ami.parse import cdr_recorded

    bus, rows = EventBus(), WriteBehind(engine)
    writer = CdrWriter(bus, rows)
    good = next(m for m in _ami13() if m.get("Event") == "Cdr")
    bus.publish(cdr_recorded(good, T0))
    bus.publish(cdr_recorded({**good, "UniqueID": ""}, T0))
    assert await rows.flush()
    assert writer.problems == 1
    async with engine.connect() as conn:
        assert (await conn.execute(select(CdrRow.uniqueid, CdrRow.source))).all() == [
            ("1795355869.119", "ami")]
