"""The campaign runner's core: which record to dial for each pacer dial, compliance at
dial time, retries per result, and the call-event log rows. Pure and synchronous: the
caller passes the floor and the time, executes the returned ``Originate``s (AMI or the
sim) and reports each result back with ``result``.

Every dial, result (with the hang-up cause) and refusal (with its reason) is written to
the event log as ``OUTBOUND_*`` rows with ``queue`` = the campaign, so the abandon rate
is recomputed from the log, not from this object's memory.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from hotline import kinds
from outbound.compliance import (
    DEFAULT_RETRIES,
    Compliance,
    DialResult,
    Reason,
    RetryRule,
    next_attempt,
    normalise,
)
from outbound.pacing import Floor, Pacer

# Refusals that will never clear for this record; the others (hours, attempts) wait.
FINAL_REASONS = frozenset({Reason.INVALID_NUMBER, Reason.DNC_GLOBAL, Reason.DNC_CAMPAIGN,
                           Reason.UNKNOWN_ZONE})
RECHECK_S = 900.0


class EventSink(Protocol):
    """``hotline.eventlog.CallEventLog`` fits."""

    def log(self, call_id: str, kind: str, *, ts: float | None = None, **kw: Any) -> None: ...


@dataclass
class Record:
    id: str
    number: str
    status: str = "pending"  # pending, dialing, done, refused
    next_at: float = 0.0
    dials: list[float] = field(default_factory=list)
    results: list[DialResult] = field(default_factory=list)


@dataclass(frozen=True)
class Originate:
    call_id: str
    record: str
    number: str
    caller_id: str
    agent: str | None


class Runner:
    def __init__(self, campaign: str, caller_id: str, pacer: Pacer, compliance: Compliance,
                 records: list[Record], sink: EventSink,
                 retries: Mapping[DialResult, RetryRule] = DEFAULT_RETRIES) -> None:
        self.campaign = campaign
        self.caller_id = caller_id
        self.pacer = pacer
        self.compliance = compliance
        self.records = {r.id: r for r in records}
        self.sink = sink
        self.retries = retries
        self._calls: dict[str, tuple[str, str | None]] = {}
        self._seq = 0

    def _next(self, now: float) -> Record | None:
        """The due pending record that passes compliance; refused ones are logged."""
        for rec in sorted(self.records.values(), key=lambda r: (r.next_at, r.id)):
            if rec.status != "pending" or rec.next_at > now:
                continue
            refused = self.compliance.may_dial(self.campaign, rec.number, now, rec.dials)
            if refused is None:
                return rec
            self.sink.log(f"{self.campaign}-{rec.id}", kinds.OUTBOUND_REFUSED, ts=now,
                          queue=self.campaign,
                          data={"record": rec.id, "number": rec.number,
                                "reason": refused.reason.value, "detail": refused.detail})
            if refused.reason in FINAL_REASONS:
                rec.status = "refused"
            else:
                rec.next_at = now + RECHECK_S
        return None

    def tick(self, floor: Floor, *, router_reserves: bool = False) -> list[Originate]:
        """``router_reserves``: the ACD's router picks the agent of each dial (live
        campaigns, ``outbound.live``), so the pacer's agents only count the dials."""
        out = []
        for dial in self.pacer.plan(floor):
            rec = self._next(floor.now)
            if rec is None:
                break
            out.append(self.dial(rec, None if router_reserves else dial.agent, floor.now))
        return out

    def dial(self, rec: Record, agent: str | None, now: float) -> Originate:
        """Dial one record (preview: the clicked one, after ``may_dial``)."""
        number = normalise(rec.number)
        self._seq += 1
        call_id = f"ob-{self.campaign}-{rec.id}-{self._seq}"
        rec.status = "dialing"
        rec.dials.append(now)
        self._calls[call_id] = (rec.id, agent)
        self.sink.log(call_id, kinds.OUTBOUND_DIAL, ts=now, queue=self.campaign, agent=agent,
                      data={"record": rec.id, "number": number, "caller_id": self.caller_id})
        return Originate(call_id, rec.id, number, self.caller_id, agent)

    def result(self, call_id: str, result: DialResult, now: float, cause: int | None = None,
               agent: str | None = None) -> float | None:
        """Record a dial's outcome; returns when the record is due again (None: finished)."""
        if call_id not in self._calls:
            raise KeyError(f"{call_id} is not a dial of campaign {self.campaign}")
        rec_id, reserved = self._calls.pop(call_id)
        rec = self.records[rec_id]
        self.sink.log(call_id, kinds.OUTBOUND_RESULT, ts=now, queue=self.campaign,
                      agent=agent or reserved,
                      data={"record": rec_id, "number": rec.number, "result": result.value,
                            "cause": cause})
        again = next_attempt(result, now, rec.results, self.retries)
        rec.results.append(result)
        if again is None:
            rec.status = "done"
        else:
            rec.status, rec.next_at = "pending", again
        return again

    def next_due(self, now: float) -> float | None:
        """The earliest time after ``now`` a pending record becomes due (retries, hours)."""
        later = [r.next_at for r in self.records.values() if r.status == "pending" and r.next_at > now]
        return min(later) if later else None

    def in_flight(self) -> int:
        return len(self._calls)

    def penetration(self) -> float:
        """Share of the list's records dialed at least once."""
        return sum(1 for r in self.records.values() if r.dials) / len(self.records) if self.records else 0.0
