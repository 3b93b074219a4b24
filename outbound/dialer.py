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
                           Reason.UNKNOWN_ZONE, Reason.MAX_TOTAL})
RECHECK_S = 900.0


class EventSink(Protocol):
    """``hotline.eventlog.CallEventLog`` fits."""

    def log(self, call_id: str, kind: str, *, ts: float | None = None, **kw: Any) -> None: ...


@dataclass
class Record:
    """``earlier``: attempts made before this run (``dials`` are this run's); ``logged``:
    the times of the earlier runs' recent dials, from the call-event log, so the per-day
    limit counts them (``earlier`` counts them too; invariant ``len(logged) <= earlier``)."""

    id: str
    number: str
    status: str = "pending"  # pending, dialing, done, refused
    next_at: float = 0.0
    earlier: int = 0
    dials: list[float] = field(default_factory=list)
    results: list[DialResult] = field(default_factory=list)
    logged: list[float] = field(default_factory=list)

    def attempts(self) -> int:
        """Every attempt on this record, earlier runs' included."""
        return self.earlier + len(self.dials)


@dataclass(frozen=True)
class InFlight:
    """A dial an earlier process made whose result is not in the call-event log yet."""

    call_id: str
    record: str
    number: str
    dialed_at: float
    agent: str | None = None


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
        self._uncounted: set[str] = set()  # preview offers not dialed yet (no attempt)
        self._resumed: dict[str, float] = {}  # an earlier process's dials -> dialed at
        self._seq = 0

    def _next(self, now: float) -> Record | None:
        """The due pending record that passes compliance; refused ones are logged."""
        for rec in sorted(self.records.values(), key=lambda r: (r.next_at, r.id)):
            if rec.status != "pending" or rec.next_at > now:
                continue
            refused = self.compliance.may_dial(self.campaign, rec.number, now, rec.logged + rec.dials,
                                               rec.earlier - len(rec.logged))
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

    def tick(self, floor: Floor, *, router_reserves: bool = False,
             count: bool = True) -> list[Originate]:
        """``router_reserves``: the ACD's router picks the agent of each dial (live
        campaigns, ``outbound.live``), so the pacer's agents only count the dials.
        ``count=False`` (preview): the attempt is counted by :meth:`dialed` on the click."""
        out = []
        for dial in self.pacer.plan(floor):
            rec = self._next(floor.now)
            if rec is None:
                break
            out.append(self.dial(rec, None if router_reserves else dial.agent, floor.now,
                                 count=count))
        return out

    def dial(self, rec: Record, agent: str | None, now: float, *, count: bool = True) -> Originate:
        """Dial one record (preview: the clicked one, after ``may_dial``). ``count=False``:
        the record is only offered (preview); :meth:`dialed` counts the attempt later."""
        number = normalise(rec.number)
        self._seq += 1
        call_id = f"ob-{self.campaign}-{rec.id}-{self._seq}"
        rec.status = "dialing"
        self._calls[call_id] = (rec.id, agent)
        if count:
            self._count(call_id, agent, now)
        else:
            self._uncounted.add(call_id)
        return Originate(call_id, rec.id, number, self.caller_id, agent)

    def resume(self, call_id: str, record: str, dialed_at: float, agent: str | None = None) -> None:
        """A dial an earlier process made (its OUTBOUND_DIAL row has no OUTBOUND_RESULT yet)
        is in flight again: its :meth:`result` is logged once, and the record is not dialed
        again meanwhile. Later call ids continue after its sequence number. KeyError if the
        record is not in the list."""
        rec = self.records[record]
        rec.status = "dialing"
        self._calls[call_id] = (record, agent)
        self._resumed[call_id] = dialed_at
        seq = call_id.rpartition("-")[2]
        if seq.isdigit():
            self._seq = max(self._seq, int(seq))

    def continue_after(self, seq: int) -> None:
        """Number the next dials after ``seq`` (the highest an earlier process used), so a
        call id is never used twice for the same campaign."""
        self._seq = max(self._seq, seq)

    @property
    def seq(self) -> int:
        """The highest dial number used so far."""
        return self._seq

    def resumed(self) -> set[str]:
        """The dials of an earlier process still in flight here."""
        return {c for c in self._resumed if c in self._calls}

    def dialed(self, call_id: str, now: float, agent: str | None = None) -> None:
        """The uncounted (previewed) dial ``call_id`` is made now: count the attempt."""
        if call_id not in self._uncounted:
            raise KeyError(f"{call_id} is not a preview offer of campaign {self.campaign} awaiting its dial")
        self._uncounted.discard(call_id)
        self._count(call_id, agent, now)

    def _count(self, call_id: str, agent: str | None, now: float) -> None:
        rec_id, reserved = self._calls[call_id]
        rec = self.records[rec_id]
        rec.dials.append(now)
        self.sink.log(call_id, kinds.OUTBOUND_DIAL, ts=now, queue=self.campaign,
                      agent=agent or reserved,
                      data={"record": rec.id, "number": normalise(rec.number),
                            "caller_id": self.caller_id})

    def result(self, call_id: str, result: DialResult, now: float, cause: int | None = None,
               agent: str | None = None, why: str | None = None,
               details: Mapping[str, Any] | None = None) -> float | None:
        """Record a dial's outcome; returns when the record is due again (None: finished).
        ``details`` go into the row's data (an agentless dial's survey answers)."""
        if call_id not in self._calls:
            raise KeyError(f"{call_id} is not a dial of campaign {self.campaign}")
        rec_id, reserved = self._calls.pop(call_id)
        self._uncounted.discard(call_id)  # a skipped preview was never an attempt
        self._resumed.pop(call_id, None)
        rec = self.records[rec_id]
        self.sink.log(call_id, kinds.OUTBOUND_RESULT, ts=now, queue=self.campaign,
                      agent=agent or reserved,
                      data={"record": rec_id, "number": rec.number, "result": result.value,
                            "cause": cause, **({"why": why} if why else {}),
                            **(dict(details) if details else {})})
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

    def dialed_at(self, call_id: str) -> float | None:
        """When the dial ``call_id`` (still in flight) was made."""
        rec = self._calls.get(call_id)
        if rec is None or call_id in self._uncounted:
            return None
        if call_id in self._resumed:
            return self._resumed[call_id]
        return self.records[rec[0]].dials[-1]

    def penetration(self) -> float:
        """Share of the list's records dialed at least once."""
        return sum(1 for r in self.records.values() if r.attempts()) / len(self.records) if self.records else 0.0
