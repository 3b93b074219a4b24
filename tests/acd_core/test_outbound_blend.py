"""Blending in the router: an agent in an inbound queue and a campaign queue gets inbound
first by membership tier, outbound when inbound is quiet, never two things at once; the
outbound states (previewing, dialing) go through the same table."""

from __future__ import annotations

from acd_helpers import agent, arrive, call, feed, offers, ready

from acd.core import (
    AgentNotReady,
    CallEnded,
    CustomerAnswered,
    CustomerDialing,
    CustomerFailed,
    Membership,
    OfferRinging,
    PreviewShown,
    QueueConfig,
    Router,
    Tick,
    WaitingCall,
)


def blended_router() -> Router:
    return Router([QueueConfig("inbound", skills=("s",), wrap_up_s=0.0, ring_timeout_s=10.0),
                   QueueConfig("huifang", skills=("s",), wrap_up_s=0.0, ring_timeout_s=10.0)])


BLENDED = agent("a1", queues={"inbound": Membership(priority=1), "huifang": Membership(priority=0)})


def record(cid: str, at: float) -> WaitingCall:
    return WaitingCall(cid, "huifang", ("s",), 1, None, 0, at, callback="+8613800138000")


def state(r: Router, aid: str = "a1") -> str:
    view = r.agent(aid)
    assert view is not None
    return view.state


def test_a_blended_agent_gets_the_inbound_call_ahead_of_an_older_outbound_record() -> None:
    r = blended_router()
    arrive(r, record("ob1", at=1.0), call("in1", at=5.0, queue="inbound"))
    out = ready(r, BLENDED, at=6.0)
    assert offers(out) == [("in1", "a1")]  # the outbound record waited longer, inbound wins
    feed(r, CustomerDialing(7.0, "x", "a1"))  # a stray campaign event changes nothing
    assert state(r) == "reserved"


def test_outbound_goes_when_inbound_is_quiet_and_the_agent_holds_one_thing() -> None:
    r = blended_router()
    ready(r, BLENDED, at=0.0)
    out = arrive(r, record("ob1", at=1.0))
    assert offers(out) == [("ob1", "a1")]
    feed(r, OfferRinging(2.0, "ob1", "a1"), CustomerDialing(3.0, "ob1", "a1"))
    assert state(r) == "dialing"
    assert r.waiting_calls("huifang") == []  # the campaign, not the line, owns retries now
    # an inbound caller arriving while the agent dials is not offered to it
    assert offers(arrive(r, call("in1", at=4.0, queue="inbound"))) == []
    assert r.waiting_calls("inbound") == ["in1"]
    # the ring timer of the outbound offer does not RONA an agent that is dialing
    feed(r, Tick(20.0))
    assert state(r) == "dialing"
    # busy / no answer: the agent is free and takes the waiting inbound call at once
    out = feed(r, CustomerFailed(21.0, "ob1", "a1"))
    assert offers(out) == [("in1", "a1")]


def test_a_customer_who_answers_puts_the_agent_on_call_then_wrap_up() -> None:
    r = Router([QueueConfig("huifang", skills=("s",), wrap_up_s=30.0)])
    a = agent("a2", queues=("huifang",))
    ready(r, a)
    arrive(r, record("ob1", at=1.0))
    feed(r, CustomerDialing(2.0, "ob1", "a2"), CustomerAnswered(9.0, "ob1", "a2"))
    assert state(r, "a2") == "on_call"
    feed(r, CallEnded(99.0, "ob1", "a2"))
    view = r.agent("a2")
    assert view is not None and view.state == "wrap_up" and view.calls_today == 1


def test_not_ready_while_dialing_is_applied_when_the_dial_fails() -> None:
    r = blended_router()
    ready(r, BLENDED)
    arrive(r, record("ob1", at=1.0))
    feed(r, CustomerDialing(2.0, "ob1", "a1"), AgentNotReady(3.0, "a1", "break"))
    assert state(r) == "dialing"
    arrive(r, call("in1", at=4.0, queue="inbound"))
    out = feed(r, CustomerFailed(5.0, "ob1", "a1"))
    assert offers(out) == []
    view = r.agent("a1")
    assert view is not None and (view.state, view.reason) == ("not_ready", "break")


def test_a_previewed_record_waits_for_the_click_and_a_skip_frees_the_agent() -> None:
    r = blended_router()
    ready(r, BLENDED)
    arrive(r, record("ob1", at=1.0))
    feed(r, PreviewShown(2.0, "ob1", "a1"))
    feed(r, Tick(60.0))  # far past the ring timeout: reading a record is not a RONA
    assert state(r) == "previewing"
    arrive(r, call("in1", at=61.0, queue="inbound"))
    assert r.waiting_calls("inbound") == ["in1"]
    out = feed(r, CustomerFailed(62.0, "ob1", "a1"))  # skipped
    assert offers(out) == [("in1", "a1")]
    assert r.waiting_calls("huifang") == []
