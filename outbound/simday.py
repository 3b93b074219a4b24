"""A discrete-event simulated dialing day for the pacers: no sockets, no sleeps, seeded.

Callees answer live with ``p_live``, by machine with ``p_machine``, are busy with ``p_busy``,
else ring out after ``no_answer_s``. A live answer that no agent takes within
``connect_window_s`` (2 s, the regulators' definition; 0 = an agent must be free at the
answer) is an abandon. Machines are detected and hung up. Used by the pacing tests and by
``bench/outbound.py``; the full-stack path over ``pbx/sim`` is separate.
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass, field

from outbound.pacing import (
    AbandonLedger,
    BusyAgent,
    DialStats,
    Floor,
    Pacer,
    PredictivePacer,
    ProgressivePacer,
)


@dataclass(frozen=True)
class Callees:
    p_live: float = 0.30
    p_machine: float = 0.10
    p_busy: float = 0.10
    answer_delay_s: tuple[float, float] = (4.0, 15.0)
    no_answer_s: float = 25.0
    busy_s: float = 3.0
    talk_mean_s: float = 90.0
    wrap_s: float = 15.0
    # A person who answers is an abandon if no agent takes the call within this many
    # seconds of the answer (Ofcom and the US TSR: two seconds after the greeting; 0 is
    # the strictest reading: an agent must be free at the answer).
    connect_window_s: float = 2.0


@dataclass
class DayResult:
    mode: str
    agents: int
    seconds: float
    dials: int = 0
    live: int = 0
    abandoned: int = 0
    talk_s: float = 0.0
    worst_abandon_rate: float = 0.0
    records_left: int = 0
    unbound_progressive_dials: int = 0
    rates: list[float] = field(default_factory=list)

    @property
    def utilisation(self) -> float:
        return self.talk_s / (self.agents * self.seconds)

    @property
    def abandon_rate(self) -> float:
        return self.abandoned / self.live if self.live else 0.0


def run_day(mode: str, agents: int = 20, records: int = 10_000, seconds: float = 8 * 3600.0,
            callees: Callees | None = None, seed: int = 1, cap: float = 0.03) -> DayResult:
    c = callees or Callees()
    rng = random.Random(seed)
    ledger = AbandonLedger()
    stats = DialStats(prior_talk_s=c.talk_mean_s, prior_wrap_s=c.wrap_s)
    pacer: Pacer = PredictivePacer(ledger, stats, cap) if mode == "predictive" else ProgressivePacer()
    names = [f"a{i}" for i in range(agents)]
    free: set[str] = set(names)
    busy: dict[str, BusyAgent] = {}
    ringing = 0
    holding: list[tuple[float, int]] = []  # answered, no agent yet: (deadline, id)
    hold_seq = 0
    left = records
    res = DayResult(mode, agents, seconds)
    t0 = 0.0
    events: list[tuple[float, int, str, str | None, float]] = []
    seq = 0

    def push(at: float, kind: str, agent: str | None, extra: float = 0.0) -> None:
        nonlocal seq
        seq += 1
        heapq.heappush(events, (at, seq, kind, agent, extra))

    def dial(now: float, agent: str | None) -> None:
        nonlocal ringing, left
        left -= 1
        res.dials += 1
        if agent is not None:
            free.discard(agent)  # reserved for this dial
        else:
            ringing += 1
        r = rng.random()
        if r < c.p_live:
            delay = rng.uniform(*c.answer_delay_s)
            push(now + delay, "live", agent, delay)
        elif r < c.p_live + c.p_machine:
            push(now + rng.uniform(*c.answer_delay_s), "fail", agent)
        elif r < c.p_live + c.p_machine + c.p_busy:
            push(now + c.busy_s, "fail", agent)
        else:
            push(now + c.no_answer_s, "fail", agent)

    def talk_starts(now: float, agent: str) -> None:
        talk = rng.expovariate(1.0 / c.talk_mean_s)
        busy[agent] = BusyAgent(agent, "talk", now)
        push(now + talk, "talk_end", agent, talk)

    def pace(now: float) -> None:
        if now >= seconds or left <= 0:
            return
        floor = Floor(now=now, free=tuple(sorted(free)), busy=tuple(busy.values()),
                      ringing=ringing, waiting=len(holding))
        for d in pacer.plan(floor):
            if left <= 0:
                break
            if mode == "progressive" and d.agent is None:
                res.unbound_progressive_dials += 1
            dial(now, d.agent)

    pace(t0)
    while events:
        now, _, kind, agent, extra = heapq.heappop(events)
        if now > seconds:
            break
        if kind in ("live", "fail"):
            stats.dial_finished(kind == "live", extra if kind == "live" else None)
            if agent is None:
                ringing -= 1
        if kind == "live":
            res.live += 1
            ledger.answered(now)
            if agent is None:
                agent = min(free) if free else None
                if agent is None:
                    hold_seq += 1
                    holding.append((now + c.connect_window_s, hold_seq))
                    push(now + c.connect_window_s, "hold_end", None, float(hold_seq))
                else:
                    free.discard(agent)
            if agent is not None:
                talk_starts(now, agent)
            res.worst_abandon_rate = max(res.worst_abandon_rate, ledger.rate(now))
        elif kind == "hold_end":
            if any(h == int(extra) for _, h in holding):
                holding[:] = [(d, h) for d, h in holding if h != int(extra)]
                res.abandoned += 1
                ledger.abandoned(now)
                res.worst_abandon_rate = max(res.worst_abandon_rate, ledger.rate(now))
        elif kind == "fail":
            if agent is not None:
                free.add(agent)
        elif kind == "talk_end" and agent is not None:
            res.talk_s += min(extra, seconds - (now - extra))
            stats.talk_ended(extra)
            busy[agent] = BusyAgent(agent, "wrap", now)
            push(now + c.wrap_s, "wrap_end", agent, c.wrap_s)
        elif kind == "wrap_end" and agent is not None:
            stats.wrap_ended(extra)
            del busy[agent]
            if holding:  # the longest-held answered customer gets this agent
                holding.pop(0)
                talk_starts(now, agent)
            else:
                free.add(agent)
        pace(now)
    res.records_left = left
    return res
