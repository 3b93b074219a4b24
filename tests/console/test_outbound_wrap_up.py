"""The agent's campaign call over HTTP: the record on screen, the campaign's own codes at
wrap-up, and callback-later in the callee's local time (checked against the calling hours)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import async_sessionmaker

from outbound.models import OutboundCampaign, OutboundRecord
from outbound.service import RecordDisposed
from tests.console.wsutil import recv, recv_until

LA = "+14155550123"


async def _campaign(engine) -> int:
    async with async_sessionmaker(engine)() as s, s.begin():
        camp = OutboundCampaign(name="huifang", mode="preview", state="running", queue="sales",
                                caller_id="+864008001234", hours="09:00-21:00", max_per_day=3,
                                retries="busy=600/3", dispositions="done;callback;refused", abandon_cap=0.03,
                                script="您好 / hello", created_at=0.0)
        s.add(camp)
        await s.flush()
        rec = OutboundRecord(campaign_id=camp.id, number=LA, name="Lee", extra='{"source": "tickets"}',
                             status="dialing", attempts=1)
        s.add(rec)
        await s.flush()
        return rec.id


def test_campaign_wrap_up_takes_the_campaigns_codes_and_a_callback_in_the_callees_time(console) -> None:
    center, hub = console.center, console.app.state.console.hub
    rid = console.run(lambda: _campaign(console.engine))
    seen: list[RecordDisposed] = []
    console.bus.subscribe(RecordDisposed, seen.append)
    post = lambda path, body=None: console.client.post(path, json=body, headers=console.auth("alice"))  # noqa: E731
    assert console.client.get("/api/agent/outbound/record", headers=console.auth("alice")).status_code == 404
    assert post("/api/agent/login", {}).status_code == 200
    assert post("/api/agent/ready").status_code == 200

    async def offer() -> None:
        center.offer_call("1001", "sales", LA, call_id=f"ob-huifang-{rid}-1")
    with console.client.websocket_connect("/ws", headers=console.auth("alice")) as ws:
        recv(ws)
        console.run(offer)
        pop = recv_until(ws, "screen_pop")  # built in the background (CRM lookup), then kept by the hub
    assert pop["call_id"] == hub.last_pop["1001"]["call_id"] == f"ob-huifang-{rid}-1"
    got = console.client.get("/api/agent/outbound/record", headers=console.auth("alice")).json()
    assert (got["campaign"], got["record"], got["number"], got["name"], got["time_zone"], got["dispositions"]) == (
        "huifang", rid, LA, "Lee", "America/Los_Angeles", ["done", "callback", "refused"])
    assert console.client.get("/api/agent/outbound/record", headers=console.auth("bob")).status_code == 404

    async def answer() -> None:
        center.answer("1001")
    console.run(answer)
    assert post("/api/agent/call/hangup").status_code == 200
    # 09:00 UTC on 2027-01-15 is 01:00 in Los Angeles
    bad = post("/api/agent/outbound/wrap-up", {"disposition": "resolved"})
    assert bad.status_code == 422 and "pick one of the campaign's (done, callback, refused)" in bad.json()["detail"]
    early = post("/api/agent/outbound/wrap-up", {"disposition": "callback", "callback_at": "2027-01-15T08:00"})
    assert early.status_code == 422 and "outside the campaign's calling hours (09:00-21:00, America/Los_Angeles)" \
        in early.json()["detail"]
    past = post("/api/agent/outbound/wrap-up", {"disposition": "callback", "callback_at": "2027-01-14T10:00"})
    assert past.status_code == 422 and "is in the past" in past.json()["detail"]
    zh = console.client.post("/api/agent/outbound/wrap-up", json={"disposition": "callback",
                             "callback_at": "2027-01-14T10:00"},
                             headers={**console.auth("alice"), "Accept-Language": "zh-CN"})
    assert "已经过去" in zh.json()["detail"]
    ok = post("/api/agent/outbound/wrap-up", {"disposition": "callback", "notes": "call at 10",
                                              "callback_at": "2027-01-15T10:00"})
    assert ok.status_code == 200, ok.text
    at = dt.datetime(2027, 1, 15, 10, 0, tzinfo=ZoneInfo("America/Los_Angeles")).timestamp()
    assert ("wrap_up", "1001", "callback", "call at 10", None) in center.actions
    assert seen == [RecordDisposed("huifang", str(rid), "callback", at)]

    async def stored() -> tuple[str, str | None, float | None]:
        async with async_sessionmaker(console.engine)() as s:
            rec = await s.get(OutboundRecord, rid)
            assert rec is not None
            return rec.status, rec.disposition, rec.next_at
    assert console.run(stored) == ("pending", "callback", at)


def test_campaign_refusals_are_worded_in_chinese_for_the_zh_ui(console) -> None:
    console.run(lambda: _campaign(console.engine))  # "huifang" is running
    zh = {**console.auth("sup"), "Accept-Language": "zh-CN"}
    en = console.client.post("/api/outbound/campaigns/huifang/start", headers=console.auth("sup"))
    assert en.status_code == 409
    assert en.json()["detail"] == "a running campaign cannot start; allowed: pause, stop"
    r = console.client.post("/api/outbound/campaigns/huifang/start", headers=zh)
    assert (r.status_code, r.json()["detail"]) == (409, "运行中的外呼任务不能启动；可执行：暂停、停止。")
    assert console.client.post("/api/outbound/campaigns/huifang/stop", headers=zh).status_code == 200
    r = console.client.post("/api/outbound/campaigns/huifang/pause", headers=zh)
    assert (r.status_code, r.json()["detail"]) == (409, "已停止的外呼任务不能暂停；可执行：无（已结束）。")
    r = console.client.post("/api/outbound/campaigns/nosuch/start", headers=zh)
    assert (r.status_code, r.json()["detail"]) == (
        404, "没有名为 'nosuch' 的外呼任务；`hotline outbound list` 可列出全部任务。")
