"""A discrete-event simulator of the routing core, for what-if questions and to check the
router against queueing theory.

It drives the *unchanged* :class:`acd.core.Router` with Poisson arrivals, exponential
handle times and (optionally) exponential patience; agents answer at once when offered,
wrap-up is the queue's. Time is simulated, randomness comes from one seeded
:class:`random.Random`, so a run is reproducible. Results come with confidence intervals
from batch means (the measured period split into ``batches`` equal slices by arrival).

    result = simulate(SimConfig(arrival_rate=0.25, aht=180, agents=50, duration_s=200_000))
    result.asa.mean, result.asa.half_width
"""

from __future__ import annotations

import heapq
import math
import random
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field

from acd.core import (
    Agent,
    AgentLoggedIn,
    AgentReady,
    CallArrived,
    CallEnded,
    CallLeft,
    Command,
    Membership,
    Offer,
    OfferAccepted,
    QueueConfig,
    Router,
    RouterEvent,
    Tick,
    WaitingCall,
)

QUEUE, SKILL = "sim", "sim"


@dataclass(frozen=True, slots=True)
class SimConfig:
    arrival_rate: float  # calls per second (Poisson)
    aht: float  # mean handle time, s (exponential)
    agents: int
    patience: float | None = None  # mean patience, s (exponential); None: callers never leave
    duration_s: float = 100_000.0  # measured period, after the warm-up
    warmup_s: float = 5_000.0
    target_s: float = 20.0
    batches: int = 20
    seed: int = 1
    # Arrival rate multipliers per hour of the simulated clock (24 values, mean 1 keeps
    # ``arrival_rate`` as the day's mean); None: a constant rate. Thinning (Lewis-Shedler).
    profile: tuple[float, ...] | None = None
    # A skills matrix (what-if): groups of agents (skill -> proficiency, how many), replacing
    # ``agents``; and the calls' mix (the skills a call needs, its share of arrivals).
    agent_groups: tuple[tuple[tuple[tuple[str, int], ...], int], ...] | None = None
    call_mix: tuple[tuple[tuple[str, ...], float], ...] | None = None
    queue: QueueConfig = field(default_factory=lambda: QueueConfig(
        QUEUE, skills=(SKILL,), ring_timeout_s=1e9))


@dataclass(frozen=True, slots=True)
class Estimate:
    """A batch-means estimate: ``mean`` +- ``half_width`` at 95 % (``stderr`` is the
    standard error of the mean over ``df + 1`` batches)."""

    mean: float
    half_width: float
    stderr: float = math.inf
    df: int = 0

    def half_width_at(self, confidence: float) -> float:
        """The half width at another two-sided confidence level (e.g. Bonferroni)."""
        return t_quantile(0.5 + confidence / 2, self.df) * self.stderr if self.df else math.inf

    @property
    def low(self) -> float:
        return self.mean - self.half_width

    @property
    def high(self) -> float:
        return self.mean + self.half_width

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high

    def __str__(self) -> str:
        return f"{self.mean:.4g} +- {self.half_width:.2g}"


@dataclass(frozen=True, slots=True)
class SimResult:
    offered: int
    answered: int
    abandoned: int
    service_level: Estimate  # answered within target_s / offered
    asa: Estimate  # mean wait of answered calls, s
    p_abandon: Estimate
    p_wait: Estimate  # share of callers not offered at once
    router_events: int
    # per call type of ``call_mix`` ("billing+zh"): offered, answered, within, abandoned
    by_mix: dict[str, dict[str, int]] = field(default_factory=dict)


def t_quantile(p: float, df: int) -> float:
    """Student's t quantile by the Cornish-Fisher expansion around the normal quantile
    (Abramowitz & Stegun 26.7.5; < 0.3 % off for df >= 5 and p <= 0.999)."""
    z = statistics.NormalDist().inv_cdf(p)
    d = float(df)
    return (z + (z**3 + z) / (4 * d) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * d**2)
            + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * d**3))


