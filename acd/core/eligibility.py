"""Who may take which call: the requirement of a waiting call after relaxation, and the
one function that decides eligibility (used by the indexes *and* by ``explain``)."""

from __future__ import annotations

from dataclasses import dataclass

from acd.core.model import Agent, QueueConfig, WaitingCall


@dataclass(frozen=True, slots=True)
class Requirement:
    """What an agent needs to take a call, as it stands now.

    ``alternatives``: the agent must have *all* skills of at least one alternative, each at
    ``min_proficiency`` or better (an empty alternative means "any member of the queue").
    ``language``: spoken by the agent, unless None.
    """

    alternatives: tuple[tuple[str, ...], ...]
    min_proficiency: int
    language: str | None

    @classmethod
    def of(cls, call: WaitingCall) -> Requirement:
        return cls((tuple(sorted(set(call.skills))),), call.min_proficiency, call.language)

    @classmethod
    def of_queue(cls, queue: QueueConfig, language: str | None) -> Requirement:
        return cls((tuple(sorted(set(queue.skills))),), queue.min_proficiency, language)

    def relaxed(self, queue: QueueConfig, steps: int) -> Requirement:
        """This requirement with the first ``steps`` relaxations of ``queue`` applied."""
        alts, min_prof, lang = list(self.alternatives), self.min_proficiency, self.language
        for step in queue.relaxations[:steps]:
            if step.min_proficiency is not None:
                min_prof = min(min_prof, step.min_proficiency)
            if step.alternative is not None:
                alt = tuple(sorted(set(step.alternative)))
                if alt not in alts:
                    alts.append(alt)
            if step.any_language:
                lang = None
        return Requirement(tuple(alts), min_prof, lang)

    def describe(self) -> str:
        alts = " or ".join("+".join(a) if a else "any skill" for a in self.alternatives)
        lang = f", language {self.language}" if self.language else ""
        return f"{alts} at proficiency >= {self.min_proficiency}{lang}"


def score(agent: Agent, req: Requirement) -> int | None:
    """The agent's proficiency for the call (the weakest required skill of the best
    alternative the agent satisfies), 0 for a call needing no skill, or None if the agent
    is not eligible on skills and language."""
    if req.language is not None and req.language not in agent.languages:
        return None
    skills = agent.skills
    best: int | None = None
    for alt in req.alternatives:
        level = min((skills.get(s, 0) for s in alt), default=0)
        if alt and level < req.min_proficiency:
            continue
        if best is None or level > best:
            best = level
    return best


def why_not(agent: Agent, queue: str, req: Requirement) -> str | None:
    """One sentence on why ``agent`` cannot take a call of ``queue`` with ``req``, else None."""
    if queue not in agent.queues:
        return f"not a member of queue {queue}"
    if req.language is not None and req.language not in agent.languages:
        return f"does not speak {req.language}"
    reasons = []
    for alt in req.alternatives:
        missing = [s for s in alt if s not in agent.skills]
        if missing:
            reasons.append(f"missing skill {', '.join(missing)}")
            continue
        low = [f"{s} {agent.skills[s]}" for s in alt if agent.skills[s] < req.min_proficiency]
        if low:
            reasons.append(f"proficiency too low ({', '.join(low)} < {req.min_proficiency})")
            continue
        return None
    return "; or ".join(reasons)
