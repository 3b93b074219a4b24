"""Reconciliation with Asterisk: its CDRs (``report_cdrs``) against our call-event log.

``await reconcile(engine, since, until)`` answers two questions for a time range:

* ``missing_in_ours``: CDRs (start in the range) that no call of ours knows;
* ``missing_in_asterisk``: our calls' caller legs (a ``CHAN_START`` of a trunk channel
  in the range) that have no CDR;

and ``matched``: every other CDR with the call it belongs to. The goal is
``unexplained == 0``: each unmatched item gets a reason when one can be named from the
data (table below); what remains is unexplained and is a loss to look into.

How a CDR finds its call. A CDR's ``uniqueid`` is its party A channel's (the caller's
own CDR, or an originated agent leg's, ami-13). Our log's rows carry the uniqueid and
linkedid of the channel they are about, and the ``call_id`` we gave the call (the
linkedid before the IVR set ``HOTLINE_CALL_ID``, our id after; an agent leg's rows
before it joined the caller are under its own linkedid, then a ``MERGE`` row ties them
to the caller's call). So the rows are joined into calls through any shared uniqueid,
linkedid or call_id, and a CDR belongs to the call that knows its uniqueid (or, from a
Master.csv with ``newcdrcolumns``, its linkedid). Its disposition does not matter (a
``NO ANSWER`` CDR is matched like any other).

=========================  ==============================================================
reason                     when
=========================  ==============================================================
``still_up``               (our leg) no HANGUP logged: Asterisk writes a CDR at hangup
``never_answered``         (our leg) never answered: cdr.conf ``unanswered = no`` logs none
``no_cdrs_then``           (our leg) no CDR at all from its start to its end: the CDR feed
                           (cdr_manager, or the Master.csv import) does not cover that time
``not_via_hotline``        (CDR) no channel of it (channel, dstchannel, lastdata) is on
                           our trunk (an internal call)
``log_gap``                (CDR) our log has no row at all from its start to its end: the
                           backend was down or not connected to AMI then
=========================  ==============================================================

Rows are read from ``margin_s`` before ``since`` to ``margin_s`` after ``until``: a
CDR that starts in the range can belong to a call that started before it (an agent leg's
second CDR starts at the bridge), and CDR times are whole seconds.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.db import CallEvent
from reports.cdrs import Cdr, CsvImport, load_cdrs, parse_cdr_event, read_master_csv

__all__ = ["CsvImport", "Match", "Reconciliation", "Unmatched", "parse_cdr_event",
           "read_master_csv", "reconcile"]

REASONS = {
    "still_up": "no hangup logged yet: Asterisk writes the CDR when the channel hangs up",
    "never_answered": "never answered: Asterisk logs no CDR for it (cdr.conf unanswered = no)",
    "no_cdrs_then": "no CDR at all from its start to its end: the CDR feed does not cover that time",
    "not_via_hotline": "none of its channels is on the hotline trunk: not a call through us",
    "log_gap": "our call-event log has no row from its start to its end: the backend was down",
}
_CDR_SLACK_S = 1.0  # CDR times are truncated to the second


@dataclass(frozen=True, slots=True)
class Match:
    cdr: Cdr
    call_id: str
    leg: str  # "caller" | "agent" | "other" (a channel of ours that is neither)
    by: str  # "uniqueid" | "linkedid"

    def as_dict(self) -> dict[str, Any]:
        return {"cdr": self.cdr.as_dict(), "call_id": self.call_id, "leg": self.leg, "by": self.by}


@dataclass(frozen=True, slots=True)
class Unmatched:
    """A CDR no call of ours knows, or a caller leg of ours without a CDR."""

    uniqueid: str
    at: float
    channel: str
    call_id: str | None  # ours (missing_in_asterisk)
    reason: str | None  # a key of REASONS, None = unexplained
    cdr: Cdr | None = None  # theirs (missing_in_ours)

    @property
    def explanation(self) -> str | None:
        return REASONS.get(self.reason) if self.reason else None

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["cdr"] = self.cdr.as_dict() if self.cdr is not None else None
        d["explanation"] = self.explanation
        return d


@dataclass(frozen=True, slots=True)
class Reconciliation:
    since: float
    until: float
    matched: tuple[Match, ...]
    missing_in_ours: tuple[Unmatched, ...]
    missing_in_asterisk: tuple[Unmatched, ...]

    @property
    def unexplained(self) -> int:
        return sum(1 for u in (*self.missing_in_ours, *self.missing_in_asterisk) if u.reason is None)

    def as_dict(self) -> dict[str, Any]:
        return {"since": self.since, "until": self.until, "matched": len(self.matched),
                "unexplained": self.unexplained,
                "missing_in_ours": [u.as_dict() for u in self.missing_in_ours],
                "missing_in_asterisk": [u.as_dict() for u in self.missing_in_asterisk],
                "matches": [m.as_dict() for m in self.matched]}


class _Calls:
    """Union-find over the ids of the log's rows: one component per call."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        root = x
        while (up := self.parent.setdefault(root, root)) != root:
            root = up
        while x != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def join(self, ids: Iterable[str]) -> None:
        first: str | None = None
        for x in ids:
            if first is None:
                first = self.find(x)
            else:
                self.parent[self.find(x)] = first

    def known(self, x: str) -> bool:
        return x in self.parent


