"""How many customers to dial now: preview, progressive and predictive pacing. Pure: no I/O,
no clock reads; ``now`` comes in with every snapshot.

The three modes answer one question, ``plan(floor) -> tuple[Dial, ...]``:

* **Preview** never dials from ``plan``; a dial exists only when the agent clicks
  (``PreviewPacer.click``), for the record on that agent's screen.
* **Progressive** reserves a free agent first and dials one customer for that agent (1:1);
  every ``Dial`` it returns names its reserved agent, and no agent twice.
* **Predictive** dials ahead of free agents, unbound to any agent.

The predictive pacing rule
--------------------------
Dial one more line while the chance that *its* customer, if a person answers, finds no
agent is at most ``θ`` (2 × the abandon cap: 6 % at the default 3 %). The chance is
computed from the floor and the measured distributions (``DialStats``):

* the answer delays ``L`` (dial to a live answer) and the other ends ``O`` (busy, machine,
  no answer), the last 500 of each, and the live rate ``p``;
* the *answers to come*: for offsets ``t`` at 12 quantiles of ``L``, ``N(t)`` = the
  expected live answers by ``now + t`` among the ringing dials, each of age ``τ`` still
  live with ``p·(1−L(τ)) / (p·(1−L(τ)) + (1−p)·(1−O(τ)))`` and answering by then with
  ``L(τ+t) − L(τ)`` of that; a new dial adds ``p·L(t)``;
* the *agents to come*: ``S(t)`` = the free agents (less the held customers) plus the
  agents whose wrap-up, a fixed length, ends by ``now + t`` + the connect window (2 s).
  An agent in talk is not counted: talk time is not predictable, and its wrap-up follows.

The marginal abandon chance of one more line is the mean over those quantiles of
``P(Poisson(N(t)) ≥ S(t))``: the answers before it have taken every agent. Lines are added
while it is ≤ ``θ`` and never fewer than the free agents (predictive is at least 1:1).
This is the Lagrangian rule of a cap on a ratio: the lines ahead with the smallest
abandon chance first, until the chance reaches the price ``θ``.

The 30-day cap ``c`` (``AbandonLedger``: the window's live answers ``A`` and abandons ``B``,
an abandon being a live answer no agent took within the connect window):

* **warm-up** (``A`` < 300): also lines ≤ free + ``floor(c·A − B)``, the worst-case budget:
  even if every ringing line answered at once and no agent freed up, ``B`` stays ≤ ``c·A``.
  A new campaign starts 1:1 and dials ahead as answered calls earn budget.
* **feedback**: ``θ`` is full while the rate ``B/A`` is under 60 % of ``c`` and falls
  linearly to 0 at the margin ``m·c`` (``m`` = 0.9);
* **hard brake**: at ``B/A ≥ m·c`` no line beyond the free agents (exactly progressive,
  which cannot abandon) until answers bring the rate back under.

On the simulated day (``bench/dialer.py``: 20 agents, 30 % live, 4-15 s answer delays,
90 s mean talk, 15 s wrap-up) this gives 1.35× progressive's talk utilisation at ≤ 3 %
worst abandon rate, against 1.30× for the previous rule (dial ``0.7·(free + wrap-ups
ending within the mean delay)/p``). The target 1.5× needs at most ~2.8 s of agent wait
per call (ceiling 1.54× at none); the answer delays spread over 11 s against a 2 s
connect window, so the answers cannot be timed to the agents: without any cap the rule
reaches 1.42× at 8 % abandons and 1.48× at 33 % (``bench/dialer.py --frontier``).

Caveats: the rule assumes the campaign's free agents are not taken by something else
between dial and answer (inbound blending can take them; those abandons count), and an
answer ageing out of the 30-day window can lift the ratio by the events leaving it.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

THIRTY_DAYS_S = 30 * 86400.0
DEFAULT_ABANDON_CAP = 0.03
DEFAULT_MARGIN = 0.9  # the hard brake: no dial ahead once the rate reaches 90 % of the cap
RAMP_FROM = 0.6  # θ falls linearly from its full value at 60 % of the cap to 0 at the margin
THETA_PER_CAP = 2.0  # θ, the marginal abandon chance allowed, is 2 × the cap (6 % at 3 %)
CONNECT_WINDOW_S = 2.0  # a live answer no agent takes within this is an abandon
WARM_UP_ANSWERS = 300  # below this many answers in the window: the worst-case budget too
MIN_SAMPLES = 30  # live answers and other ends measured before the arrival model is used
MAX_AHEAD = 200  # a bound on the loop, never reached in practice
GRID = 12  # points of the answer-delay distribution the marginal chance is averaged over


@dataclass(frozen=True)
class BusyAgent:
    agent: str
    state: str  # "talk" or "wrap"
    since: float


@dataclass(frozen=True)
class Floor:
    """The campaign's agents and lines at ``now``. ``free`` agents are idle and unreserved."""

    now: float
    free: tuple[str, ...]
    busy: tuple[BusyAgent, ...] = ()
    ringing: int = 0
    waiting: int = 0  # answered customers held for an agent (within the connect window)
    ringing_since: tuple[float, ...] = ()  # when each ringing unbound dial was made


