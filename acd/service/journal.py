"""Queue events written to the call-event log, with queue_log's data fields by name
(see :mod:`acd.queue_log`). Every row of a call carries its queue so per-queue reports
can count distinct calls."""

from __future__ import annotations

from typing import Any

from acd.service.calls import LiveCall
from hotline import kinds
from hotline.eventlog import CallEventLog

# A call that reached an agent outside an offer (transfer, conference; acd.service.takes).
# Not queue_log verbs: for app_queue the queue call ended at the transfer.
TAKECALL = "TAKECALL"
TAKECOMPLETE = "TAKECOMPLETE"


class Journal:
    def __init__(self, log: CallEventLog) -> None:
        self.log = log

    def _row(self, call: LiveCall | None, kind: str, at: float, *, call_id: str | None = None,
             queue: str | None = None, agent: str | None = None, **data: Any) -> None:
        self.log.log(call_id or (call.call_id if call else "NONE"), kind, ts=at,
                     uniqueid=call.uniqueid if call else None,
                     queue=queue or (call.queue if call else None), agent=agent,
                     data={k: v for k, v in data.items()})

    def enterqueue(self, call: LiveCall, at: float, position: int) -> None:
        r = call.request
        self._row(call, kinds.ENTERQUEUE, at, url="", callerid=r.caller_num, position=position,
                  caller_name=r.caller_name, priority=r.priority, skills=list(r.skills),
                  ivr_path=list(r.ivr_path))

    def connect(self, call: LiveCall, at: float) -> None:
        self._row(call, kinds.CONNECT, at, agent=call.agent, holdtime=int(call.holdtime()),
                  bridged_uniqueid=call.leg or "", ringtime=int(max(0.0, at - call.offered_at)))

    def ringnoanswer(self, call: LiveCall, agent: str, at: float, why: str) -> None:
        self._row(call, kinds.RINGNOANSWER, at, agent=agent,
                  ringtime_ms=int(max(0.0, at - call.offered_at) * 1000), why=why)

    def complete(self, call: LiveCall, at: float, by: str) -> None:
        if call.taken is not None:
            self.take_complete(call.call_id, call.queue, call.agent or "", at, call.talk_s(at),
                               call.hold_s, by, call.taken, uniqueid=call.uniqueid)
            return
        kind = kinds.COMPLETEAGENT if by == "agent" else kinds.COMPLETECALLER
        self._row(call, kind, at, agent=call.agent, holdtime=int(call.holdtime()),
                  calltime=int(call.talk_s(at)), origposition=call.origposition,
                  hold_s=round(call.hold_s, 3))

    def left(self, call: LiveCall, at: float, why: str, position: int, to: str = "",
             key: str = "") -> None:
        kind = {"abandon": kinds.ABANDON, "timeout": kinds.EXITWITHTIMEOUT,
                "empty": kinds.EXITEMPTY, "key": kinds.EXITWITHKEY}.get(why, "FULL")
        extra: dict[str, Any] = {"key": key} if why == "key" else {}
        self._row(call, kind, at, position=position, origposition=call.origposition,
                  waittime=int(max(0.0, at - call.enqueued_at)), to=to, **extra)

    def transfer(self, call: LiveCall, at: float, kind: str, target: str, context: str) -> None:
        verb = kinds.ATTENDEDTRANSFER if kind == "attended" else kinds.BLINDTRANSFER
        common: dict[str, Any] = dict(holdtime=int(call.holdtime()), calltime=int(call.talk_s(at)),
                      origposition=call.origposition, hold_s=round(call.hold_s, 3))
        if verb == kinds.ATTENDEDTRANSFER:
            self._row(call, verb, at, agent=call.agent, method="BRIDGE", target=target, **common)
        else:
            self._row(call, verb, at, agent=call.agent, extension=target, context=context, **common)

    def take(self, call: LiveCall, agent: str, at: float, via: str, taken_from: str | None,
             leg: str) -> None:
        self._row(call, TAKECALL, at, agent=agent, via=via, taken_from=taken_from or "", leg=leg)

    def take_complete(self, call_id: str, queue: str, agent: str, at: float, talk_s: float,
                      hold_s: float, by: str, via: str, uniqueid: str | None = None) -> None:
        self.log.log(call_id, TAKECOMPLETE, ts=at, uniqueid=uniqueid, queue=queue, agent=agent,
                     data={"calltime": int(talk_s), "hold_s": round(hold_s, 3), "by": by,
                           "via": via})

    def member(self, agent: str, queue: str, at: float, kind: str, reason: str = "") -> None:
        self._row(None, kind, at, queue=queue, agent=agent, reason=reason)

    def agent_state(self, agent: str, at: float, state: str, previous: str, reason: str | None,
                    call_id: str | None) -> None:
        self._row(None, kinds.AGENTSTATE, at, agent=agent, state=state, previous=previous,
                  reason=reason or "", call_of=call_id or "")

    def wrap_up(self, call_id: str, queue: str | None, agent: str, at: float,
                disposition: str, notes: str, ticket_ref: str | None) -> None:
        self._row(None, "WRAPUP", at, call_id=call_id, queue=queue, agent=agent,
                  disposition=disposition, notes=notes, ticket_ref=ticket_ref)

    def note(self, call: LiveCall, kind: str, at: float, **data: Any) -> None:
        self._row(call, kind, at, **data)
