"""Which ready agent gets a call, per policy; and which waiting call a freed agent takes."""

from __future__ import annotations

from acd_helpers import agent, arrive, call, feed, make_router, offers, ready

from acd.core import (
    AgentLoggedIn,
    AgentReady,
    CallEnded,
    Membership,
    Offer,
    OfferAccepted,
    Policy,
    QueueConfig,
    ResetDailyCounters,
    Router,
)


def test_highest_proficiency_wins() -> None:
    r = make_router()
    ready(r, agent("low", {"s": 3}), agent("high", {"s": 9}), agent("mid", {"s": 6}))
    assert offers(arrive(r, call("c", 1))) == [("c", "high")]


def test_equal_proficiency_goes_to_the_longest_idle() -> None:
    r = make_router()
    ready(r, agent("early", {"s": 7}), at=2)
    ready(r, agent("late", {"s": 7}), at=5)
    assert offers(arrive(r, call("c", 6))) == [("c", "early")]


def test_multi_skill_call_uses_the_weakest_skill_of_each_agent() -> None:
    r = make_router(skills=("s", "t"))
    ready(r, agent("lopsided", {"s": 10, "t": 2}), agent("even", {"s": 6, "t": 6}))
    assert offers(arrive(r, call("c", 1, skills=("s", "t")))) == [("c", "even")]


def test_longest_idle_policy_ignores_proficiency() -> None:
    r = make_router(policy=Policy.LONGEST_IDLE)
    ready(r, agent("novice", {"s": 1}), at=1)
    ready(r, agent("expert", {"s": 10}), at=3)
    assert offers(arrive(r, call("c", 4))) == [("c", "novice")]


def _answer_and_finish(r: Router, cid: str, aid: str, at: float) -> None:
    feed(r, OfferAccepted(at, cid, aid), CallEnded(at + 1, cid, aid))


def test_least_calls_policy_prefers_the_agent_with_fewer_calls_today() -> None:
    r = make_router(policy=Policy.LEAST_CALLS)
    ready(r, agent("a", {"s": 5}), at=0)
    ready(r, agent("b", {"s": 5}), at=1)
    _answer_and_finish(r, *offers(arrive(r, call("c1", 2)))[0], at=3)  # a took one
    assert offers(arrive(r, call("c2", 10))) == [("c2", "b")]
    _answer_and_finish(r, "c2", "b", 11)
    feed(r, ResetDailyCounters(20))
    # both at zero again: the longest idle (a, ready since 4) wins
    assert offers(arrive(r, call("c3", 21))) == [("c3", "a")]


def test_round_robin_rotates_through_members() -> None:
    r = make_router(policy=Policy.ROUND_ROBIN)
    ready(r, agent("a"), agent("b"), agent("c"))
    got = []
    for i in range(6):
        (cid, aid), = offers(arrive(r, call(f"c{i}", 1 + i * 10)))
        got.append(aid)
        _answer_and_finish(r, cid, aid, 2 + i * 10)
    assert got == ["a", "b", "c", "a", "b", "c"]


def test_offer_says_why_this_agent() -> None:
    r = make_router()
    ready(r, agent("a1", {"s": 8}))
    [offer] = [c for c in arrive(r, call("c", 5, min_proficiency=3)) if isinstance(c, Offer)]
    assert "highest proficiency" in offer.why and "proficiency 8" in offer.why
    assert "idle 5 s" in offer.why


def test_freed_agent_takes_highest_priority_then_longest_wait() -> None:
    r = make_router()
    ready(r, agent("a1"))
    feed(r, *[])
    (_, _), = offers(arrive(r, call("busy", 0)))
    feed(r, OfferAccepted(0, "busy", "a1"))
    arrive(r, call("old", 1), call("vip", 5, priority=10), call("new", 3))
    assert r.waiting_calls("q") == ["vip", "old", "new"]
    got = offers(feed(r, CallEnded(10, "busy", "a1")))
    assert got == [("vip", "a1")]


def test_agent_tier_serves_its_primary_queue_first() -> None:
    r = Router([QueueConfig("main", skills=("s",)), QueueConfig("backup", skills=("s",))])
    a = agent("a1", queues={"main": Membership(priority=1), "backup": Membership(priority=0)})
    arrive(r, call("b1", 0, queue="backup"), call("m1", 50, queue="main"))
    assert offers(ready(r, a, at=60)) == [("m1", "a1")]


def test_fairness_across_queues_by_weight() -> None:
    """Same tier: the head whose wait x queue weight is larger is served first."""
    cases = [
        # (wait of head in A (weight 2), wait of head in B (weight 1)) -> served
        ((10, 15), "a"),   # 20 > 15
        ((10, 25), "b"),   # 20 < 25
        ((30, 30), "a"),
    ]
    for (wait_a, wait_b), expected in cases:
        r = Router([QueueConfig("A", skills=("s",)), QueueConfig("B", skills=("s",))])
        arrive(r, *sorted([call("a", 100 - wait_a, queue="A"), call("b", 100 - wait_b, queue="B")],
                          key=lambda c: c.enqueued_at))
        x = agent("x", queues={"A": Membership(weight=2), "B": Membership(weight=1)})
        assert offers(ready(r, x, at=100)) == [(expected, "x")], (wait_a, wait_b)


def test_profile_change_of_a_ready_agent_takes_effect_at_once() -> None:
    r = make_router(skills=("t",))
    ready(r, agent("a1", {"s": 5}))
    assert offers(arrive(r, call("c", 1, skills=("t",)))) == []
    out = feed(r, AgentLoggedIn(2, agent("a1", {"s": 5, "t": 6})))
    assert offers(out) == [("c", "a1")]


def test_queue_configuration_can_change_while_running() -> None:
    r = make_router()
    arrive(r, call("c1", 0))
    r.set_queue(QueueConfig("q", skills=("s",), max_waiting=1))
    assert [type(c).__name__ for c in arrive(r, call("c2", 1))] == ["ExitQueue"]


def test_agent_becoming_ready_picks_up_the_waiting_call() -> None:
    r = make_router()
    arrive(r, call("c", 0))
    assert offers(feed(r, AgentLoggedIn(1, agent("a1")))) == []  # logged in not ready
    assert offers(feed(r, AgentReady(2, "a1"))) == [("c", "a1")]
    assert r.agent("a1").state == "reserved"  # type: ignore[union-attr]
