"""The line of waiting calls, indexed so a freed agent finds its call without walking
every call.

Calls of a queue are grouped in *classes* of equal requirement (skills, minimum
proficiency, language). Each class is a heap keyed by (-priority, enqueue time), and
remembers which agents are eligible for it. A freed agent looks only at the head of each
class of the queues it serves: O(classes), not O(calls). Entries are removed lazily
(a heap entry is valid while its sequence number is the call's current one).
"""

from __future__ import annotations

import heapq

from acd.core.eligibility import Requirement, score
from acd.core.records import AgentRecord, CallRecord

Entry = tuple[int, float, int, CallRecord]


class CallClass:
    __slots__ = ("queue", "req", "heap", "live", "eligible")

    def __init__(self, queue: str, req: Requirement) -> None:
        self.queue = queue
        self.req = req
        self.heap: list[Entry] = []
        self.live = 0
        self.eligible: dict[str, bool] = {}  # agent id -> may take calls of this class

    def head(self) -> CallRecord | None:
        heap = self.heap
        while heap:
            entry = heap[0]
            if entry[3].seq == entry[2]:
                return entry[3]
            heapq.heappop(heap)
        return None


class WaitingLine:
    def __init__(self) -> None:
        # Every class ever seen (kept, so its eligibility cache survives), and the live ones.
        self._classes: dict[str, dict[Requirement, CallClass]] = {}
        self._live: dict[str, dict[Requirement, CallClass]] = {}
        self._waiting: dict[str, dict[str, CallRecord]] = {}
        self._seq = 0

    def push(self, rec: CallRecord) -> None:
        """Put a call in line (again) at the place its priority and enqueue time give it.
        A held-back call is in line (counted, placed, listed) but in no class heap, so it
        is never the head a freed agent takes; its ``seq`` is -1."""
        if rec.held_back:
            rec.seq = -1
            self._waiting.setdefault(rec.queue, {})[rec.call.id] = rec
            return
        classes = self._classes.setdefault(rec.queue, {})
        cls = classes.get(rec.req)
        if cls is None:
            cls = classes[rec.req] = CallClass(rec.queue, rec.req)
        self._seq += 1
        rec.seq = self._seq
        heapq.heappush(cls.heap, (-rec.call.priority, rec.call.enqueued_at, rec.seq, rec))
        cls.live += 1
        if cls.live == 1:
            self._live.setdefault(rec.queue, {})[rec.req] = cls
        self._waiting.setdefault(rec.queue, {})[rec.call.id] = rec

    def remove(self, rec: CallRecord) -> None:
        if not rec.seq:
            return
        held_back, rec.seq = rec.seq < 0, 0
        if not held_back:
            cls = self._classes[rec.queue][rec.req]
            cls.live -= 1
            if cls.live == 0:
                cls.heap.clear()
                del self._live[rec.queue][rec.req]
        del self._waiting[rec.queue][rec.call.id]

    def forget_agent(self, agent_id: str) -> None:
        """The agent's profile changed: drop its cached eligibility."""
        for classes in self._classes.values():
            for cls in classes.values():
                cls.eligible.pop(agent_id, None)

    def waiting(self, queue: str) -> dict[str, CallRecord]:
        return self._waiting.get(queue, {})

    def count(self, queue: str) -> int:
        return len(self._waiting.get(queue, ()))

    def position(self, rec: CallRecord) -> int:
        """1-based place in the queue's line (calls ahead by priority, then wait)."""
        key = rec.key
        return 1 + sum(1 for other in self.waiting(rec.queue).values() if other.key < key)


    def best_for(self, agent: AgentRecord, now: float) -> tuple[CallRecord, str] | None:
        """The call a freed agent should take, and why.

        Queues of the agent's highest membership tier first; within a tier the highest
        call priority, then the longest wait multiplied by the queue's weight (so a queue
        of weight 2 is served as if its callers had waited twice as long).
        """
        aid = agent.agent.id
        for tier in agent.tiers:
            best: CallRecord | None = None
            best_prio, best_wait, best_weight = 0, 0.0, 1.0
            for queue, weight in tier:
                classes = self._live.get(queue)
                if not classes:
                    continue
                for cls in classes.values():
                    ok = cls.eligible.get(aid)
                    if ok is None:
                        ok = cls.eligible[aid] = score(agent.agent, cls.req) is not None
                    if not ok:
                        continue
                    head = cls.head()
                    if head is None:
                        continue
                    prio, enq = head.key  # (-priority, enqueued_at)
                    if best is None or prio < best_prio or (
                            prio == best_prio and (now - enq) * weight > best_wait):
                        best, best_prio, best_wait, best_weight = head, prio, (now - enq) * weight, weight
            if best is not None:
                why = (f"the call waiting longest at the highest priority that the agent can take "
                       f"(priority {best.call.priority}, waited {now - best.call.enqueued_at:.0f} s, "
                       f"queue {best.queue} weight {best_weight:g})")
                return best, why
        return None
