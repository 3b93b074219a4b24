"""A deterministic timer wheel for the router: (due, order of scheduling) -> what fires."""

from __future__ import annotations

import heapq
from enum import StrEnum


class Timer(StrEnum):
    RELAX = "relax"  # next relaxation step of a waiting call
    MAX_WAIT = "max_wait"
    ANNOUNCE = "announce"
    RING = "ring"  # ring-no-answer of an offer
    WRAP = "wrap"  # end of an agent's wrap-up
    EXPECT = "expect"  # a transfer ringing an agent's phone is given up


Due = tuple[float, int, Timer, str, int]


class Timers:
    """Timers are never cancelled: each carries the token of its subject at scheduling
    time, and the router ignores one whose token is stale."""

    def __init__(self) -> None:
        self._heap: list[Due] = []
        self._seq = 0

    def schedule(self, due: float, kind: Timer, subject: str, token: int) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (due, self._seq, kind, subject, token))

    def next_due(self) -> float | None:
        return self._heap[0][0] if self._heap else None

    def pop_due(self, now: float) -> Due | None:
        if self._heap and self._heap[0][0] <= now:
            return heapq.heappop(self._heap)
        return None

    def __len__(self) -> int:
        return len(self._heap)
