"""An agent picks not-ready reasons from the ACD's codes, never one the system sets by
itself: "after_call_work" is labelled 话后处理, which read as offering wrap-up as a break."""

from __future__ import annotations

from acd.core.model import SYSTEM_REASONS
from acd.service.config import DEFAULT_REASON_CODES


def test_the_agent_is_offered_no_system_reason_and_may_not_pick_one(console):
    assert "after_call_work" in {c.code for c in DEFAULT_REASON_CODES}  # what the real ACD lists
    console.center.reason_codes = lambda: DEFAULT_REASON_CODES  # the fake answers as the ACD does
    headers = console.auth("alice")
    codes = console.client.get("/api/agent/codes", headers=headers).json()
    offered = {c["code"] for c in codes["reasons"]}
    assert offered == {c.code for c in DEFAULT_REASON_CODES} - SYSTEM_REASONS
    assert "after_call_work" not in offered and "break" in offered
    assert all(c["label_zh"] != "话后处理" for c in codes["reasons"])
    assert console.client.post("/api/agent/login", headers=headers).status_code == 200
    r = console.client.post("/api/agent/not-ready", json={"reason": "after_call_work"}, headers=headers)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "reason"]
    assert console.client.post("/api/agent/not-ready", json={"reason": "break"}, headers=headers).status_code == 200
