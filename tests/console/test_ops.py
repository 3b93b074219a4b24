"""/health, /metrics and the offline /docs page."""

from __future__ import annotations

import re

from prometheus_client.parser import text_string_to_metric_families

from tests.console.conftest import Console


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def test_health_is_ok_when_database_and_center_answer(console: Console) -> None:
    r = console.client.get("/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "contact_center": "ok"}
    assert body["agents"] == len(console.center.agents)


def test_health_names_the_failing_check_with_503(console: Console, monkeypatch) -> None:
    async def broken():
        raise ConnectionError("AMI down")

    monkeypatch.setattr(console.center, "snapshot", broken)
    r = console.client.get("/health")
    assert r.status_code == 503
    body = r.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["contact_center"] == "error: ConnectionError"


def test_metrics_follow_the_snapshot(console: Console) -> None:
    console.center.queue_call("sales", "13800138000", "张伟")
    console.center.queue_call("sales", "13900139000")
    console.clock.advance(12)
    r = console.client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    samples = _samples(r.text)
    assert samples[("hotline_queue_waiting_calls", (("queue", "sales"),))] == 2
    assert samples[("hotline_queue_longest_wait_seconds", (("queue", "sales"),))] == 12
    states: dict[str, int] = {}
    for a in console.center.agents.values():
        states[a.state] = states.get(a.state, 0) + 1
    for state, n in states.items():
        assert samples[("hotline_agents", (("state", state),))] == n
    console.center.abandon(next(iter(console.center.queues["sales"].waiting)), "sales")
    again = _samples(console.client.get("/metrics").text)
    assert again[("hotline_queue_waiting_calls", (("queue", "sales"),))] == 1
    assert again[("hotline_queue_abandoned_today", (("queue", "sales"),))] == 1


def test_docs_use_vendored_assets_only(console: Console) -> None:
    page = console.client.get("/docs")
    assert page.status_code == 200
    urls = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert urls, page.text
    assert all(u.startswith("/static/vendor/swagger-ui/") for u in urls), urls
    assert "cdn" not in page.text.lower()
    for u in urls:
        asset = console.client.get(u)
        assert asset.status_code == 200, u
        assert len(asset.content) > 500
    assert console.client.get("/openapi.json").json()["info"]["title"] == "hotline console"
    assert console.client.get("/redoc").status_code in (303, 404)
