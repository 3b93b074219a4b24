"""The supervisor's "current call" of an agent, reproduced over the simulated Asterisk in the
ways it was seen going stale: the agent goes not ready right after the call ends, during the
wrap-up, while the call still rings (the offer withdrawn, the phone answering a moment later),
and the caller hangs up while the agent's phone rings. After each, what the supervisor's
websocket says of the agent (folded as supervisor.js folds it, without its state guard) names
no call, a fresh snapshot names none, and the ACD holds no call for the agent.

None of these reproduces the stale call today (the ACD ignores a bridge of a withdrawn offer,
and every state frame out of the call states carries ``call: null``): they guard it."""

from __future__ import annotations

from typing import Any

from e2e_stack import ANNA, Stack, start_stack, wait_until

from pbx.sim import AgentPhone, CallerScript

CALL_STATES = {"reserved", "ringing", "on_call", "on_hold"}


def fold(frames: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The supervisor page's view of every agent from its frames (supervisor.js onMessage)."""
    agents: dict[str, dict[str, Any]] = {}
    for f in frames:
        if f["type"] == "snapshot":
            agents = {a["agent"]: dict(a) for a in f["agents"]}
        elif f["type"] == "agent_state":
            agents.setdefault(f["agent"], {}).update(f)
        elif f["type"] == "agent_call":
            agents.setdefault(f["agent"], {})["call"] = f["call"]
    return agents


async def _agent(stack: Stack, user: str) -> str:
    token = await stack.login(user)
    for path, body in (("/api/agent/login", {}), ("/api/agent/ready", None)):
        r = await stack.post(token, path, body)
        assert r.status_code == 200, r.text
    return token


def _state(stack: Stack, agent: str) -> str:
    view = stack.rt.acd.router.agent(agent)
    return view.state if view else "logged_out"


async def _no_call_anywhere(stack: Stack, sup: Any, agent: str) -> None:
    """Once the log of frames settles: no call on the page's view, the snapshot, the ACD's book."""
    await wait_until(lambda: _state(stack, agent) == "not_ready", timeout=30)
    await stack.rt.acd.drain()
    await wait_until(lambda: fold(sup.frames).get(agent, {}).get("state") == "not_ready")
    seen = fold(sup.frames)[agent]
    assert seen.get("call") is None and seen.get("current_call") is None, seen
    fresh = await stack.console(sup.token)
    [snap] = [f for f in fresh.frames if f["type"] == "snapshot"]
    [row] = [a for a in snap["agents"] if a["agent"] == agent]
    assert row["state"] == "not_ready" and row["call"] is None and row["current_call"] is None, row
    assert agent not in stack.rt.acd.ctx.book.by_agent, stack.rt.acd.ctx.book.by_agent
    assert stack.rt.app.state.console.hub.calls.by_agent.get(agent) is None


async def test_not_ready_right_after_the_call_and_during_wrap_up_leaves_no_call(tmp_path) -> None:
    stack = await start_stack(tmp_path)
    try:
        sup = await stack.console(await stack.login("supervisor"))
        token = await _agent(stack, "agent1001")
        # 1: the caller hangs up after 2 s of talk; the agent goes not ready the moment the call ends
        await stack.call(CallerScript(caller_num=ANNA, caller_name="张安娜", dtmf=["1"], patience_s=600, talk_time_s=2.0))
        await wait_until(lambda: _state(stack, "a1001") == "on_call", timeout=20)
        await wait_until(lambda: _state(stack, "a1001") == "wrap_up", timeout=20)
        r = await stack.post(token, "/api/agent/not-ready", {"reason": "break"})
        assert r.status_code == 200, r.text
        await _no_call_anywhere(stack, sup, "a1001")

        # 2: the agent hangs up, waits in wrap-up a moment, then goes not ready
        r = await stack.post(token, "/api/agent/ready")
        assert r.status_code == 200, r.text
        await stack.call(CallerScript(caller_num="18612345678", caller_name="王伟", dtmf=["1"], patience_s=600,
                                      talk_time_s=None))
        await wait_until(lambda: _state(stack, "a1001") == "on_call", timeout=20)
        r = await stack.post(token, "/api/agent/call/hangup")
        assert r.status_code == 200, r.text
        await wait_until(lambda: _state(stack, "a1001") == "wrap_up")
        await stack.sim.sleep(3.0)
        r = await stack.post(token, "/api/agent/not-ready", {"reason": "meal"})
        assert r.status_code == 200, r.text
        await _no_call_anywhere(stack, sup, "a1001")

        # 3: not ready asked for during the call (pending); the caller hangs up; it takes effect
        r = await stack.post(token, "/api/agent/ready")
        assert r.status_code == 200, r.text
        await stack.call(CallerScript(caller_num="13900139000", caller_name="赵敏", dtmf=["1"], patience_s=600,
                                      talk_time_s=3.0))
        await wait_until(lambda: _state(stack, "a1001") == "on_call", timeout=20)
        r = await stack.post(token, "/api/agent/not-ready", {"reason": "break"})
        assert r.status_code == 200, r.text
        await wait_until(lambda: fold(sup.frames)["a1001"].get("call") is not None)  # shown while it lasts
        await wait_until(lambda: _state(stack, "a1001") == "wrap_up", timeout=20)
        r = await stack.post(token, "/api/agent/wrap-up", {"disposition": "follow_up", "notes": ""})
        assert r.status_code == 200, r.text  # wrap-up done: the pending not ready takes effect
        await _no_call_anywhere(stack, sup, "a1001")
    finally:
        await stack.stop()


async def test_not_ready_while_it_rings_and_a_caller_hanging_up_while_it_rings_leave_no_call(tmp_path) -> None:
    # 1002's phone answers after 2 s: ring time for the agent to change their mind; 1001's never
    # in time: the caller gives up while it rings
    phones = [AgentPhone(endpoint="agent1001", answer_delay_s=30.0), AgentPhone(endpoint="agent1002", answer_delay_s=2.0)]
    stack = await start_stack(tmp_path, phones=phones)
    try:
        sup = await stack.console(await stack.login("supervisor"))
        bob = await _agent(stack, "agent1002")
        first = await stack.call(CallerScript(caller_num=ANNA, caller_name="张安娜", dtmf=["1"], patience_s=15,
                                              talk_time_s=None))
        await wait_until(lambda: _state(stack, "a1002") in ("reserved", "ringing"), timeout=20)
        r = await stack.post(bob, "/api/agent/not-ready", {"reason": "break"})  # the offer is withdrawn
        assert r.status_code == 200, r.text
        await stack.sim.sleep(4.0)  # past the moment the phone would have answered
        await _no_call_anywhere(stack, sup, "a1002")
        await wait_until(lambda: stack.sim.find_channel(first) is None, timeout=20)  # that caller gives up

        # 1001 is offered the next caller; the phone rings and rings; the caller hangs up (patience)
        alice = await _agent(stack, "agent1001")
        await stack.call(CallerScript(caller_num="18612345678", caller_name="王伟", dtmf=["1"], patience_s=6,
                                      talk_time_s=None))
        await wait_until(lambda: _state(stack, "a1001") in ("reserved", "ringing"), timeout=20)
        await wait_until(lambda: _state(stack, "a1001") not in CALL_STATES, timeout=20)
        r = await stack.post(alice, "/api/agent/not-ready", {"reason": "break"})
        assert r.status_code == 200, r.text
        await _no_call_anywhere(stack, sup, "a1001")
    finally:
        await stack.stop()
