"""A call that reaches an agent outside an offer (blind or attended transfer, conference):
``AgentTookCall`` puts the agent on the call through the one transition table, so the
router never offers that agent another call, the call counts for the agent, and its end
leads to wrap-up exactly as for an offered call."""

from __future__ import annotations

from acd_helpers import agent, arrive, call, feed, make_router, offers, ready

from acd.core import (
    AgentLoggedIn,
    AgentNotReady,
    AgentTookCall,
    CallEnded,
    CancelOffer,
    OfferAccepted,
    OfferRinging,
    Rejection,
    SetAgentState,
    Tick,
    WrapUpDone,
)

A1, A2 = agent("a1"), agent("a2")


def _states(out: list) -> list[tuple[str, str, str]]:  # type: ignore[type-arg]
    return [(c.agent_id, c.previous, c.state) for c in out if isinstance(c, SetAgentState)]


def test_ready_agent_taking_a_transfer_is_on_call_and_gets_no_offer() -> None:
    r = make_router(wrap_up_s=10)
    ready(r, A1)
    out = r.handle(AgentTookCall(1, "a1", "x1", "q"))
    assert _states(out) == [("a1", "ready", "on_call")]
    view = r.agent("a1")
    assert view is not None and (view.state, view.call_id, view.calls_today) == ("on_call", "x1", 1)
    out = arrive(r, call("c1", at=2))
    assert offers(out) == []
    assert r.position("c1") == 1
    assert r.queue("q").ready == 0


def test_transferred_call_ends_in_wrap_up_then_ready_with_the_next_caller() -> None:
    r = make_router(wrap_up_s=10)
    ready(r, A1)
    feed(r, AgentTookCall(1, "a1", "x1", "q"))
    arrive(r, call("c1", at=2))
    out = r.handle(CallEnded(5, "x1", "a1"))
    assert _states(out) == [("a1", "on_call", "wrap_up")]
    assert offers(r.handle(Tick(14))) == []
    out = r.handle(Tick(15))  # wrap-up over: the waiting caller goes to a1
    assert offers(out) == [("c1", "a1")]


def test_handle_time_of_a_taken_call_feeds_the_queue_average() -> None:
    r = make_router(wrap_up_s=0, default_aht_s=100)
    ready(r, A1)
    feed(r, AgentTookCall(10, "a1", "x1", "q"), CallEnded(60, "x1", "a1"))
    assert r.queue("q").aht_s == 100 + 0.1 * (50 - 100)


def test_not_ready_agent_returns_to_the_same_reason_after_the_wrap_up() -> None:
    r = make_router(wrap_up_s=10)
    feed(r, AgentLoggedIn(0, A1), AgentNotReady(0, "a1", "meal"))
    out = feed(r, AgentTookCall(1, "a1", "x1", "q"), CallEnded(3, "x1", "a1"), WrapUpDone(4, "a1"))
    assert _states(out) == [("a1", "not_ready", "on_call"), ("a1", "on_call", "wrap_up"),
                            ("a1", "wrap_up", "not_ready")]
    view = r.agent("a1")
    assert view is not None and view.reason == "meal"


def test_reserved_agent_taking_a_transfer_gives_the_offer_back_to_the_line() -> None:
    r = make_router()
    ready(r, A1)
    assert offers(arrive(r, call("c1", at=1))) == [("c1", "a1")]
    out = r.handle(AgentTookCall(2, "a1", "x1", "q"))
    assert _states(out) == [("a1", "reserved", "on_call")]
    assert [(c.call_id, c.agent_id, c.why) for c in out if isinstance(c, CancelOffer)] == [
        ("c1", "a1", "agent_took_call")]
    assert r.position("c1") == 1  # kept its place, enqueue time kept
    out = ready(r, A2, at=3)
    assert offers(out) == [("c1", "a2")]
    assert out[-1].waited_s == 2  # type: ignore[attr-defined]


def test_ringing_agent_taking_a_transfer_cannot_then_accept_the_old_offer() -> None:
    r = make_router()
    ready(r, A1)
    arrive(r, call("c1", at=1))
    feed(r, OfferRinging(2, "c1", "a1"), AgentTookCall(3, "a1", "x1", "q"))
    [rej] = [c for c in r.handle(OfferAccepted(4, "c1", "a1")) if isinstance(c, Rejection)]
    assert "not being offered" in rej.reason
    assert r.agent("a1").call_id == "x1"  # type: ignore[union-attr]


def test_wrap_up_agent_taking_a_transfer_skips_the_rest_of_the_wrap_up() -> None:
    r = make_router(wrap_up_s=30)
    ready(r, A1)
    arrive(r, call("c1", at=1))
    feed(r, OfferAccepted(2, "c1", "a1"), CallEnded(3, "c1", "a1"))
    out = feed(r, AgentTookCall(4, "a1", "x1", "q"), Tick(40))  # the old wrap-up timer is stale
    assert _states(out) == [("a1", "wrap_up", "on_call")]
    assert r.agent("a1").calls_today == 2  # type: ignore[union-attr]


def test_agent_already_on_a_call_cannot_take_another() -> None:
    r = make_router()
    ready(r, A1)
    feed(r, AgentTookCall(1, "a1", "x1", "q"))
    [rej] = r.handle(AgentTookCall(2, "a1", "x2", "q"))
    assert isinstance(rej, Rejection)
    assert rej.reason == ("Agent a1 cannot take call while on_call: the agent is already on a "
                          "call; finish it before taking another.")
    assert r.agent("a1").call_id == "x1"  # type: ignore[union-attr]


def test_logged_out_or_unknown_agent_and_unknown_queue_are_refused() -> None:
    r = make_router()
    [rej] = r.handle(AgentTookCall(1, "a9", "x1", "q"))
    assert isinstance(rej, Rejection) and "log the agent in" in rej.reason
    ready(r, A1)
    [rej] = r.handle(AgentTookCall(1, "a1", "x1", "nope"))
    assert isinstance(rej, Rejection) and "Unknown queue 'nope'" in rej.reason
    assert r.agent("a1").state == "ready"  # type: ignore[union-attr]