@dataclass(frozen=True, slots=True)
class _Leg:
    uniqueid: str
    call_id: str
    channel: str
    start: float
    answered: bool
    end: float | None


def _ids(call_id: str, uniqueid: str | None, linkedid: str | None) -> Iterator[str]:
    yield "c:" + call_id
    if uniqueid:
        yield "u:" + uniqueid
    if linkedid:
        yield "l:" + linkedid


async def reconcile(engine: AsyncEngine, since: float, until: float, *,
                    trunk: str = "hotline-trunk", margin_s: float = 4 * 3600.0) -> Reconciliation:
    """Match the CDRs starting in ``[since, until)`` with our calls (see module doc)."""
    lo, hi = since - margin_s, until + margin_s
    cdrs = await load_cdrs(engine, lo, hi)
    q = select(CallEvent.ts, CallEvent.call_id, CallEvent.uniqueid, CallEvent.linkedid,
               CallEvent.kind, CallEvent.data).where(
        CallEvent.ts >= lo, CallEvent.ts < hi,
        or_(CallEvent.uniqueid.is_not(None), CallEvent.linkedid.is_not(None)))
    async with engine.connect() as conn:
        rows = (await conn.execute(q.order_by(CallEvent.ts, CallEvent.id))).all()

    calls = _Calls()
    trunk_prefix = f"PJSIP/{trunk}-"
    legs: dict[str, _Leg] = {}  # our caller legs by uniqueid
    leg_kind: dict[str, str] = {}  # uniqueid -> "caller" | "agent" (from its CHAN_START)
    answered: set[str] = set()
    ended: dict[str, float] = {}
    log_times: list[float] = []
    # our id of a call: a call_id that is not an Asterisk id (HOTLINE_CALL_ID), else any
    asterisk_ids: set[str] = set()
    for ts, call_id, uid, lid, kind, data in rows:
        calls.join(_ids(call_id, uid, lid))
        log_times.append(ts)
        asterisk_ids.update(x for x in (uid, lid) if x)
        if kind == "CHAN_START" and uid:
            channel = str((data or {}).get("channel", ""))
            leg_kind[uid] = "caller" if channel.startswith(trunk_prefix) else "agent"
            if channel.startswith(trunk_prefix) and uid not in legs:
                legs[uid] = _Leg(uid, call_id, channel, ts, False, None)
        elif kind == "ANSWER" and uid:
            answered.add(uid)
        elif kind == "HANGUP" and uid:
            ended.setdefault(uid, ts)

    names: dict[str, str] = {}  # component root -> our call id
    for _ts, call_id, *_ in rows:
        root = calls.find("c:" + call_id)
        if call_id not in asterisk_ids or root not in names:
            names[root] = call_id

    def call_of(cdr: Cdr) -> tuple[str, str] | None:
        for key, by in (("u:" + cdr.uniqueid, "uniqueid"), ("l:" + (cdr.linkedid or ""), "linkedid")):
            if calls.known(key):
                return names[calls.find(key)], by
        return None

    def any_between(times: list[float], start: float, end: float) -> bool:
        i = bisect.bisect_left(times, start)
        return i < len(times) and times[i] <= end

    matched: list[Match] = []
    missing_in_ours: list[Unmatched] = []
    cdr_uids: set[str] = set()
    for cdr in cdrs:
        cdr_uids.add(cdr.uniqueid)
        if not since <= cdr.start < until:
            continue
        found = call_of(cdr)
        if found is not None:
            kind = leg_kind.get(cdr.uniqueid, "caller" if cdr.channel.startswith(trunk_prefix) else "other")
            matched.append(Match(cdr, found[0], kind, found[1]))
            continue
        if not any(trunk_prefix in x for x in (cdr.channel, cdr.dstchannel, cdr.lastdata)):
            reason: str | None = "not_via_hotline"
        elif not any_between(log_times, cdr.start - 60.0, cdr.end + 60.0):
            reason = "log_gap"
        else:
            reason = None
        missing_in_ours.append(Unmatched(cdr.uniqueid, cdr.start, cdr.channel, None, reason, cdr))

    cdr_starts = sorted(c.start for c in cdrs)
    missing_in_asterisk: list[Unmatched] = []
    for uid, leg in legs.items():
        if not since <= leg.start < until or uid in cdr_uids:
            continue
        end = ended.get(uid)
        if end is None:
            reason = "still_up"
        elif uid not in answered:
            reason = "never_answered"
        elif not any_between(cdr_starts, leg.start - _CDR_SLACK_S, end + _CDR_SLACK_S):
            reason = "no_cdrs_then"
        else:
            reason = None
        call_id = names.get(calls.find("u:" + uid), leg.call_id)
        missing_in_asterisk.append(Unmatched(uid, leg.start, leg.channel, call_id, reason))
    return Reconciliation(since, until, tuple(matched), tuple(missing_in_ours),
                          tuple(missing_in_asterisk))