@dataclass(frozen=True)
class Dial:
    """Dial the next record; ``agent`` is the reserved agent (None: predictive, unbound)."""

    agent: str | None
    record: str | None = None


class Pacer(Protocol):
    def plan(self, floor: Floor) -> tuple[Dial, ...]: ...


class PreviewPacer:
    """The agent sees a record and dials it by clicking. ``plan`` never dials."""

    def __init__(self) -> None:
        self._screen: dict[str, str] = {}

    def show(self, agent: str, record: str) -> None:
        self._screen[agent] = record

    def showing(self, agent: str) -> str | None:
        return self._screen.get(agent)

    def plan(self, floor: Floor) -> tuple[Dial, ...]:
        return ()

    def click(self, agent: str) -> Dial:
        record = self._screen.pop(agent, None)
        if record is None:
            raise ValueError(f"agent {agent} has no record on screen; show one before dialing")
        return Dial(agent=agent, record=record)


class ProgressivePacer:
    """One dial per free agent, reserved first (1:1)."""

    def plan(self, floor: Floor) -> tuple[Dial, ...]:
        return tuple(Dial(agent=a) for a in dict.fromkeys(floor.free))


@dataclass
class AbandonLedger:
    """Live answers and abandons over a sliding window (default the last 30 days)."""

    window_s: float = THIRTY_DAYS_S
    _answers: deque[float] = field(default_factory=deque)
    _abandons: deque[float] = field(default_factory=deque)

    def answered(self, at: float) -> None:
        """A person answered (whether connected or abandoned)."""
        self._answers.append(at)

    def abandoned(self, at: float) -> None:
        """A person answered and no agent was free; call ``answered`` for it too."""
        self._abandons.append(at)

    def _trim(self, now: float) -> None:
        for q in (self._answers, self._abandons):
            while q and q[0] <= now - self.window_s:
                q.popleft()

    def counts(self, now: float) -> tuple[int, int]:
        self._trim(now)
        return len(self._answers), len(self._abandons)

    def rate(self, now: float) -> float:
        a, b = self.counts(now)
        return b / a if a else 0.0

    def budget(self, now: float, cap: float) -> int:
        a, b = self.counts(now)
        # the small epsilon keeps 0.03 * 100 - 3 from flooring to -1
        return math.floor(cap * a - b + 1e-9)


