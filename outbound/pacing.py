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
Let ``F`` be the free campaign agents less the answered customers already held for one
(``Floor.waiting``), ``S`` the agents in wrap-up whose wrap-up ends within the measured mean
answer delay (a dial made now is answered about then; wrap-up is a fixed time, so this is
known, while talk time is not: a call's elapsed talk says little about its end), ``p`` the
measured live-answer rate, ``N`` the dials ringing. The wanted lines are

    ``W = floor(λ · (F + S) / p)``, with the lead ``λ`` = 0.7 by default.

``λ < 1`` because a live answer that finds no agent is not only an abandon but a contact
burnt: on the simulated day (``bench/dialer.py``) utilisation peaks near λ = 0.7 and falls
beyond it, while the abandon rate keeps rising.

The abandon cap ``c`` (3 % over the campaign's last 30 days by default) bounds the dials
beyond the free agents. ``AbandonLedger`` holds the window's live answers ``A`` and abandons
``B`` (a live answer no agent took within the connect window, 2 s by default):

* **warm-up** (``A`` < 100): the worst-case budget ``b = floor(c·A − B)``; lines ≤ ``F + b``.
  Even if every ringing line answered at once and no agent freed up, the abandons are at
  most ``N − F ≤ b``, so ``B + b ≤ c·A``: the cap holds in the worst case. A new campaign
  therefore starts 1:1 and dials ahead as answered calls earn budget.
* **then**: the expected-value budget at the margin ``m`` = 0.9 (of the cap): lines ≤
  ``F + floor((m·c·A − B) / p)``: the dials ahead of the agents, each abandoning with
  probability at most ``p``, are *expected* to keep the rate under ``m·c``; when the rate
  reaches ``m·c`` the budget is ≤ 0 and predictive is exactly progressive (no dial without
  a free agent), which cannot abandon. This is not a worst-case bound; it held the cap on
  every simulated day, checked after every answer (tests/outbound/test_pacing.py, the bench).

Caveats: the rule assumes the campaign's free agents are not taken by something else
between dial and answer (blending must reserve them first), and an answer ageing out of
the 30-day window can lift the ratio by the events leaving it.

Dials = ``max(0, min(W, F + budget) − N)``.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import Protocol

THIRTY_DAYS_S = 30 * 86400.0
DEFAULT_ABANDON_CAP = 0.03
DEFAULT_LEAD = 0.7  # λ of the pacing rule
DEFAULT_MARGIN = 0.9  # the expected-value budget aims at 90 % of the cap
Z = 2.0  # standard deviations of slack in the expected-value budget
WARM_UP_ANSWERS = 100  # below this many answers in the window: the worst-case budget


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
    """Measured live-answer rate and mean talk, wrap and answer-delay times."""

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

    def dial_finished(self, live: bool, answer_delay_s: float | None = None) -> None:
        self.finished += 1
        if live:
            self.live += 1
            self.delay_total += answer_delay_s or 0.0

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


class PredictivePacer:
    """Dials ahead of free agents within the abandon budget (rule in the module docstring)."""

    def __init__(self, ledger: AbandonLedger, stats: DialStats,
                 cap: float = DEFAULT_ABANDON_CAP, *, lead: float = DEFAULT_LEAD,
                 margin: float = DEFAULT_MARGIN) -> None:
        if not 0.0 <= cap < 1.0:
            raise ValueError(f"abandon cap {cap} must be a fraction in [0, 1), e.g. 0.03")
        if not 0.0 < lead <= 2.0 or not 0.0 < margin <= 1.0:
            raise ValueError(f"lead {lead} must be in (0, 2] and margin {margin} in (0, 1]")
        self.ledger = ledger
        self.stats = stats
        self.cap = cap
        self.lead = lead
        self.margin = margin

    def soon_free(self, floor: Floor) -> int:
        """Agents whose (fixed-length) wrap-up ends within the mean answer delay."""
        s = self.stats
        return sum(1 for b in floor.busy
                   if b.state == "wrap" and s.wrap_s - (floor.now - b.since) <= s.delay_s)

    def budget(self, floor: Floor) -> int:
        """Dials allowed beyond the free agents (the rule's two phases)."""
        a, b = self.ledger.counts(floor.now)
        if a < WARM_UP_ANSWERS:
            return self.ledger.budget(floor.now, self.cap)
        room = self.margin * self.cap * a - b
        if room <= 0:
            return 0
        # the most k such that k·p + Z·sqrt(k·p·(1−p)) <= room (abandons of k lines ahead,
        # each live with probability p, stay within the room at Z standard deviations)
        p = self.stats.answer_rate
        sd = Z * math.sqrt(p * (1.0 - p))
        x = (-sd + math.sqrt(sd * sd + 4.0 * p * room)) / (2.0 * p)
        return math.floor(x * x + 1e-9)

    def lines(self, floor: Floor) -> int:
        f = max(0, len(set(floor.free)) - floor.waiting)
        want = math.floor(self.lead * (f + self.soon_free(floor)) / self.stats.answer_rate + 1e-9)
        return min(want, f + max(0, self.budget(floor)))

    def plan(self, floor: Floor) -> tuple[Dial, ...]:
        n = max(0, self.lines(floor) - floor.ringing)
        return tuple(Dial(agent=None) for _ in range(n))
