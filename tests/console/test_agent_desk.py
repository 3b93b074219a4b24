"""The agent's own figures today, the transfer picker's targets, and the monitor's
drill-down into a queue and an agent, each in the caller's scope."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from acd.events import AgentStateChanged
from agent_console.state_times import StateTimes


def get(console, user, path):
    return console.client.get(path, headers=console.auth(user))


def post(console, user, path, body=None):
    return console.client.post(path, json=body, headers=console.auth(user))


async def _idle() -> None:
    return None


def test_state_times_sum_closed_and_open_spans_and_restart_at_local_midnight() -> None:
    times = StateTimes(ZoneInfo("Asia/Shanghai"))
    t0 = 1_800_000_000.0  # 2027-01-15 16:00 in Shanghai
    times.feed(AgentStateChanged(at=t0, agent="1001", state="not_ready", previous="logged_out"))
    times.feed(AgentStateChanged(at=t0 + 30, agent="1001", state="ready", previous="not_ready"))
    times.feed(AgentStateChanged(at=t0 + 40, agent="1001", state="on_call", previous="ready"))
    assert times.of("1001", t0 + 100) == {"not_ready": 30.0, "on_call": 60.0, "ready": 10.0}
    assert times.of("1002", t0 + 100) == {}
    midnight = t0 + 8 * 3600  # 00:00 the next day in Shanghai
    assert times.of("1001", midnight + 5) == {"on_call": 5.0}  # the day starts again, the call goes on


def test_an_agent_sees_their_own_figures_today(console) -> None:
    assert post(console, "alice", "/api/agent/login").status_code == 200
    console.clock.advance(20)
    assert post(console, "alice", "/api/agent/ready").status_code == 200
    console.clock.advance(5)
    console.run(_idle)
    r = get(console, "alice", "/api/agent/today")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["agent"] == "1001" and body["calls"] == 0
    assert body["time_in_state_s"] == {"not_ready": 20.0, "ready": 5.0}
    assert body["survey"] == {"score": None, "answers": 0}
    # bob's page shows bob's figures, never alice's
    assert get(console, "bob", "/api/agent/today").json()["agent"] == "1002"
    assert get(console, "bob", "/api/agent/today").json()["time_in_state_s"] == {}


def test_monitors_have_no_agent_figures_of_their_own(console) -> None:
    assert get(console, "sup", "/api/agent/today").status_code == 403
    r = get(console, "lead", "/api/agent/today")  # a team lead without an agent id
    assert r.status_code == 409 and "agent id" in r.json()["detail"]


def test_transfer_targets_name_agents_queues_and_the_directory(console) -> None:
    post(console, "bob", "/api/agent/login")
    console.run(_idle)
    r = get(console, "alice", "/api/agent/transfer-targets")
    assert r.status_code == 200, r.text
    body = r.json()
    agents = {a["agent"]: a for a in body["agents"]}
    assert "1001" not in agents  # not oneself
    assert agents["1002"]["name"] == "Bob" and agents["1002"]["state"] == "not_ready"
    assert {q["queue"] for q in body["queues"]} >= {"sales", "support"}
    assert all(q["label_zh"] and q["label_en"] for q in body["queues"])
    directory = {d["name"]: d["number"] for d in body["directory"]}
    assert directory["Supervisor Sun"] == "PJSIP/sup1" and "张安娜" not in directory


def test_queue_drill_down_shows_its_agents_within_scope(console) -> None:
    r = get(console, "sup", "/api/supervisor/queues/sales")
    assert r.status_code == 200, r.text
    assert r.json()["queue"]["queue"] == "sales"
    assert sorted(a["agent"] for a in r.json()["agents"]) == ["1001", "1002"]
    r = get(console, "lead", "/api/supervisor/queues/support")
    assert r.status_code == 403 and "your teams" in r.json()["detail"]
    r = get(console, "sup", "/api/supervisor/queues/nope")
    assert r.status_code == 404 and "nope" in r.json()["detail"]


def test_agent_drill_down_is_scoped_to_the_team(console) -> None:
    post(console, "alice", "/api/agent/login")
    console.clock.advance(12)
    console.run(_idle)
    r = get(console, "lead", "/api/supervisor/agents/1001")
    assert r.status_code == 200, r.text
    assert r.json()["agent"]["name"] == "张安娜"
    assert r.json()["time_in_state_today_s"] == {"not_ready": 12.0}
    assert get(console, "lead", "/api/supervisor/agents/1003").status_code == 403
    assert get(console, "alice", "/api/supervisor/agents/1001").status_code == 403


@pytest.mark.parametrize("path", ["/api/supervisor/queues/bad%20name", "/api/supervisor/agents/x;y"])
def test_malformed_ids_are_422_with_the_field_named(console, path) -> None:
    r = get(console, "sup", path)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][-1] in ("queue", "agent")
