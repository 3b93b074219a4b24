"""Index of ready agents, so a call finds its agent without walking every member.

For each (queue, skill) the ready members are kept in ten buckets by proficiency; each
bucket (and each queue's list of all ready members) is a dict in idle order (insertion
order = longest idle first). An agent coming back with an older ``idle_since`` (an offer
cancelled by the caller) marks the bucket for re-sorting on its next read.

A (queue, skill) index is built the first time a call of that queue asks for that skill,
so an agent becoming ready touches only the skills its queues' callers actually need.

Cost of a search with the default policy, one required skill: the first non-empty bucket
from 10 down to the minimum, then its first agent speaking the language - O(1) typical.
"""

from __future__ import annotations

from collections.abc import Iterator

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
        self._by_skill: dict[tuple[str, str], list[IdleOrder]] = {}
        self._count: dict[tuple[str, str], int] = {}
        self._asked: dict[str, set[str]] = {}  # queue -> skills with an index

    def add(self, rec: AgentRecord) -> None:
        agent = rec.agent
        skills = agent.skills
        for queue in agent.queues:
            order = self._by_queue.get(queue)
            if order is None:
                order = self._by_queue[queue] = IdleOrder()
                self._asked[queue] = set()
            order.add(rec)
            for skill in self._asked[queue]:
                level = skills.get(skill)
                if level is not None:
                    key = (queue, skill)
                    self._by_skill[key][level].add(rec)
                    self._count[key] += 1

    def remove(self, rec: AgentRecord) -> None:
        agent = rec.agent
        aid = agent.id
        skills = agent.skills
        for queue in agent.queues:
            self._by_queue[queue].discard(aid)
            for skill in self._asked[queue]:
                level = skills.get(skill)
                if level is not None:
                    key = (queue, skill)
                    self._by_skill[key][level].discard(aid)
                    self._count[key] -= 1

    def _buckets(self, queue: str, skill: str) -> list[IdleOrder]:
        """The (queue, skill) index, built from the ready members on first use."""
        key = (queue, skill)
        buckets = self._by_skill.get(key)
        if buckets is None:
            buckets = self._by_skill[key] = [IdleOrder() for _ in range(MAX_PROFICIENCY + 1)]
            self._count[key] = 0
            self._asked.setdefault(queue, set()).add(skill)
            self._by_queue.setdefault(queue, IdleOrder())
            for rec in self.members(queue):
                level = rec.agent.skills.get(skill)
                if level is not None:
                    buckets[level].add(rec)
                    self._count[key] += 1
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
        best_rec: AgentRecord | None = None
        best_score = -1
        lang = req.language
        minp = req.min_proficiency
        for alt in req.alternatives:
            if not alt:  # any member will do: score 0, longest idle first
                if best_rec is None:
                    for rec in self.members(queue):
                        if lang is None or lang in rec.agent.languages:
                            best_rec, best_score = rec, 0
                            break
                continue
            if len(alt) == 1:
                pivot = alt[0]
            else:
                for skill in alt:
                    self._buckets(queue, skill)
                counts = self._count
                pivot = min(alt, key=lambda s: counts[(queue, s)])
            buckets = self._buckets(queue, pivot)
            single = len(alt) == 1
            for level in range(MAX_PROFICIENCY, minp - 1, -1):
                if level < best_score:
                    break
                for rec in buckets[level]:
                    if lang is not None and lang not in rec.agent.languages:
                        continue
                    if single:
                        s = level
                    else:
                        skills = rec.agent.skills
                        s = min(skills.get(k, 0) for k in alt)
                        if s < minp:
                            continue
                    if s > best_score or (s == best_score and best_rec is not None
                                          and rec.idle_since < best_rec.idle_since):
                        best_rec, best_score = rec, s
                    if single:
                        break  # the rest of the bucket has the same score and idled less
        return (best_rec, best_score) if best_rec is not None else None
