"""Relaxation over wait time, RONA, callback in place, exits, wrap-up, estimates, explain."""

from __future__ import annotations

from dataclasses import replace

from acd_helpers import agent, arrive, call, feed, make_router, offers, ready

from acd.core import (
    AgentLoggedIn,
    AgentLoggedOut,
    AgentNotReady,
    AgentReady,
    Announce,
    CallbackRequested,
    CallEnded,
    CallLeft,
    CancelOffer,
    Exit,
    ExitQueue,
    ExitTo,
    MoveQueue,
    Offer,
    OfferAccepted,
    OfferFailed,
    QueueConfig,
    Queued,
    Relaxation,
    Relaxed,
    Router,
    Tick,
    WrapUpDone,
    WrapUpExtend,
)

STEPS = (Relaxation(30, min_proficiency=3), Relaxation(60, alternative=("general",)),
         Relaxation(120, overflow_to="X"))


def _relaxing_router() -> Router:
    return Router([QueueConfig("q", skills=("s",), min_proficiency=7, relaxations=STEPS),
                   QueueConfig("X", skills=("x",))])


def test_relaxation_steps_in_order() -> None:
    """Each row: an agent who only qualifies from that step on, and when it gets the call."""
    table = [
        (agent("pro3", {"s": 3}), 30.0, "relaxed 1"),
        (agent("gen", {"general": 5}), 60.0, "relaxed 2"),
        (agent("xonly", {"x": 5}, queues=("X",)), 120.0, "moved"),
    ]
    for member, when, _label in table:
        r = _relaxing_router()
        ready(r, member)
        arrive(r, call("c", 0, min_proficiency=7))
        assert offers(feed(r, Tick(when - 0.5))) == []
        out = feed(r, Tick(when))
        assert offers(out) == [("c", member.id)], (member.id, out)
        assert out[[type(c) for c in out].index(Offer)].at == when


def test_relaxation_is_reported_and_overflow_keeps_the_enqueue_time() -> None:
    r = _relaxing_router()
    arrive(r, call("c", 0, min_proficiency=7))
    out = feed(r, Tick(200))
    assert [c.step for c in out if isinstance(c, Relaxed)] == [1, 2]
    [move] = [c for c in out if isinstance(c, MoveQueue)]
    assert (move.from_queue, move.to_queue, move.at) == ("q", "X", 120)
    arrive(r, call("x1", 150, queue="X", skills=("x",)))
    assert r.waiting_calls("X") == ["c", "x1"]  # the overflowed caller is still first


def test_rona_makes_the_agent_not_ready_and_the_caller_keeps_the_place() -> None:
    r = make_router(ring_timeout_s=15)
    ready(r, agent("slow"))
    arrive(r, call("first", 1))
    arrive(r, call("second", 2))
    out = feed(r, Tick(16))  # ring timeout of the offer made at 1
    assert [c for c in out if isinstance(c, CancelOffer)][0].why == "rona"
    view = r.agent("slow")
    assert view is not None and (view.state, view.reason) == ("not_ready", "RONA")
    assert r.waiting_calls("q") == ["first", "second"]
    assert r.position("first") == 1
    assert offers(ready(r, agent("next"), at=20)) == [("first", "next")]


def test_offer_failed_event_is_a_rona_too() -> None:
    r = make_router()
    ready(r, agent("a1"), agent("a2", {"s": 4}))
    arrive(r, call("c", 1))
    out = feed(r, OfferFailed(3, "c", "a1", "rona"))
    assert r.agent("a1").reason == "RONA"  # type: ignore[union-attr]
    assert offers(out) == [("c", "a2")]


def test_an_offer_failing_past_offer_until_leaves_the_queue_and_the_agent_not_ready() -> None:
    # a predictive customer past the connect window: the next agent is not offered it
    r = make_router()
    ready(r, agent("a1"), agent("a2", {"s": 4}))
    arrive(r, replace(call("c", 1), offer_until=3))
    out = feed(r, OfferFailed(3, "c", "a1", "busy"))
    assert r.agent("a1").reason == "busy"  # type: ignore[union-attr]
    assert offers(out) == []
    [exit_] = [c for c in out if isinstance(c, ExitQueue)]
    assert (exit_.why, exit_.waited_s) == ("abandon", 2)
    assert r.call("c") is None and r.agent("a2").state == "ready"  # type: ignore[union-attr]


