"""Calls that arrive held back (a restarted backend's pending callbacks before its first
AMI resync): in line, counted and placed from the start, offered only once released."""

from __future__ import annotations

from acd_helpers import agent, arrive, call, feed, make_router, offers, ready

from acd.core import CallArrived, CallReleased, Queued, Rejection, Relaxation, Tick


def test_a_held_back_call_keeps_its_place_but_no_agent_is_offered_it_until_released() -> None:
    router = make_router()
    out = router.handle(CallArrived(1.0, call("c1", at=1.0), held_back=True))
    assert [(q.call_id, q.position) for q in out if isinstance(q, Queued)] == [("c1", 1)]
    assert offers(ready(router, agent("a1"), at=2.0)) == []  # ready, yet nothing offered
    arrive(router, call("c2", at=3.0))  # a later caller is offered first: c1 is held back
    assert offers(ready(router, agent("a2"), at=4.0)) == []
    router.handle(Tick(5.0))
    assert router.waiting_calls("q") == ["c1"]
    q = router.queue("q")
    assert (q.waiting, q.longest_wait_s) == (1, 4.0)
    assert router.position("c1") == 1
    view = router.call("c1")
    assert view is not None and (view.state, view.enqueued_at) == ("waiting", 1.0)
    out = router.handle(CallReleased(6.0, "c1"))
    assert offers(out) == [("c1", "a2")]
    assert router.waiting_calls("q") == []


def test_a_held_back_call_counts_for_the_place_of_callers_behind_it() -> None:
    router = make_router()
    router.handle(CallArrived(1.0, call("c1", at=1.0), held_back=True))
    out = arrive(router, call("c2", at=2.0))
    assert [(q.call_id, q.position) for q in out if isinstance(q, Queued)] == [("c2", 2)]
    assert router.waiting_calls("q") == ["c1", "c2"]
    ready(router, agent("a1"), at=3.0)  # takes c2; c1 waits to be released
    assert router.waiting_calls("q") == ["c1"]
    assert offers(feed(router, CallReleased(4.0, "c1"))) == []  # no free agent: it waits
    assert router.waiting_calls("q") == ["c1"] and router.position("c1") == 1


def test_a_held_back_call_is_not_offered_after_a_relaxation_step() -> None:
    router = make_router(relaxations=(Relaxation(10, min_proficiency=1),))
    router.handle(CallArrived(0.0, call("c1", at=0.0, min_proficiency=5), held_back=True))
    ready(router, agent("a1", {"s": 3}), at=1.0)
    assert offers(router.handle(Tick(11.0))) == []  # relaxed to the agent's level, still held
    assert offers(router.handle(CallReleased(12.0, "c1"))) == [("c1", "a1")]


def test_releasing_a_call_that_was_not_held_back_is_refused() -> None:
    router = make_router()
    arrive(router, call("c1", at=1.0))
    for cid in ("c1", "nope"):
        (rej,) = router.handle(CallReleased(2.0, cid))
        assert isinstance(rej, Rejection) and "not held back" in rej.reason
