"""The runner core: compliance at dial time, retries, and every dial/result in the log."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline import kinds
from hotline.clock import ManualClock
from hotline.db import CallEvent
from hotline.eventlog import CallEventLog
from outbound.compliance import CallingHours, Compliance, DialResult, DncList, RetryRule
from outbound.dialer import Record, Runner
from outbound.pacing import Floor, ProgressivePacer

NOON_SH = datetime(2026, 12, 7, 4, tzinfo=UTC).timestamp()  # 12:00 Shanghai, 20:00 LA (Dec 6)
LATE_LA = datetime(2026, 12, 7, 6, tzinfo=UTC).timestamp()  # 14:00 Shanghai, 22:00 LA


class ListSink:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def log(self, call_id: str, kind: str, *, ts: float | None = None, **kw: Any) -> None:
        self.rows.append({"call_id": call_id, "kind": kind, "ts": ts, **kw})


def runner(sink: Any, records: list[Record]) -> Runner:
    dnc = DncList()
    dnc.add("13900139000")
    comp = Compliance(dnc, CallingHours.daily(time(9), time(21)), max_per_day=3)
    return Runner("huifang", "+864008001234", ProgressivePacer(), comp, records, sink,
                  retries={DialResult.BUSY: RetryRule(600.0, 1)})


def test_refused_records_are_logged_with_the_reason_and_skipped() -> None:
    sink = ListSink()
    r = runner(sink, [Record("1", "13900139000"), Record("2", "+14155550123"),
                      Record("3", "13800138000")])
    dials = r.tick(Floor(now=LATE_LA, free=("a1", "a2")))
    assert [(d.number, d.agent) for d in dials] == [("+8613800138000", "a1")]  # the others refused
    refused = [(x["data"]["record"], x["data"]["reason"]) for x in sink.rows
               if x["kind"] == kinds.OUTBOUND_REFUSED]
    assert refused == [("1", "dnc_global"), ("2", "outside_hours")]
    assert r.records["1"].status == "refused"  # DNC is final
    assert r.records["2"].status == "pending" and r.records["2"].next_at > LATE_LA  # hours clear later
    assert r.penetration() == 1 / 3


def test_busy_is_retried_by_the_rule_then_finished() -> None:
    sink = ListSink()
    r = runner(sink, [Record("3", "13800138000")])
    (d,) = r.tick(Floor(now=NOON_SH, free=("a1",)))
    assert r.result(d.call_id, DialResult.BUSY, NOON_SH + 5, cause=17) == NOON_SH + 605
    assert r.tick(Floor(now=NOON_SH + 10, free=("a1",))) == []  # not due yet
    (d2,) = r.tick(Floor(now=NOON_SH + 605, free=("a1",)))
    assert r.result(d2.call_id, DialResult.BUSY, NOON_SH + 610, cause=17) is None  # one retry only
    assert r.records["3"].status == "done"
    results = [(x["data"]["result"], x["data"]["cause"], x["agent"]) for x in sink.rows
               if x["kind"] == kinds.OUTBOUND_RESULT]
    assert results == [("busy", 17, "a1"), ("busy", 17, "a1")]


async def test_dials_and_results_land_in_the_call_event_log(sqlite_engine: AsyncEngine) -> None:
    log = CallEventLog(sqlite_engine, ManualClock(NOON_SH))
    r = runner(log, [Record("3", "13800138000"), Record("4", "13700137000")])
    a, b = r.tick(Floor(now=NOON_SH, free=("a1", "a2")))
    r.result(a.call_id, DialResult.ANSWERED, NOON_SH + 8, cause=16)
    r.result(b.call_id, DialResult.ABANDONED, NOON_SH + 9, cause=16)
    await log.flush()
    async with sqlite_engine.connect() as conn:
        rows = (await conn.execute(select(CallEvent.kind, CallEvent.queue, CallEvent.data)
                                   .order_by(CallEvent.id))).all()
    assert [k for k, _, _ in rows] == [kinds.OUTBOUND_DIAL] * 2 + [kinds.OUTBOUND_RESULT] * 2
    answered = [d["result"] for k, q, d in rows if k == kinds.OUTBOUND_RESULT and q == "huifang"]
    assert answered.count("abandoned") / len(answered) == 0.5  # the auditable abandon rate


def test_an_uncounted_preview_offer_counts_its_attempt_only_when_dialed() -> None:
    sink = ListSink()
    r = runner(sink, [Record("a", "+8613800138000"), Record("b", "+8613800138001")])
    offered = r.tick(Floor(now=NOON_SH, free=("1001", "1002")), count=False)
    assert [o.record for o in offered] == ["a", "b"]
    assert r.records["a"].dials == [] and r.penetration() == 0.0
    assert [x for x in sink.rows if x["kind"] == kinds.OUTBOUND_DIAL] == []
    assert r.dialed_at(offered[0].call_id) is None
    r.dialed(offered[0].call_id, NOON_SH + 30.0, agent="1001")  # the agent clicked Dial
    assert r.records["a"].dials == [NOON_SH + 30.0]
    (row,) = [x for x in sink.rows if x["kind"] == kinds.OUTBOUND_DIAL]
    assert (row["call_id"], row["agent"], row["ts"]) == (offered[0].call_id, "1001", NOON_SH + 30.0)
    r.result(offered[1].call_id, DialResult.SKIPPED, NOON_SH + 40.0)  # skipped: no attempt
    assert r.records["b"].dials == [] and r.records["b"].status == "done"
    with pytest.raises(KeyError, match="awaiting its dial"):
        r.dialed(offered[0].call_id, NOON_SH + 50.0)  # counted once


def test_max_attempts_in_total_counts_a_record_s_earlier_runs_and_ends_it() -> None:
    sink = ListSink()
    comp = Compliance(DncList(), CallingHours.daily(time(9), time(21)), max_per_day=3, max_total=2)
    r = Runner("huifang", "+864008001234", ProgressivePacer(), comp,
               [Record("3", "13800138000", earlier=1), Record("4", "13700137000", earlier=2)], sink,
               retries={DialResult.BUSY: RetryRule(600.0, 5)})
    (d,) = r.tick(Floor(now=NOON_SH, free=("a1", "a2")))
    assert d.record == "3"  # 1 earlier attempt of 2; record 4 has had its 2
    assert r.records["4"].status == "refused"
    reasons = [x["data"]["reason"] for x in sink.rows if x["kind"] == kinds.OUTBOUND_REFUSED]
    assert reasons == ["max_total"]
    r.result(d.call_id, DialResult.BUSY, NOON_SH + 5, cause=17)  # the rule would retry it ...
    assert r.tick(Floor(now=NOON_SH + 605, free=("a1",))) == []  # ... the total does not
    assert r.records["3"].status == "refused"
