"""Who may take which call: skills (all of them), proficiency, language, membership."""

from __future__ import annotations

import pytest
from acd_helpers import agent, arrive, call, make_router, offers, ready

from acd.core import Requirement, WaitingCall
from acd.core.eligibility import score, why_not

# agent skills, agent languages, call skills, min proficiency, call language -> reason or None
CASES = [
    ({"s": 5}, {"en"}, ("s",), 1, None, None),
    ({"s": 5}, {"en"}, ("s",), 5, None, None),
    ({"s": 4}, {"en"}, ("s",), 5, None, "proficiency too low (s 4 < 5)"),
    ({"s": 9}, {"en"}, ("s", "t"), 1, None, "missing skill t"),
    ({"s": 9, "t": 2}, {"en"}, ("s", "t"), 3, None, "proficiency too low (t 2 < 3)"),
    ({"s": 9, "t": 3}, {"en"}, ("s", "t"), 3, None, None),
    ({"s": 9}, {"en"}, ("s",), 1, "zh", "does not speak zh"),
    ({"s": 9}, {"en", "zh"}, ("s",), 1, "zh", None),
    ({}, {"en"}, (), 1, None, None),  # a call needing no skill: any member
    ({}, {"en"}, ("s",), 1, None, "missing skill s"),
]


@pytest.mark.parametrize(("skills", "langs", "need", "minp", "lang", "reason"), CASES)
def test_eligibility_table(skills: dict[str, int], langs: set[str], need: tuple[str, ...],
                           minp: int, lang: str | None, reason: str | None) -> None:
    a = agent("a1", skills, languages=langs)
    req = Requirement.of(WaitingCall("c", "q", need, minp, lang))
    assert why_not(a, "q", req) == reason
    assert (score(a, req) is not None) == (reason is None)
    # and the router agrees: it offers the call exactly when the agent is eligible
    r = make_router(skills=need)
    ready(r, a)
    got = offers(arrive(r, call("c", 1.0, skills=need, min_proficiency=minp, language=lang)))
    assert got == ([("c", "a1")] if reason is None else [])


def test_not_a_member_is_never_offered() -> None:
    r = make_router()
    ready(r, agent("a1", {"s": 10}, queues=("other",)))
    assert offers(arrive(r, call("c"))) == []
    assert why_not(agent("a1", queues=("other",)), "q", Requirement.of(call("c"))) == \
        "not a member of queue q"


def test_score_is_the_weakest_required_skill() -> None:
    req = Requirement.of(call("c", skills=("s", "t")))
    assert score(agent("a", {"s": 9, "t": 4}), req) == 4