def test_the_ring_timer_past_offer_until_is_an_abandon_too() -> None:
    # the router's own ring timer before Asterisk's verdict: the same end as OfferFailed
    r = make_router(ring_timeout_s=10.0)
    ready(r, agent("a1"), agent("a2", {"s": 4}))
    arrive(r, replace(call("c", 1), offer_until=3))
    out = feed(r, Tick(11))
    assert [(c.why, c.agent_id) for c in out if isinstance(c, CancelOffer)] == [("rona", "a1")]
    assert r.agent("a1").reason == "RONA"  # type: ignore[union-attr]
    assert offers(out) == []
    [exit_] = [c for c in out if isinstance(c, ExitQueue)]
    assert (exit_.why, exit_.waited_s) == ("abandon", 10)
    assert r.call("c") is None and r.agent("a2").state == "ready"  # type: ignore[union-attr]


def test_an_offer_failing_before_offer_until_goes_back_in_line() -> None:
    r = make_router(ring_timeout_s=10.0)
    ready(r, agent("a1"), agent("a2", {"s": 4}))
    arrive(r, replace(call("c", 1), offer_until=30))
    assert offers(feed(r, Tick(11))) == [("c", "a2")]


def test_an_offer_withdrawn_past_offer_until_is_an_abandon() -> None:
    # the offered agent goes not ready after the window: nobody else is offered it
    r = make_router(ring_timeout_s=10.0)
    ready(r, agent("a1"), agent("a2", {"s": 4}))
    arrive(r, replace(call("c", 1), offer_until=3))
    out = feed(r, AgentNotReady(4, "a1", "break"))
    assert [c.why for c in out if isinstance(c, CancelOffer)] == ["agent_not_ready"]
    assert offers(out) == []
    [exit_] = [c for c in out if isinstance(c, ExitQueue)]
    assert (exit_.why, exit_.waited_s) == ("abandon", 3)
    assert r.agent("a1").reason == "break"  # type: ignore[union-attr]


def test_caller_hangup_while_ringing_cancels_and_frees_the_agent() -> None:
    r = make_router()
    ready(r, agent("a1"), at=0)
    arrive(r, call("c", 5))
    out = feed(r, CallLeft(8, "c"))
    assert any(isinstance(c, CancelOffer) and c.why == "caller_left" for c in out)
    [exit_] = [c for c in out if isinstance(c, ExitQueue)]
    assert (exit_.why, exit_.waited_s) == ("abandon", 3)
    view = r.agent("a1")
    assert view is not None and view.state == "ready" and view.idle_since == 0


def test_agent_going_not_ready_while_offered_returns_the_call_to_its_place() -> None:
    r = make_router()
    ready(r, agent("a1"))
    arrive(r, call("c1", 1), call("c2", 2))
    feed(r, AgentNotReady(3, "a1", "break"))
    assert r.waiting_calls("q") == ["c1", "c2"]
    feed(r, AgentLoggedIn(4, agent("a2")))
    assert offers(feed(r, AgentReady(5, "a2"))) == [("c1", "a2")]
    feed(r, AgentLoggedOut(6, "a2"))
    assert r.waiting_calls("q") == ["c1", "c2"]


def test_callback_keeps_the_place_and_calls_back_when_its_turn_comes() -> None:
    r = make_router(announce_every_s=30)
    arrive(r, call("c1", 0), call("c2", 1), call("c3", 2))
    feed(r, CallbackRequested(10, "c2", "+8613800000000"))
    assert r.waiting_calls("q") == ["c1", "c2", "c3"]
    out = feed(r, Tick(32.5))
    assert {c.call_id for c in out if isinstance(c, Announce)} == {"c1", "c3"}  # not c2
    ready(r, agent("a1"), at=40)
    feed(r, OfferAccepted(41, "c1", "a1"))
    out = feed(r, CallEnded(50, "c1", "a1"))
    [offer] = [c for c in out if isinstance(c, Offer)]
    assert (offer.call_id, offer.callback) == ("c2", "+8613800000000")
    assert "call the customer back" in offer.action and "bridge" in offer.action


