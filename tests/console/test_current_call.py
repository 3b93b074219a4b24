"""The supervisor sees an agent's call as caller, queue and talk time, and it clears at the end."""

from __future__ import annotations

from acd.events import AgentStateChanged, CallAbandoned, CallCompleted, CallConnected, CallOffered
from agent_console.current_calls import CurrentCalls


def post(console, user, path, body=None):
    return console.client.post(path, json=body, headers=console.auth(user))


def _agent(console, agent):
    snap = console.client.get("/api/supervisor/snapshot", headers=console.auth("sup")).json()
    return next(a for a in snap["agents"] if a["agent"] == agent)


def test_current_calls_follow_the_events_and_forget_ended_calls() -> None:
    calls = CurrentCalls()
    calls.feed(CallOffered(at=10, call_id="c1", queue="sales", agent="1001", caller_num="13800138000",
                           caller_name="张伟", customer_id=None, skills=(), ivr_path=(), waited_s=5))
    assert calls.get("1001", "ringing") == {"call_id": "c1", "caller": "13800138000", "caller_name": "张伟",
                                            "queue": "sales", "offered_at": 10, "talk_since": None}
    calls.feed(CallConnected(at=14, call_id="c1", queue="sales", agent="1001", waited_s=9))
    assert calls.get("1001", "on_call")["talk_since"] == 14
    assert calls.get("1001", "not_ready") is None  # never shown outside the call states
    calls.feed(CallCompleted(at=99, call_id="other", queue="sales", agent="1001", talk_s=1, hold_s=0, by="caller"))
    assert calls.get("1001", "on_call") is not None  # another call's end does not clear this one
    calls.feed(CallCompleted(at=99, call_id="c1", queue="sales", agent="1001", talk_s=85, hold_s=0, by="caller"))
    assert calls.get("1001", "on_call") is None
    calls.feed(CallOffered(at=100, call_id="c2", queue="vip", agent="1002", caller_num="1", caller_name="",
                           customer_id=None, skills=(), ivr_path=(), waited_s=0))
    calls.feed(CallAbandoned(at=103, call_id="c2", queue="vip", waited_s=3, position=1, while_ringing="1002"))
    assert calls.get("1002", "ringing") is None
    calls.feed(CallConnected(at=110, call_id="c3", queue="vip", agent="1003", waited_s=1))  # no offer seen
    assert calls.get("1003", "on_call")["queue"] == "vip"
    calls.feed(AgentStateChanged(at=120, agent="1003", state="not_ready", previous="on_call"))
    assert calls.by_agent == {}


async def _offer(center):
    center.offer_call("1001", "sales", "13800000001", "张安娜")


async def _answer(center):
    center.answer("1001")


async def _idle() -> None:
    return None


def test_the_supervisor_snapshot_shows_caller_queue_and_talk_time_then_nothing(console) -> None:
    center = console.center
    assert post(console, "alice", "/api/agent/login").status_code == 200
    assert post(console, "alice", "/api/agent/ready").status_code == 200
    console.run(lambda: _offer(center))
    console.run(_idle)
    ringing = _agent(console, "1001")
    assert ringing["state"] == "ringing"
    assert {k: ringing["call"][k] for k in ("caller", "caller_name", "queue", "talk_since")} == {
        "caller": "13800000001", "caller_name": "张安娜", "queue": "sales", "talk_since": None}
    console.clock.advance(3)
    console.run(lambda: _answer(center))
    console.run(_idle)
    on_call = _agent(console, "1001")
    assert on_call["call"]["talk_since"] == console.clock.now()
    assert post(console, "alice", "/api/agent/call/hangup").status_code == 200
    console.run(_idle)
    after = _agent(console, "1001")
    assert after["state"] == "wrap_up" and after["call"] is None and after["current_call"] is None


def test_labels_give_queue_names_and_reasons_in_both_languages(console) -> None:
    r = console.client.get("/api/supervisor/labels", headers=console.auth("sup"))
    assert r.status_code == 200
    body = r.json()
    assert "sales" in body["queues"]
    lunch = body["reasons"]["lunch"]
    assert lunch["zh"] and lunch["en"] and lunch["zh"] != lunch["en"]
