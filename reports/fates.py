"""One fate per call, read back from the call-event log (``call_events``).

Every call gets exactly one fate; :func:`fate_of` is pure and sorts the rows of a call
by ``(ts, id)`` itself, so any order of rows gives the same fate. Rules are tried in the
order of the table (first match wins), which is what makes the fate unique.

=================  ==========  =====================  ==============================================
fate               zh          en                     rows that decide it
=================  ==========  =====================  ==============================================
answered           已接听       Answered               a CONNECT (or TAKECALL); ``agent`` and ``wait``
                                                      (CONNECT ``holdtime``) are kept
transferred_out    转出         Transferred out        IVR_EXIT ``to=transfer`` and never a CONNECT
blacklisted        黑名单       Blacklisted            IVR_EXIT ``to=hangup`` at a node named in
                                                      ``blacklist_nodes`` (default ``blacklisted``)
after_hours        非工作时间    After hours            IVR_EXIT ``to`` voicemail / callback / hangup
                                                      and the call never entered a queue
exit_key           按键离队      Left by key            EXITWITHKEY
queue_timeout      排队超时      Queue timeout          EXITWITHTIMEOUT
queue_full         队列已满      Queue full             FULL (journal ``left`` with an unknown why)
queue_empty        无坐席        No agents              EXITEMPTY
short_abandon      短时放弃      Short abandon          ABANDON with ``waittime`` < ``short_s`` (5 s)
ring_abandon       振铃时放弃    Abandoned while ringing ABANDON while an agent leg was ringing
queue_abandon      排队放弃      Queue abandon          any other ABANDON
ivr_abandon        IVR 中放弃    IVR abandon            IVR_HANGUP (``node`` kept), no queue row
system_failure     系统故障      System failure         anything else (no IVR exit, no queue verdict)
=================  ==========  =====================  ==============================================

A call may have rows under more than one ``call_id``: the tracker files a channel's rows
under its linkedid until the IVR sets ``HOTLINE_CALL_ID`` (a caller who hangs up in the
menu never gets it), and an originated agent leg's under its own id until it joins the
caller. :func:`join_calls` folds such a channel id into the call whose rows name that
channel (their ``uniqueid``), so one call is one fate, never plus a phantom
system_failure.

What the log cannot tell apart (say so rather than guess):

* **ring_abandon**: the ABANDON row carries no ringing flag (the bus event has
  ``while_ringing``, the row does not). We call it ringing when a DIAL row of the call
  (pbx.calllog, agent leg) is still open at the ABANDON: no DIAL_END for that leg before it.
  Without pbx rows (a log from the ACD alone) a ring abandon reads as queue_abandon.
* **after_hours vs. an IVR's own voicemail/callback menu**: the IVR does not log the result
  of an ``open``/``holiday`` test, so any IVR exit to voicemail/callback/hangup that never
  queued is after_hours.
* **blacklisted**: only by the node name (configurable), the test result is not logged.
* **queue_full**: the journal writes ``FULL`` for any ``left`` reason it does not know.
* Overflow (ABANDON-less exit ``to=overflow:Q``) is not a fate: the call goes on in the
  next queue and the later rows decide.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline import kinds
from hotline.db import CallEvent

LABELS: dict[str, tuple[str, str]] = {
    "answered": ("已接听", "Answered"),
    "transferred_out": ("转出", "Transferred out"),
    "blacklisted": ("黑名单", "Blacklisted"),
    "after_hours": ("非工作时间", "After hours"),
    "exit_key": ("按键离队", "Left by key"),
    "queue_timeout": ("排队超时", "Queue timeout"),
    "queue_full": ("队列已满", "Queue full"),
    "queue_empty": ("无坐席", "No agents"),
    "short_abandon": ("短时放弃", "Short abandon"),
    "ring_abandon": ("振铃时放弃", "Abandoned while ringing"),
    "queue_abandon": ("排队放弃", "Queue abandon"),
    "ivr_abandon": ("IVR 中放弃", "IVR abandon"),
    "system_failure": ("系统故障", "System failure"),
}
FATES = tuple(LABELS)
_LEFT = {kinds.EXITWITHKEY: "exit_key", kinds.EXITWITHTIMEOUT: "queue_timeout",
         "FULL": "queue_full", kinds.EXITEMPTY: "queue_empty"}


@dataclass(frozen=True, slots=True)
class Row:
    """The fields of a ``call_events`` row a fate needs."""
    id: int
    ts: float
    kind: str
    queue: str | None = None
    agent: str | None = None
    uniqueid: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Fate:
    fate: str
    queue: str | None = None
    agent: str | None = None
    wait: float | None = None
    node: str | None = None

    @property
    def zh(self) -> str:
        return LABELS[self.fate][0]

    @property
    def en(self) -> str:
        return LABELS[self.fate][1]


def _open_dial(rows: list[Row], upto: int) -> bool:
    open_legs: set[str | None] = set()
    for r in rows[:upto]:
        if r.kind == "DIAL":
            open_legs.add(r.uniqueid)
        elif r.kind == "DIAL_END":
            open_legs.discard(r.uniqueid)
    return bool(open_legs)


def fate_of(rows: Iterable[Row], short_s: float = 5.0,
            blacklist_nodes: frozenset[str] = frozenset({"blacklisted"})) -> Fate:
    """The one fate of a call from all its rows, in any order."""
    rs = sorted(rows, key=lambda r: (r.ts, r.id))
    for r in rs:
        if r.kind in (kinds.CONNECT, "TAKECALL"):
            hold = r.data.get("holdtime")
            return Fate("answered", r.queue, r.agent,
                        float(hold) if isinstance(hold, (int, float)) else None)
    queued = any(r.kind == kinds.ENTERQUEUE for r in rs)
    for r in rs:
        if r.kind == "IVR_EXIT":
            to, node = r.data.get("to"), r.data.get("node")
            if to == "transfer":
                return Fate("transferred_out", r.queue, node=node)
            if to == "hangup" and node in blacklist_nodes:
                return Fate("blacklisted", r.queue, node=node)
            if to in ("voicemail", "callback", "hangup") and not queued:
                return Fate("after_hours", r.queue, node=node)
    for i in range(len(rs) - 1, -1, -1):  # the last queue verdict decides (overflow goes on)
        r = rs[i]
        wait = r.data.get("waittime")
        w = float(wait) if isinstance(wait, (int, float)) else None
        if r.kind in _LEFT:
            return Fate(_LEFT[r.kind], r.queue, wait=w)
        if r.kind == kinds.ABANDON:
            if w is not None and w < short_s:
                return Fate("short_abandon", r.queue, wait=w)
            if _open_dial(rs, i):
                return Fate("ring_abandon", r.queue, wait=w)
            return Fate("queue_abandon", r.queue, wait=w)
    for r in rs:
        if r.kind == "IVR_HANGUP":
            return Fate("ivr_abandon", r.queue, node=r.data.get("node"))
    return Fate("system_failure")


def join_ids(uniqueids: Mapping[str, Iterable[str | None]]) -> dict[str, list[str]]:
    """Call ids grouped into calls: ``uniqueids`` maps each call id to the ``uniqueid`` of
    its rows. A call id that is the uniqueid of a row filed under another call id is that
    channel's id, not a call's, and joins that call (chains followed, never a cycle).
    Returns root call id -> the call ids folded into it (itself first). Pure."""
    parent: dict[str, str] = {}

    def root(c: str) -> str:
        while c in parent:
            c = parent[c]
        return c

    for cid in sorted(uniqueids):
        for u in sorted({x for x in uniqueids[cid] if x}):
            if u != cid and u in uniqueids and u not in parent and root(cid) != u:
                parent[u] = cid
    groups: dict[str, list[str]] = {}
    for cid in sorted(uniqueids):
        r = root(cid)
        groups.setdefault(r, [r] if r != cid else [])
        groups[r].append(cid)
    return {r: [r] + sorted(set(ids) - {r}) for r, ids in groups.items()}


def join_calls(rows: Iterable[tuple[str, Row]]) -> dict[str, list[Row]]:
    """``(call_id, row)`` pairs grouped into calls, keyed by the call's own id
    (:func:`join_ids`). Pure, and the same for any order of the pairs."""
    by_id: dict[str, list[Row]] = {}
    for cid, r in rows:
        by_id.setdefault(cid, []).append(r)
    groups = join_ids({cid: [r.uniqueid for r in rs] for cid, rs in by_id.items()})
    return {root: [r for cid in ids for r in by_id[cid]] for root, ids in groups.items()}


async def fates(engine: AsyncEngine, since: float | None = None, until: float | None = None,
                short_s: float = 5.0) -> dict[str, Fate]:
    """call_id -> fate for every call with a row in ``[since, until)`` (all its rows read;
    a channel's own id folded into its call, see :func:`join_calls`)."""
    ids = select(CallEvent.call_id).distinct()
    if since is not None:
        ids = ids.where(CallEvent.ts >= since)
    if until is not None:
        ids = ids.where(CallEvent.ts < until)
    stmt = select(CallEvent).where(CallEvent.call_id.in_(ids.scalar_subquery()),
                                   CallEvent.call_id != "NONE")
    async with engine.connect() as conn:
        pairs = [(e.call_id, Row(e.id, e.ts, e.kind, e.queue, e.agent, e.uniqueid, e.data or {}))
                 for e in (await conn.execute(stmt)).all()]
    return {cid: fate_of(rows, short_s) for cid, rows in sorted(join_calls(pairs).items())}