def test_max_wait_exits_to_voicemail() -> None:
    r = make_router(max_wait_s=60, on_timeout=Exit(ExitTo.VOICEMAIL))
    arrive(r, call("c", 0))
    [ex] = [c for c in feed(r, Tick(61)) if isinstance(c, ExitQueue)]
    assert (ex.why, ex.to, ex.waited_s, ex.at) == ("timeout", "voicemail", 60, 60)
    assert r.call("c") is None


def test_full_queue_and_empty_queue_exits() -> None:
    r = Router([QueueConfig("q", skills=("s",), max_waiting=1, on_full=Exit(ExitTo.CALLBACK),
                            on_empty=Exit(ExitTo.OVERFLOW, "X")),
                QueueConfig("X", skills=("x",))])
    out = arrive(r, call("lonely", 0))
    assert [c.to_queue for c in out if isinstance(c, MoveQueue)] == ["X"]
    feed(r, AgentLoggedIn(1, agent("a1")))
    assert [type(c) for c in arrive(r, call("c1", 2))] == [Queued]
    [ex] = [c for c in arrive(r, call("c2", 3)) if isinstance(c, ExitQueue)]
    assert (ex.why, ex.to) == ("full", "callback")
    out = feed(r, AgentLoggedOut(4, "a1"))  # last member leaves: callers move on
    assert [(c.call_id, c.why) for c in out if isinstance(c, ExitQueue)] == [("c1", "empty")]


def test_wrap_up_is_timed_per_queue_and_can_be_extended() -> None:
    r = make_router(wrap_up_s=30)
    ready(r, agent("a1"))
    arrive(r, call("c1", 0), call("c2", 1))
    feed(r, OfferAccepted(1, "c1", "a1"), CallEnded(10, "c1", "a1"), WrapUpExtend(20, "a1", 15))
    assert offers(feed(r, Tick(40))) == []  # would have ended at 40 without the extension
    out = feed(r, Tick(55))
    assert offers(out) == [("c2", "a1")] and out[-1].at == 55


def test_wrap_up_done_early() -> None:
    r = make_router(wrap_up_s=30)
    ready(r, agent("a1"))
    arrive(r, call("c1", 0))
    feed(r, OfferAccepted(1, "c1", "a1"), CallEnded(10, "c1", "a1"))
    feed(r, WrapUpDone(12, "a1"))
    assert r.agent("a1").state == "ready"  # type: ignore[union-attr]


def test_estimated_wait_is_position_times_aht_over_staffed_agents() -> None:
    r = make_router(default_aht_s=120)
    ready(r, agent("a1"), agent("a2"))
    arrive(r, call("c1", 0), call("c2", 0))
    feed(r, OfferAccepted(0, "c1", "a1"), OfferAccepted(0, "c2", "a2"))
    out = arrive(r, call("c3", 1), call("c4", 2))
    assert [c.estimated_wait_s for c in out if isinstance(c, Queued)] == [60.0, 120.0]
    assert r.estimated_wait("q") == 180.0
    assert r.estimated_wait("nobody") is None


def test_explain_says_why_not_each_agent() -> None:
    r = make_router()
    ready(r, agent("busy"), agent("wrong_lang", {"s": 9}, languages=("en",)),
          agent("novice", {"s": 2}, languages=("zh",)), agent("other", {"t": 9}, languages=("zh",)))
    arrive(r, call("c0", 0))  # busy gets it
    feed(r, AgentLoggedIn(1, agent("paused", languages=("zh",))))
    arrive(r, call("c", 2, min_proficiency=3, language="zh"))
    why = {e.agent_id: (e.eligible, e.reason) for e in r.explain("c")}
    assert why == {
        "busy": (False, "does not speak zh"),
        "wrong_lang": (False, "does not speak zh"),
        "novice": (False, "proficiency too low (s 2 < 3)"),
        "other": (False, "missing skill s"),
        "paused": (False, "not ready (login)"),
    }
    feed(r, AgentReady(3, "paused"))
    assert r.explain("c")[0].reason == "being offered this call (reserved)"
