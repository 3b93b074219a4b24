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
Let ``F`` be the free campaign agents, ``S`` the busy agents expected to be free within the
mean answer delay (talk + wrap remaining, from measured means, ≤ the measured time from dial
to answer), ``p`` the measured live-answer rate (live answers / finished dials), ``N`` the
dials already ringing. The wanted number of lines is ``W = floor((F + S) / p)``.

The abandon cap bounds it. ``AbandonLedger`` holds the campaign's live answers ``A`` and
abandons ``B`` (live answer, no agent free) over the last 30 days; with cap ``c`` (3 % by
default) the *budget* is ``b = floor(c·A − B)``. Lines are limited to ``F + max(0, b)``, so
the dials beyond the free agents are never more than the budget. Each ringing dial that finds
a free agent on answer takes it; so even if every line ringing now answers at once and no busy
agent frees up, the abandons are at most ``N − F ≤ b``, and then ``B + b ≤ c·A ≤ c·(A + b)``:
the cap holds in the worst case, not just on average. A new campaign (``A = 0``) therefore
starts 1:1 and dials ahead as answered calls earn budget. When the window's rate is at or
over the cap the budget is ≤ 0 and predictive is exactly progressive (no dial without a free
agent), which cannot abandon. Caveat: the rule assumes the campaign's free agents are not
taken by something else between dial and answer (blending must reserve them first), and an
answer ageing out of the 30-day window can lift the ratio by the events leaving it.

Dials = ``max(0, min(W, F + max(0, b)) − N)``.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import Protocol

THIRTY_DAYS_S = 30 * 86400.0
DEFAULT_ABANDON_CAP = 0.03


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
                 cap: float = DEFAULT_ABANDON_CAP) -> None:
        if not 0.0 <= cap < 1.0:
            raise ValueError(f"abandon cap {cap} must be a fraction in [0, 1), e.g. 0.03")
        self.ledger = ledger
        self.stats = stats
        self.cap = cap

    def soon_free(self, floor: Floor) -> int:
        s = self.stats
        n = 0
        for b in floor.busy:
            elapsed = floor.now - b.since
            remaining = (s.talk_s + s.wrap_s if b.state == "talk" else s.wrap_s) - elapsed
            if remaining <= s.delay_s:
                n += 1
        return n

    def lines(self, floor: Floor) -> int:
        f = len(set(floor.free))
        want = math.floor((f + self.soon_free(floor)) / self.stats.answer_rate)
        budget = self.ledger.budget(floor.now, self.cap)
        return min(want, f + max(0, budget))

    def plan(self, floor: Floor) -> tuple[Dial, ...]:
        n = max(0, self.lines(floor) - floor.ringing)
        return tuple(Dial(agent=None) for _ in range(n))
