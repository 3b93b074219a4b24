from __future__ import annotations

import random

from qa.sampling import Candidate, Rules, assign, pick


def _cands() -> list[Candidate]:
    out = [Candidate(i, f"c{i}", "1001" if i < 10 else "1002", 120.0) for i in range(20)]
    out[3] = Candidate(3, "c3", "1001", 120.0, ("dead_air",))
    out[12] = Candidate(12, "c12", "1002", 5.0)
    out[15] = Candidate(15, "c15", "1002", 3000.0, ("talk_ratio",))  # flag not targeted
    return out


def test_targeted_calls_plus_k_random_per_agent() -> None:
    got = pick(_cands(), Rules(per_agent=2), random.Random(1))
    rules = {c.recording_id: r for c, r in got}
    assert rules[3] == "flag:dead_air" and rules[12] == "short_talk" and rules[15] == "long_talk"
    randoms = [c for c, r in got if r == "random"]
    assert sorted(c.agent for c in randoms) == ["1001", "1001", "1002", "1002"]
    assert not {3, 12, 15} & {c.recording_id for c in randoms}
    assert got == pick(_cands(), Rules(per_agent=2), random.Random(1))  # seeded: reproducible


def test_assignment_round_robin_with_due_date_and_never_self() -> None:
    picked = pick(_cands(), Rules(per_agent=1, due_days=2), random.Random(2))
    out = assign(picked, ["qa1", "1001"], now=1000.0, rules=Rules(due_days=2))
    assert all(a.due_at == 1000.0 + 2 * 86400 for a in out)
    assert all(a.evaluator != a.agent for a in out)
    assert {a.evaluator for a in out} == {"qa1", "1001"}
