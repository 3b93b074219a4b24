"""Asterisk ``queue_log`` export of the call-event log.

One line per queue event, exactly as Asterisk's app_queue writes them::

    1366720340|1366720340.303267|sales|agent1001|CONNECT|12|hotline-agentleg-c1-1|3

``epoch|callid|queue|agent|VERB|data1|data2|...`` with ``NONE`` for a missing queue or
agent. The data fields per verb follow app_queue (times in whole seconds, except
RINGNOANSWER which Asterisk writes in milliseconds):

=================  ==========================================================
ENTERQUEUE         url | callerid | position
CONNECT            holdtime | bridged channel uniqueid | ringtime
COMPLETECALLER     holdtime | calltime | origposition   (same for COMPLETEAGENT)
ABANDON            position | origposition | waittime   (same for EXITWITHTIMEOUT,
                                                         EXITEMPTY)
EXITWITHKEY        key | position | origposition | waittime
RINGNOANSWER       ringtime in ms
TRANSFER           extension | context | holdtime | calltime | origposition
BLINDTRANSFER      extension | context | holdtime | calltime | origposition
ATTENDEDTRANSFER   BRIDGE | target | holdtime | calltime | origposition
PAUSE / UNPAUSE    reason
ADDMEMBER / REMOVEMEMBER   (one empty field)
=================  ==========================================================

``holdtime`` is Asterisk's: the time the caller waited in the queue before the agent
answered (not time on hold during the talk). The ACD stores these fields by name in
``call_events.data`` (see :data:`FIELDS`); this module only formats them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline import kinds
from hotline.db import CallEvent

_WAIT = ("position", "origposition", "waittime")
_XFER = ("extension", "context", "holdtime", "calltime", "origposition")
_DONE = ("holdtime", "calltime", "origposition")

# The names, in order, of each verb's data fields in call_events.data.
FIELDS: dict[str, tuple[str, ...]] = {
    kinds.ENTERQUEUE: ("url", "callerid", "position"),
    kinds.CONNECT: ("holdtime", "bridged_uniqueid", "ringtime"),
    kinds.COMPLETECALLER: _DONE,
    kinds.COMPLETEAGENT: _DONE,
    kinds.ABANDON: _WAIT,
    kinds.EXITWITHTIMEOUT: _WAIT,
    kinds.EXITEMPTY: _WAIT,
    kinds.EXITWITHKEY: ("key", *_WAIT),
    kinds.RINGNOANSWER: ("ringtime_ms",),
    kinds.TRANSFER: _XFER,
    kinds.BLINDTRANSFER: _XFER,
    kinds.ATTENDEDTRANSFER: ("method", "target", "holdtime", "calltime", "origposition"),
    kinds.PAUSE: ("reason",),
    kinds.UNPAUSE: ("reason",),
    kinds.ADDMEMBER: ("",),
    kinds.REMOVEMEMBER: ("",),
}


def _field(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        value = int(value)
    # A pipe or a newline inside a value would shift every later column.
    return str(value).replace("|", "_").replace("\n", " ").replace("\r", " ")


def format_line(ts: float, call_id: str, queue: str | None, agent: str | None, verb: str,
                data: Mapping[str, Any]) -> str:
    """One queue_log line (without the newline)."""
    names = FIELDS.get(verb, ())
    head = [str(int(ts)), _field(call_id) or "NONE", _field(queue) or "NONE",
            _field(agent) or "NONE", verb]
    return "|".join(head + [_field(data.get(n)) if n else "" for n in names])


async def export_queue_log(engine: AsyncEngine, out: TextIO, since: float | None = None,
                           until: float | None = None) -> int:
    """Write the queue events with ``since <= ts < until`` to ``out``; returns the count."""
    stmt = (select(CallEvent.ts, CallEvent.call_id, CallEvent.queue, CallEvent.agent,
                   CallEvent.kind, CallEvent.data)
            .where(CallEvent.kind.in_(sorted(FIELDS)))
            .order_by(CallEvent.ts, CallEvent.id))
    if since is not None:
        stmt = stmt.where(CallEvent.ts >= since)
    if until is not None:
        stmt = stmt.where(CallEvent.ts < until)
    n = 0
    async with engine.connect() as conn:
        result = await conn.stream(stmt)
        async for ts, call_id, queue, agent, kind, data in result:
            out.write(format_line(ts, call_id, queue, agent, kind, data or {}) + "\n")
            n += 1
    return n
