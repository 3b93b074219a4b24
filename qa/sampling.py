"""Which calls get evaluated: k random calls per agent, plus targeted rules (automatic-QA
flags, a survey score at or below ``survey_max``, a complaint ticket, very short or very
long talk, long hold), assigned round-robin to evaluators with a due date.

Pure: candidates, an injected ``random.Random`` and ``now`` in, assignments out. A call
picked by several rules is assigned once, under the first rule that picked it
(targeted rules first, so the reason shown is the most specific one).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Candidate:
    recording_id: int
    call_id: str
    agent: str
    talk_s: float
    flags: tuple[str, ...] = ()
    hold_s: float = 0.0
    survey_min: int | None = None  # the lowest post-call survey score, if surveyed
    complaint: bool = False  # a complaint ticket was opened from this call


@dataclass(frozen=True, slots=True)
class Rules:
    per_agent: int = 2
    flags: frozenset[str] = field(default_factory=lambda: frozenset({"dead_air", "overtalk"}))
    short_talk_s: float | None = 20.0
    long_talk_s: float | None = 1200.0
    long_hold_s: float | None = 120.0
    survey_max: int | None = 2
    complaints: bool = True
    due_days: float = 3.0


@dataclass(frozen=True, slots=True)
class Assignment:
    recording_id: int
    call_id: str
    agent: str
    evaluator: str
    rule: str
    due_at: float


def pick(cands: Sequence[Candidate], rules: Rules, rng: random.Random) -> list[tuple[Candidate, str]]:
    chosen: dict[int, tuple[Candidate, str]] = {}
    for c in cands:
        hit = sorted(set(c.flags) & rules.flags)
        if hit:
            chosen.setdefault(c.recording_id, (c, f"flag:{hit[0]}"))
        elif rules.survey_max is not None and c.survey_min is not None and c.survey_min <= rules.survey_max:
            chosen.setdefault(c.recording_id, (c, "low_survey"))
        elif rules.complaints and c.complaint:
            chosen.setdefault(c.recording_id, (c, "complaint"))
        elif rules.long_hold_s is not None and c.hold_s > rules.long_hold_s:
            chosen.setdefault(c.recording_id, (c, "long_hold"))
        elif rules.short_talk_s is not None and c.talk_s < rules.short_talk_s:
            chosen.setdefault(c.recording_id, (c, "short_talk"))
        elif rules.long_talk_s is not None and c.talk_s > rules.long_talk_s:
            chosen.setdefault(c.recording_id, (c, "long_talk"))
    by_agent: dict[str, list[Candidate]] = {}
    for c in sorted(cands, key=lambda c: c.recording_id):
        if c.recording_id not in chosen:
            by_agent.setdefault(c.agent, []).append(c)
    for agent in sorted(by_agent):
        pool = by_agent[agent]
        for c in rng.sample(pool, min(rules.per_agent, len(pool))):
            chosen[c.recording_id] = (c, "random")
    return sorted(chosen.values(), key=lambda t: t[0].recording_id)


def assign(picked: Sequence[tuple[Candidate, str]], evaluators: Sequence[str], *, now: float,
           rules: Rules) -> list[Assignment]:
    """Round-robin over ``evaluators``; an evaluator never gets their own agent's call."""
    if not evaluators:
        raise ValueError("No evaluators to assign to; add a QA analyst first.")
    out, i = [], 0
    for c, rule in picked:
        for _ in range(len(evaluators)):
            ev = evaluators[i % len(evaluators)]
            i += 1
            if ev != c.agent:
                break
        else:
            continue  # the only evaluator is this call's agent: leave it unassigned
        out.append(Assignment(c.recording_id, c.call_id, c.agent, ev, rule,
                              now + rules.due_days * 86400))
    return out