@dataclass
class DialStats:
    """Measured live-answer rate, mean talk and wrap times, and the recent distributions of
    the time to a live answer and of the time to any other end (busy, machine, no answer)."""

    finished: int = 0
    live: int = 0
    talk_total: float = 0.0
    talks: int = 0
    wrap_total: float = 0.0
    wraps: int = 0
    delay_total: float = 0.0
    prior_talk_s: float = 120.0
    prior_wrap_s: float = 15.0
    prior_delay_s: float = 8.0
    keep: int = 500  # samples kept per distribution
    live_delays: deque[float] = field(default_factory=deque)
    other_ends: deque[float] = field(default_factory=deque)

    def dial_finished(self, live: bool, answer_delay_s: float | None = None) -> None:
        """``answer_delay_s``: seconds from the dial to its end (the answer, if live)."""
        if answer_delay_s is not None and answer_delay_s < 0:
            raise ValueError(f"a dial cannot end {answer_delay_s} s before it was made")
        self.finished += 1
        if live:
            self.live += 1
            self.delay_total += answer_delay_s or 0.0
        if answer_delay_s is not None:
            q = self.live_delays if live else self.other_ends
            q.append(answer_delay_s)
            if len(q) > self.keep:
                q.popleft()

    def talk_ended(self, seconds: float) -> None:
        self.talk_total += seconds
        self.talks += 1

    def wrap_ended(self, seconds: float) -> None:
        self.wrap_total += seconds
        self.wraps += 1

    @property
    def answer_rate(self) -> float:
        # until 20 dials finish, assume everyone answers: 1:1, the safe side
        return self.live / self.finished if self.finished >= 20 and self.live else 1.0

    @property
    def talk_s(self) -> float:
        return self.talk_total / self.talks if self.talks else self.prior_talk_s

    @property
    def wrap_s(self) -> float:
        return self.wrap_total / self.wraps if self.wraps else self.prior_wrap_s

    @property
    def delay_s(self) -> float:
        return self.delay_total / self.live if self.live else self.prior_delay_s

    def measured(self) -> bool:
        """Enough samples for the arrival model (until then predictive dials 1:1)."""
        return (self.finished >= 20 and len(self.live_delays) >= MIN_SAMPLES
                and len(self.other_ends) >= MIN_SAMPLES)


def poisson_at_least(mean: float, k: int) -> float:
    """P(X >= k) for X ~ Poisson(mean)."""
    if k <= 0:
        return 1.0
    term = cdf = math.exp(-mean)
    for i in range(1, k):
        term *= mean / i
        cdf += term
    return max(0.0, 1.0 - cdf)


class _Cdf:
    """The empirical distribution function of a sample (``at`` takes an array)."""

    def __init__(self, sample: deque[float]) -> None:
        self.xs = np.sort(np.fromiter(sample, float, len(sample)))
        self.n = len(self.xs)

    def at(self, x: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.xs, x, side="right") / self.n


