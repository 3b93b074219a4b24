"""While a colleague's transfer rings an agent's phone (``TransferRinging``), the router
offers that agent no queue call: until the transfer lands (``AgentTookCall``), is given
up (``TransferGone``) or its ring time passes (the safety net)."""

from __future__ import annotations

from acd_helpers import agent, arrive, call, feed, make_router, offers, ready

from acd.core import (
    AgentTookCall,
    CallEnded,
    Rejection,
    Tick,
    TransferGone,
    TransferRinging,
    WrapUpDone,
)

A1, A2 = agent("a1"), agent("a2")


def test_no_offer_while_the_transfer_rings_then_the_waiting_call_when_it_is_given_up() -> None:
    r = make_router(wrap_up_s=10)
    ready(r, A1)
    assert r.handle(TransferRinging(1, "a1", "x1", 15.0)) == []
    assert r.queue("q").ready == 0  # out of the ready index, still shown ready
    out = arrive(r, call("c1", at=2))
    assert offers(out) == []
    out = r.handle(TransferGone(3, "a1", "x1"))
    assert offers(out) == [("c1", "a1")]


def test_the_ring_time_is_a_safety_net() -> None:
    r = make_router(wrap_up_s=10)
    ready(r, A1)
    feed(r, TransferRinging(1, "a1", "x1", 15.0))
    arrive(r, call("c1", at=2))
    assert offers(r.handle(Tick(15.9))) == []
    assert offers(r.handle(Tick(16))) == [("c1", "a1")]


def test_another_ready_agent_takes_the_call_meanwhile() -> None:
    r = make_router(wrap_up_s=10)
    ready(r, A1)
    ready(r, A2, at=0.5)
    feed(r, TransferRinging(1, "a1", "x1", 15.0))
    assert offers(arrive(r, call("c1", at=2))) == [("c1", "a2")]


def test_the_transfer_lands_then_the_agent_wraps_up_and_takes_the_next_caller() -> None:
    r = make_router(wrap_up_s=10)
    ready(r, A1)
    feed(r, TransferRinging(1, "a1", "x1", 15.0))
    arrive(r, call("c1", at=2))
    out = r.handle(AgentTookCall(3, "a1", "x1", "q"))
    assert not any(isinstance(c, Rejection) for c in out)
    assert offers(r.handle(Tick(30))) == []  # on the transferred call; the old net is void
    feed(r, CallEnded(40, "x1", "a1"))
    assert offers(r.handle(WrapUpDone(41, "a1"))) == [("c1", "a1")]


def test_an_agent_in_wrap_up_whose_phone_rings_is_not_offered_when_the_wrap_up_ends() -> None:
    r = make_router(wrap_up_s=10)
    ready(r, A1)
    feed(r, AgentTookCall(1, "a1", "x0", "q"), CallEnded(2, "x0", "a1"))
    feed(r, TransferRinging(3, "a1", "x1", 15.0))
    arrive(r, call("c1", at=4))
    assert offers(r.handle(WrapUpDone(5, "a1"))) == []
    assert offers(r.handle(TransferGone(6, "a1", "x1"))) == [("c1", "a1")]


def test_a_stale_give_up_of_another_transfer_changes_nothing() -> None:
    r = make_router(wrap_up_s=10)
    ready(r, A1)
    feed(r, TransferRinging(1, "a1", "x1", 15.0), TransferRinging(2, "a1", "x2", 15.0))
    arrive(r, call("c1", at=3))
    assert offers(r.handle(TransferGone(4, "a1", "x1"))) == []  # x2 still rings
    assert offers(r.handle(Tick(16.5))) == []  # x1's net is stale too
    assert offers(r.handle(Tick(17))) == [("c1", "a1")]


def test_an_unknown_agent_is_refused() -> None:
    r = make_router()
    out = r.handle(TransferRinging(1, "zz", "x1", 15.0))
    assert [type(c) for c in out] == [Rejection]