def t_quantile_975(df: int) -> float:
    return t_quantile(0.975, df)


def _estimate(values: list[float]) -> Estimate:
    values = [v for v in values if not math.isnan(v)]
    if len(values) < 2:
        return Estimate(values[0] if values else math.nan, math.inf)
    stderr = statistics.stdev(values) / math.sqrt(len(values))
    df = len(values) - 1
    return Estimate(statistics.fmean(values), t_quantile_975(df) * stderr, stderr, df)


class _Batch:
    __slots__ = ("offered", "answered", "within", "wait_sum", "abandoned", "waited")

    def __init__(self) -> None:
        self.offered = self.answered = self.within = self.abandoned = self.waited = 0
        self.wait_sum = 0.0


Journal = Callable[[str, str, float, str | None, dict[str, float]], None]


def simulate(cfg: SimConfig, progress: Callable[[float], None] | None = None,
             journal: Journal | None = None) -> SimResult:
    """Run the simulation; ``progress(fraction)`` is called about a hundred times.

    ``journal(call_id, kind, at, agent, data)`` sees each call's queue verbs as the ACD
    writes them (ENTERQUEUE, CONNECT with ``holdtime``, COMPLETECALLER with ``calltime``,
    ABANDON with ``waittime``), for the whole run including the warm-up."""
    rng = random.Random(cfg.seed)
    peak = max(cfg.profile) if cfg.profile else 1.0
    if cfg.profile is not None and (len(cfg.profile) != 24 or min(cfg.profile) < 0 or peak <= 0):
        raise ValueError("profile must be 24 non-negative hourly multipliers, not all 0")

    def next_arrival(now: float) -> float:
        if cfg.profile is None:
            return now + rng.expovariate(cfg.arrival_rate)
        t = now
        while True:  # candidates at the peak rate, kept with probability rate(t) / peak
            t += rng.expovariate(cfg.arrival_rate * peak)
            if rng.random() * peak <= cfg.profile[int(t // 3600) % 24]:
                return t
    mix = cfg.call_mix
    if mix is not None and (not mix or any(w < 0 for _, w in mix) or sum(w for _, w in mix) <= 0):
        raise ValueError("call_mix needs at least one call type with a positive share")
    mix_total = sum(w for _, w in mix) if mix else 0.0
    kind_of: dict[str, str] = {}  # call -> its type, with a mix
    by_mix: dict[str, dict[str, int]] = {}

    def tally(cid: str, what: str, b: int) -> None:
        k = kind_of.get(cid)
        if k is not None and b >= 0:
            row = by_mix.setdefault(k, {"offered": 0, "answered": 0, "within": 0, "abandoned": 0})
            row[what] += 1

    router = Router([cfg.queue])
    end = cfg.warmup_s + cfg.duration_s
    batch_len = cfg.duration_s / cfg.batches
    batches = [_Batch() for _ in range(cfg.batches)]
    arrived: dict[str, tuple[float, int]] = {}  # call -> (arrival time, batch or -1)
    heap: list[tuple[float, int, RouterEvent]] = []
    seq = 0
    events = 0

    def push(at: float, event: RouterEvent) -> None:
        nonlocal seq
        seq += 1
        heapq.heappush(heap, (at, seq, event))

    def apply(commands: list[Command], now: float) -> None:
        nonlocal events
        for cmd in commands:
            if not isinstance(cmd, Offer):
                continue
            t0, b = arrived.pop(cmd.call_id)
            events += 1
            router.handle(OfferAccepted(now, cmd.call_id, cmd.agent_id))
            talk = rng.expovariate(1.0 / cfg.aht)
            push(now + talk, CallEnded(now, cmd.call_id, cmd.agent_id))
            if journal is not None:
                journal(cmd.call_id, "CONNECT", now, cmd.agent_id, {"holdtime": now - t0})
                journal(cmd.call_id, "COMPLETECALLER", now + talk, cmd.agent_id,
                        {"holdtime": now - t0, "calltime": talk})
            if b >= 0:
                wait = now - t0
                tally(cmd.call_id, "answered", b)
                if wait <= cfg.target_s:
                    tally(cmd.call_id, "within", b)
                batch = batches[b]
                batch.answered += 1
                batch.wait_sum += wait
                batch.within += wait <= cfg.target_s
                batch.waited += wait > 0

    staff: list[dict[str, int]] = ([{SKILL: 5}] * cfg.agents if cfg.agent_groups is None else
                                   [dict(skills) for skills, count in cfg.agent_groups for _ in range(count)])
    if not staff:
        raise ValueError("the what-if needs at least one agent")
    for i, skills in enumerate(staff):
        router.handle(AgentLoggedIn(0.0, Agent(f"a{i}", skills, queues={QUEUE: Membership()})))
        router.handle(AgentReady(0.0, f"a{i}"))
    push(next_arrival(0.0), Tick(0.0))  # the first arrival
    n = 0
    next_report = 0.0
    while heap:
        now, _, event = heapq.heappop(heap)
        if progress is not None and now >= next_report and now <= end:
            progress(now / end)
            next_report += end / 100
        if isinstance(event, Tick):  # an arrival
            n += 1
            cid = f"c{n}"
            b = int((now - cfg.warmup_s) // batch_len) if now >= cfg.warmup_s else -1
            b = min(b, cfg.batches - 1)
            arrived[cid] = (now, b)
            if b >= 0:
                batches[b].offered += 1
            if cfg.patience is not None:
                push(now + rng.expovariate(1.0 / cfg.patience), CallLeft(now, cid))
            if journal is not None:
                journal(cid, "ENTERQUEUE", now, None, {})
            nxt = next_arrival(now)
            if nxt <= end:  # after the end, only let the measured calls finish
                push(nxt, Tick(now))
            needs: tuple[str, ...] = (SKILL,)
            if mix is not None:
                x, acc = rng.random() * mix_total, 0.0
                needs = mix[-1][0]
                for asked, w in mix:
                    acc += w
                    if x < acc:
                        needs = asked
                        break
                kind_of[cid] = "+".join(needs) or "-"
                tally(cid, "offered", b)
            event = CallArrived(now, WaitingCall(cid, QUEUE, needs, enqueued_at=now))
        elif isinstance(event, CallLeft):
            if event.call_id not in arrived:
                continue  # already answered
            t0, b = arrived.pop(event.call_id)
            tally(event.call_id, "abandoned", b)
            if journal is not None:
                journal(event.call_id, "ABANDON", now, None, {"waittime": now - t0})
            if b >= 0:
                batches[b].abandoned += 1
                batches[b].waited += 1
        events += 1
        apply(router.handle(_at(event, now)), now)

    def share(f: Callable[[_Batch], float]) -> Estimate:
        return _estimate([f(b) for b in batches])

    return SimResult(
        offered=sum(b.offered for b in batches),
        answered=sum(b.answered for b in batches),
        abandoned=sum(b.abandoned for b in batches),
        service_level=share(lambda b: b.within / b.offered if b.offered else math.nan),
        asa=share(lambda b: b.wait_sum / b.answered if b.answered else math.nan),
        p_abandon=share(lambda b: b.abandoned / b.offered if b.offered else math.nan),
        p_wait=share(lambda b: b.waited / b.offered if b.offered else math.nan),
        router_events=events,
        by_mix=by_mix,
    )


def _at(event: RouterEvent, now: float) -> RouterEvent:
    """The scheduled event stamped with the time it happens."""
    if isinstance(event, CallEnded):
        return CallEnded(now, event.call_id, event.agent_id, event.by)
    if isinstance(event, CallLeft):
        return CallLeft(now, event.call_id, event.why)
    return event
