"""A campaign's configuration over HTTP (agent_console.routes.outbound_campaigns): create,
read, edit (refused while running, taken while paused), bodies refused by the field at
fault (in zh too), roles, audit, and the report as JSON and as a CSV Excel opens."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from acd.admin.models import AcdQueue
from agent_console.models import AuditEntry
from outbound.lists import import_contacts
from outbound.models import OutboundRecord
from outbound.service import campaign_row

BODY = {"name": "回访-12月", "mode": "progressive", "queue": "sales", "caller_id": "4008001234",
        "hours": "09:00-20:00", "max_per_day": 2, "max_total": 4,
        "retries": [{"result": "busy", "after_s": 600, "max_retries": 2},
                    {"result": "no_answer", "after_s": 3600, "max_retries": 1}],
        "dispositions": ["done", "callback", "refused"], "script": "您好，这里是客服中心回访。",
        "abandon_cap": 0.03, "amd": "hangup"}
URL = "/api/outbound/campaigns"


@pytest.fixture(autouse=True)
def acd_queues(console) -> None:
    """The ACD's queues (the admin page's ``acd_queues``): a campaign dials into one of them."""
    async def add() -> None:
        async with async_sessionmaker(console.engine)() as s:
            s.add_all([AcdQueue(name="sales"), AcdQueue(name="support")])
            await s.commit()
    console.run(add)


def _audit(console) -> list[tuple[str, str, str | None]]:
    async def go():
        async with async_sessionmaker(console.engine)() as s:
            rows = (await s.execute(select(AuditEntry).where(AuditEntry.action.like("campaign%"))
                                    .order_by(AuditEntry.id))).scalars().all()
            return [(a.actor, a.action, a.target, a.data) for a in rows]
    return console.run(go)


def _post(console, path, body, who="sup", lang="en"):
    return console.client.post(path, json=body, headers={**console.auth(who), "Accept-Language": lang})


def _put(console, name, body, who="sup", lang="en"):
    return console.client.put(f"{URL}/{name}", json=body, headers={**console.auth(who), "Accept-Language": lang})


def test_a_campaign_is_created_read_and_listed(console) -> None:
    r = _post(console, URL, BODY)
    assert r.status_code == 201, r.text
    got = console.client.get(f"{URL}/回访-12月", headers=console.auth("admin")).json()
    assert got == {**BODY, "caller_id": "+864008001234", "state": "draft", "amd_message": None,
                   "created_at": console.clock.now()}
    (fig,) = console.client.get(URL, headers=console.auth("sup")).json()
    assert (fig["name"], fig["mode"], fig["state"], fig["records"]) == ("回访-12月", "progressive", "draft", 0)
    again = _post(console, URL, BODY, who="admin")
    assert again.status_code == 409 and "exists already" in again.json()["detail"]
    assert [(a, act, t) for a, act, t, _ in _audit(console)] == [("sup", "campaign_create", "回访-12月")]
    assert _audit(console)[0][3]["max_total"] == 4
    assert console.client.get(f"{URL}/nope", headers=console.auth("sup")).status_code == 404


def test_an_edit_is_taken_by_a_draft_refused_while_running_and_taken_while_paused(console) -> None:
    assert _post(console, URL, BODY).status_code == 201
    name = BODY["name"]
    edit = {k: v for k, v in BODY.items() if k != "name"}
    edit = {**edit, "hours": "10:00-18:00", "retries": []}
    r = _put(console, name, edit)
    assert r.status_code == 200, r.text
    assert (r.json()["hours"], r.json()["retries"]) == ("10:00-18:00", [])
    assert _post(console, f"{URL}/{name}/start", None).json()["state"] == "running"
    running = _put(console, name, {**edit, "mode": "predictive"})
    assert running.status_code == 409 and "pause it" in running.json()["detail"]
    zh = _put(console, name, {**edit, "mode": "predictive"}, lang="zh-CN")
    assert zh.json()["detail"].startswith(f"外呼任务 {name} 正在进行：请先暂停")
    assert _post(console, f"{URL}/{name}/pause", None).status_code == 200
    paused = _put(console, name, {**edit, "mode": "predictive", "queue": "support"}, who="admin")
    assert paused.status_code == 200 and (paused.json()["mode"], paused.json()["state"]) == ("predictive", "paused")
    edits = [d["changed"] for _, act, _, d in _audit(console) if act == "campaign_edit"]
    assert edits[-1] == {"mode": ["progressive", "predictive"], "queue": ["sales", "support"]}
    assert edits[0]["hours"] == ["09:00-20:00", "10:00-18:00"]
    assert _put(console, "nope", edit).status_code == 404
    rename = _put(console, name, {**edit, "name": "other"})
    assert rename.status_code == 422 and rename.json()["detail"][0]["loc"] == ["body", "name"]


def test_a_bad_body_is_refused_by_the_field_at_fault_in_the_ui_language(console) -> None:
    cases = [({"hours": "9am-5pm"}, "hours", "must look like 09:00-21:00"),
             ({"name": "bad name!"}, "name", "letters, digits"),
             ({"caller_id": "call me"}, "caller_id", "not a phone number"),
             ({"max_per_day": 3, "max_total": 2}, "max_total", "at least the attempts per day"),
             ({"retries": [{"result": "engaged", "after_s": 60, "max_retries": 1}]}, "retries", "unknown result"),
             ({"retries": [{"result": "busy", "after_s": 5, "max_retries": 1}]}, "retries", "wait 60 s"),
             ({"dispositions": ["done", "done"]}, "dispositions", "listed twice"),
             ({"dispositions": []}, "dispositions", "at least one"),
             ({"abandon_cap": 0.2}, "abandon_cap", "between 0 and 0.05"),
             ({"amd": "beep"}, "amd", "off, hangup, message, agent"),
             ({"amd": "message"}, "amd_message", "needs the prompt"),
             ({"mode": "robocall"}, "mode", "Input should be"),
             ({"colour": "red"}, "colour", "Extra inputs")]
    for change, field, words in cases:
        r = _post(console, URL, {**BODY, **change})
        assert r.status_code == 422, (change, r.text)
        (err,) = r.json()["detail"]
        assert err["loc"][:2] == ["body", field] and words in err["msg"], (change, err)
    zh = _post(console, URL, {**BODY, "hours": "9am-5pm"}, lang="zh-CN")
    assert zh.json()["detail"][0]["msg"] == "外呼时段 '9am-5pm' 应写成 09:00-21:00。"
    zh = _post(console, URL, {**BODY, "amd": "message"}, lang="zh-CN")
    assert zh.json()["detail"][0]["msg"].startswith("在答录机上留言需要指定要播放的提示音")
    assert console.client.get(URL, headers=console.auth("sup")).json() == []  # nothing stored


def test_a_queue_the_acd_does_not_have_is_refused_by_its_field_on_create_and_edit(console) -> None:
    r = _post(console, URL, {**BODY, "queue": "huifang"})
    assert r.status_code == 422, r.text
    (err,) = r.json()["detail"]
    assert err["loc"] == ["body", "queue"]
    assert err["msg"] == ("queue 'huifang' is not an ACD queue; use one of sales, support "
                          "(queues are added on the admin page)")
    zh = _post(console, URL, {**BODY, "queue": "huifang"}, lang="zh-CN")
    assert zh.json()["detail"][0]["msg"] == "队列 'huifang' 不是 ACD 队列，可选：sales, support（队列在管理页面添加）。"
    assert console.client.get(URL, headers=console.auth("sup")).json() == []  # nothing stored
    assert _post(console, URL, BODY).status_code == 201
    edit = {k: v for k, v in BODY.items() if k != "name"}
    r = _put(console, BODY["name"], {**edit, "queue": "huifang"}, lang="zh-CN")
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "queue"]
    assert r.json()["detail"][0]["msg"].startswith("队列 'huifang' 不是 ACD 队列")
    got = console.client.get(f"{URL}/{BODY['name']}", headers=console.auth("sup")).json()
    assert got["queue"] == "sales"  # the edit was not stored

    async def no_queues() -> None:
        async with async_sessionmaker(console.engine)() as s:
            for q in (await s.execute(select(AcdQueue))).scalars():
                await s.delete(q)
            await s.commit()
    console.run(no_queues)
    none = _post(console, URL, {**BODY, "name": "另一个"})
    assert none.json()["detail"][0]["msg"] == ("queue 'sales' is not an ACD queue and the ACD has none yet; "
                                               "add the queue on the admin page first")
    zh = _post(console, URL, {**BODY, "name": "另一个"}, lang="zh-CN")
    assert zh.json()["detail"][0]["msg"] == "队列 'sales' 不是 ACD 队列，且 ACD 还没有任何队列：请先在管理页面添加该队列。"


def test_agents_and_qa_may_not_configure_or_export(console) -> None:
    assert _post(console, URL, BODY).status_code == 201
    name = BODY["name"]
    for who in ("alice", "qa"):
        for method, path, body in [("POST", URL, {**BODY, "name": "x"}),
                                   ("PUT", f"{URL}/{name}", {k: v for k, v in BODY.items() if k != "name"}),
                                   ("GET", f"{URL}/{name}", None), ("GET", f"{URL}/{name}/report", None),
                                   ("GET", f"{URL}/{name}/report.csv", None)]:
            r = console.client.request(method, path, json=body, headers=console.auth(who))
            assert r.status_code == 403, (who, method, path, r.status_code)


def _local(ts: float) -> str:
    import datetime as dt
    from zoneinfo import ZoneInfo

    from hotline.settings import get_settings
    return dt.datetime.fromtimestamp(ts, ZoneInfo(get_settings().timezone)).strftime("%Y-%m-%d %H:%M")


def test_the_report_as_json_and_as_a_csv_excel_opens_with_chinese_names(console) -> None:
    assert _post(console, URL, BODY).status_code == 201
    name = BODY["name"]

    async def fill() -> None:
        async with async_sessionmaker(console.engine)() as s:
            camp = await campaign_row(s, name)
            await import_contacts(s, camp, "电话,姓名\n13800138000,张三\n13900139000,李四\n".encode("gbk"))
            rec = (await s.execute(select(OutboundRecord).where(OutboundRecord.number == "+8613900139000"))
                   ).scalar_one()
            rec.status, rec.attempts, rec.last_result, rec.disposition = "done", 1, "answered", "callback"
            rec.next_at = 1.0e9  # a done record's old retry plan: no due time in the report
            later = (await s.execute(select(OutboundRecord).where(OutboundRecord.number == "+8613800138000"))
                     ).scalar_one()
            later.next_at = 1.9e9  # pending, retried later: its due time is shown
            await s.commit()
    console.run(fill)
    rep = console.client.get(f"{URL}/{name}/report", headers=console.auth("sup")).json()
    assert (rep["figures"]["records"], rep["figures"]["dialed_records"]) == (2, 1)
    assert (rep["by_status"], rep["by_result"], rep["by_disposition"]) == (
        {"pending": 1, "done": 1}, {"answered": 1}, {"callback": 1})
    assert [r["name"] for r in rep["records"]] == ["张三", "李四"]
    r = console.client.get(f"{URL}/{name}/report.csv", headers=console.auth("admin"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")  # the BOM
    assert "filename*=UTF-8''campaign-%E5%9B%9E%E8%AE%BF-12%E6%9C%88.csv" in r.headers["content-disposition"]
    assert r.content.decode("utf-8-sig").splitlines() == [
        "number,name,status,attempts,last_result,disposition,next_at",
        "+8613800138000,张三,pending,0,,," + _local(1.9e9), "+8613900139000,李四,done,1,answered,callback,"]
    assert ("admin", "campaign_report_export", name) in [(a, act, t) for a, act, t, _ in _audit(console)]
    assert console.client.get(f"{URL}/nope/report.csv", headers=console.auth("sup")).status_code == 404


def test_every_campaign_refusal_has_a_chinese_wording() -> None:
    import re
    from pathlib import Path

    from agent_console import messages

    repo = Path(__file__).resolve().parents[2]
    found = []
    for f in ("outbound/campaign.py", "outbound/service.py"):
        src = (repo / f).read_text(encoding="utf-8")
        for m in re.finditer(r"(?:CampaignError|NoCampaign)\(((?:f?\"[^\"]*\"\s*)+)", src):
            text = "".join(re.findall(r"f?\"([^\"]*)\"", m.group(1)))
            text = re.sub(r"\{[^}]*!r\}", "'x1'", text)
            found.append(re.sub(r"\{[^}]*\}", "7", text))
    assert len(found) > 20, found
    missing = [m for m in found if messages.to_chinese(m) == m]
    assert not missing, missing