class PredictivePacer:
    """Dials ahead of free agents while the next line's abandon chance is small (the rule
    and its brakes in the module docstring)."""

    def __init__(self, ledger: AbandonLedger, stats: DialStats,
                 cap: float = DEFAULT_ABANDON_CAP, *, theta: float | None = None,
                 margin: float = DEFAULT_MARGIN, window_s: float = CONNECT_WINDOW_S,
                 grid: int = GRID) -> None:
        if not 0.0 <= cap < 1.0:
            raise ValueError(f"abandon cap {cap} must be a fraction in [0, 1), e.g. 0.03")
        theta = THETA_PER_CAP * cap if theta is None else theta
        if not 0.0 <= theta < 1.0 or not 0.0 < margin <= 1.0:
            raise ValueError(f"theta {theta} must be in [0, 1) and margin {margin} in (0, 1]")
        if window_s < 0 or grid < 1:
            raise ValueError(f"connect window {window_s} s must be >= 0 and grid {grid} >= 1")
        self.ledger = ledger
        self.stats = stats
        self.cap = cap
        self.theta = theta
        self.margin = margin
        self.window_s = window_s
        self.grid = grid

    def free(self, floor: Floor) -> int:
        """Free agents not already claimed by a held customer."""
        return max(0, len(set(floor.free)) - floor.waiting)

    def threshold(self, floor: Floor) -> float | None:
        """The largest abandon chance a line ahead may have now; None: the hard brake."""
        a, b = self.ledger.counts(floor.now)
        if a < WARM_UP_ANSWERS:
            return self.theta  # and the worst-case budget (``ceiling``) bounds the lines
        rate, hi, lo = b / a, self.margin * self.cap, RAMP_FROM * self.cap
        if rate >= hi:
            return None
        return self.theta * min(1.0, (hi - rate) / (hi - lo))

    def ceiling(self, floor: Floor) -> int:
        """The most lines (ringing and new) the brakes allow."""
        f = self.free(floor)
        a, _ = self.ledger.counts(floor.now)
        if a < WARM_UP_ANSWERS:  # the worst-case budget: every line could answer at once
            return f + max(0, self.ledger.budget(floor.now, self.cap))
        if self.threshold(floor) is None:
            return f
        return f + MAX_AHEAD

    def arrivals(self, floor: Floor, offsets: np.ndarray, live: _Cdf, other: _Cdf,
                 p: float) -> np.ndarray:
        """``N(t)``: the expected live answers among the ringing dials by ``now + t``."""
        m = np.zeros(len(offsets))
        if floor.ringing_since:
            ages = floor.now - np.asarray(floor.ringing_since, float)
            f_age = live.at(ages)
            unresolved = p * (1.0 - f_age) + (1.0 - p) * (1.0 - other.at(ages))
            ok = unresolved > 0.0
            ages, f_age, unresolved = ages[ok], f_age[ok], unresolved[ok]
            later = live.at(ages[:, None] + offsets[None, :]) - f_age[:, None]
            m += (p * np.clip(later, 0.0, None) / unresolved[:, None]).sum(axis=0)
        # ringing dials whose start the caller did not give: live with p, at any time
        unknown = max(0, floor.ringing - len(floor.ringing_since))
        return m + unknown * p * live.at(offsets)

    def supply(self, floor: Floor, offsets: np.ndarray) -> np.ndarray:
        """``S(t)``: the agents free to take a customer answering at ``now + t`` within
        the connect window: the free ones and those whose wrap-up ends by then."""
        wrap = self.stats.wrap_s
        ends = np.sort([wrap - (floor.now - b.since) for b in floor.busy if b.state == "wrap"])
        return self.free(floor) + np.searchsorted(ends, offsets + self.window_s, side="right")

    @staticmethod
    def marginal(m: np.ndarray, sup: np.ndarray) -> float:
        """The abandon chance of one more live answer: P(Poisson(N(t)) ≥ S(t)) averaged
        over the answer-delay quantiles."""
        return sum(poisson_at_least(float(a), int(k)) for a, k in zip(m, sup, strict=True)) / len(m)

    def lines(self, floor: Floor) -> int:
        """Lines wanted now, the ringing ones included."""
        f = self.free(floor)
        theta = self.threshold(floor)
        s = self.stats
        if theta is None or not s.measured():
            return f  # the hard brake, or nothing measured yet: 1:1
        top = self.ceiling(floor)
        live, other = _Cdf(s.live_delays), _Cdf(s.other_ends)
        # equally likely answer times of a new line: the measured delays' quantiles
        offsets = np.quantile(live.xs, (np.arange(self.grid) + 0.5) / self.grid)
        p = s.answer_rate
        m = self.arrivals(floor, offsets, live, other, p)
        sup = self.supply(floor, offsets)
        new_live = p * live.at(offsets)
        n = floor.ringing
        while n < top and self.marginal(m, sup) <= theta:
            n += 1
            m = m + new_live
        return max(n, min(f, top))

    def plan(self, floor: Floor) -> tuple[Dial, ...]:
        n = max(0, self.lines(floor) - floor.ringing)
        return tuple(Dial(agent=None) for _ in range(n))
