"""Index of ready agents, so a call finds its agent without walking every member.

For each (queue, skill combination) the ready members are kept in ten buckets by their
weakest skill of the combination (= their score for such a call); each
bucket (and each queue's list of all ready members) is a dict in idle order (insertion
order = longest idle first). An agent coming back with an older ``idle_since`` (an offer
cancelled by the caller) marks the bucket for re-sorting on its next read.

A (queue, combination) index is built the first time a call of that queue asks for that
combination (requirements come from IVR menus and relaxation steps: a handful per queue),
so an agent becoming ready touches only the combinations its queues' callers need.

Cost of a search with the default policy: the first non-empty bucket from 10 down to the
minimum, then its first agent speaking the language - O(1) typical, whatever the number
of ready agents.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from acd.core.eligibility import Requirement, score
from acd.core.model import MAX_PROFICIENCY, Policy
from acd.core.records import AgentRecord


class IdleOrder:
    """Agents in order of ``idle_since`` (oldest first), O(1) add/remove."""

    __slots__ = ("items", "last", "dirty")

    def __init__(self) -> None:
        self.items: dict[str, AgentRecord] = {}
        self.last = float("-inf")
        self.dirty = False

    def add(self, rec: AgentRecord) -> None:
        if rec.idle_since < self.last:
            self.dirty = True
        else:
            self.last = rec.idle_since
        self.items[rec.agent.id] = rec

    def discard(self, agent_id: str) -> None:
        self.items.pop(agent_id, None)

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[AgentRecord]:
        if self.dirty:
            ordered = sorted(self.items.values(), key=lambda r: (r.idle_since, r.agent.id))
            self.items = {r.agent.id: r for r in ordered}
            self.last = ordered[-1].idle_since if ordered else float("-inf")
            self.dirty = False
        return iter(self.items.values())


class ReadyIndex:
    def __init__(self) -> None:
        self._by_queue: dict[str, IdleOrder] = {}
        # (queue, skill combination) -> 11 buckets by the agent's weakest skill of the combination
        self._by_combo: dict[tuple[str, tuple[str, ...]], list[IdleOrder]] = {}
        self._asked: dict[str, list[tuple[str, ...]]] = {}  # queue -> combinations indexed
        self._version = 0  # bumped when a combination gets an index

    @staticmethod
    def _level(skills: Mapping[str, int], combo: tuple[str, ...]) -> int:
        if len(combo) == 1:
            return skills.get(combo[0], 0)
        return min(skills.get(s, 0) for s in combo)

    def add(self, rec: AgentRecord) -> None:
        key = (self._version, rec.agent)
        if rec.slots_key != key:  # new combinations indexed, or a new profile
            rec.slots = self._slots_of(rec)
            rec.slots_key = key
        for order in rec.slots:
            order.add(rec)

    def remove(self, rec: AgentRecord) -> None:
        aid = rec.agent.id
        for order in rec.slots:
            order.discard(aid)

    def _slots_of(self, rec: AgentRecord) -> list[IdleOrder]:
        skills = rec.agent.skills
        slots = []
        for queue in rec.agent.queues:
            order = self._by_queue.get(queue)
            if order is None:
                order = self._by_queue[queue] = IdleOrder()
                self._asked[queue] = []
            slots.append(order)
            for combo in self._asked[queue]:
                level = self._level(skills, combo)
                if level:
                    slots.append(self._by_combo[(queue, combo)][level])
        return slots

    def _buckets(self, queue: str, combo: tuple[str, ...]) -> list[IdleOrder]:
        """The (queue, combination) index, built from the ready members on first use."""
        key = (queue, combo)
        buckets = self._by_combo.get(key)
        if buckets is None:
            buckets = self._by_combo[key] = [IdleOrder() for _ in range(MAX_PROFICIENCY + 1)]
            if queue not in self._by_queue:
                self._by_queue[queue] = IdleOrder()
                self._asked[queue] = []
            self._asked[queue].append(combo)
            self._version += 1
            for rec in self.members(queue):
                level = self._level(rec.agent.skills, combo)
                if level:
                    buckets[level].add(rec)
                    rec.slots.append(buckets[level])  # so remove() finds it
        return buckets

    def ready_in(self, queue: str) -> int:
        order = self._by_queue.get(queue)
        return len(order) if order is not None else 0

    def members(self, queue: str) -> Iterator[AgentRecord]:
        order = self._by_queue.get(queue)
        return iter(order) if order is not None else iter(())

    def best(self, queue: str, req: Requirement, policy: Policy) -> tuple[AgentRecord, int] | None:
        """The ready member of ``queue`` to offer a call with ``req`` to, and its score."""
        if policy is Policy.HIGHEST_PROFICIENCY:
            return self._best_proficiency(queue, req)
        best: tuple[tuple[float, ...], AgentRecord, int] | None = None
        for rec in self.members(queue):
            s = score(rec.agent, req)
            if s is None:
                continue
            if policy is Policy.LONGEST_IDLE:
                return rec, s  # members() is in idle order
            if policy is Policy.LEAST_CALLS:
                key: tuple[float, ...] = (rec.calls_today, rec.idle_since)
            else:  # ROUND_ROBIN: least recently offered a call of this queue
                key = (rec.last_offer.get(queue, -1), rec.idle_since)
            if best is None or key < best[0]:
                best = (key, rec, s)
        return (best[1], best[2]) if best is not None else None

    def _best_proficiency(self, queue: str, req: Requirement) -> tuple[AgentRecord, int] | None:
        """Per alternative: the first agent speaking the language in the highest bucket
        (buckets are by score, each in idle order); the best over the alternatives."""
        best_rec: AgentRecord | None = None
        best_score = -1
        lang = req.language
        for alt in req.alternatives:
            if not alt:  # any member will do: score 0, longest idle first
                if best_rec is None:
                    for rec in self.members(queue):
                        if lang is None or lang in rec.agent.languages:
                            best_rec, best_score = rec, 0
                            break
                continue
            buckets = self._buckets(queue, alt)
            for level in range(MAX_PROFICIENCY, max(req.min_proficiency, best_score) - 1, -1):
                for rec in buckets[level]:
                    if lang is None or lang in rec.agent.languages:
                        if level > best_score or (best_rec is not None
                                                  and rec.idle_since < best_rec.idle_since):
                            best_rec, best_score = rec, level
                        break
                else:
                    continue
                break
        return (best_rec, best_score) if best_rec is not None else None
