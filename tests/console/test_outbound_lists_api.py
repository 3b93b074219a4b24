"""The outbound page's list routes over HTTP (SQLite): a campaign's CSV list (GBK, bad rows
reported with their line and reason, good rows kept, a re-import adds nothing twice), the
list summary, do-not-call import / export global and per campaign, zh reasons, audit, roles."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from agent_console.config import ConsoleConfig
from agent_console.models import AuditEntry
from outbound.models import OutboundCampaign, OutboundRecord
from tests.console.conftest import make_console

LIST = "电话,姓名,订单号\n13800138000,张三,A-1001\n不是号码,李四,A-1002\n13900139000,王五,A-1003\n"
CSV = {"Content-Type": "text/csv"}


async def _campaigns(engine) -> None:
    async with async_sessionmaker(engine)() as s, s.begin():
        for name in ("huifang", "survey"):
            s.add(OutboundCampaign(name=name, mode="progressive", state="draft", queue="sales",
                                   caller_id="+864008001234", hours="09:00-21:00", max_per_day=3,
                                   retries="busy=600/3", dispositions="done;callback", abandon_cap=0.03,
                                   created_at=0.0))


def _records(console, name: str) -> list[tuple[str, str | None, str | None]]:
    async def go():
        async with async_sessionmaker(console.engine)() as s:
            return (await s.execute(select(OutboundRecord.number, OutboundRecord.name, OutboundRecord.extra)
                                    .join(OutboundCampaign, OutboundCampaign.id == OutboundRecord.campaign_id)
                                    .where(OutboundCampaign.name == name).order_by(OutboundRecord.number))).all()
    return [tuple(r) for r in console.run(go)]


def _audit(console, action: str) -> list[tuple[str, str | None, dict]]:
    async def go():
        async with async_sessionmaker(console.engine)() as s:
            return (await s.execute(select(AuditEntry.actor, AuditEntry.target, AuditEntry.data)
                                    .where(AuditEntry.action == action).order_by(AuditEntry.id))).all()
    return [tuple(r) for r in console.run(go)]


def test_a_gbk_list_keeps_its_good_rows_reports_the_bad_one_and_a_reimport_adds_nothing(console) -> None:
    console.run(lambda: _campaigns(console.engine))
    sup = {**console.auth("sup"), **CSV}
    r = console.client.post("/api/outbound/campaigns/huifang/lists/csv", content=LIST.encode("gbk"), headers=sup)
    assert r.status_code == 200, r.text
    got = r.json()
    assert (got["encoding"], got["rows"], got["imported"], got["rejected"]) == ("gb18030", 3, 2, 1)
    assert [(e["row"], e["column"]) for e in got["errors"]] == [(3, "number")]
    assert "'不是号码' is not a phone number" in got["errors"][0]["reason"]
    assert _records(console, "huifang") == [("+8613800138000", "张三", '{"订单号": "A-1001"}'),
                                            ("+8613900139000", "王五", '{"订单号": "A-1003"}')]
    # the same file again, as a form upload, in zh: nothing twice, each repeat on its line
    again = console.client.post("/api/outbound/campaigns/huifang/lists/csv",
                                files={"file": ("名单.csv", LIST.encode("gbk"), "text/csv")},
                                headers={**console.auth("admin"), "Accept-Language": "zh-CN"})
    assert again.status_code == 200, again.text
    assert again.json()["imported"] == 0
    assert [(e["row"], e["reason"]) for e in again.json()["errors"]] == [
        (2, "+8613800138000 已在本外呼任务的名单中。"), (3, "'不是号码' 不是电话号码（只有字母或不足两位数字），请写成 +8613800138000 的形式。"),
        (4, "+8613900139000 已在本外呼任务的名单中。")]
    assert len(_records(console, "huifang")) == 2
    summary = console.client.get("/api/outbound/campaigns/huifang/lists", headers=sup).json()
    assert (summary["records"], summary["pending"], summary["dialable"], summary["on_dnc"]) == (2, 2, 2, 0)
    assert _audit(console, "campaign_list_csv") == [
        ("sup", "huifang", {"encoding": "gb18030", "rows": 3, "imported": 2, "rejected": 1}),
        ("admin", "huifang", {"encoding": "gb18030", "rows": 3, "imported": 0, "rejected": 3})]


def test_a_file_that_cannot_be_read_is_refused_in_the_ui_language(console) -> None:
    console.run(lambda: _campaigns(console.engine))
    zh = {**console.auth("sup"), **CSV, "Accept-Language": "zh-CN"}
    empty = console.client.post("/api/outbound/campaigns/huifang/lists/csv", content=b"", headers=zh)
    assert empty.status_code == 422 and empty.json()["detail"] == "文件为空：第一行必须是列名。"
    no_column = console.client.post("/api/outbound/campaigns/huifang/lists/csv", content=b"name\nx\n",
                                    headers={**console.auth("sup"), **CSV})
    assert no_column.status_code == 422 and "no 'number'" in no_column.json()["detail"]
    form = console.client.post("/api/outbound/campaigns/huifang/lists/csv", files={"other": ("a.csv", b"x")},
                               headers=console.auth("sup"))
    assert form.status_code == 422 and "form field named file" in form.json()["detail"]
    missing = console.client.post("/api/outbound/campaigns/nope/lists/csv", content=LIST.encode(), headers=zh)
    assert missing.status_code == 404 and "没有名为 'nope' 的外呼任务" in missing.json()["detail"]
    assert console.client.get("/api/outbound/dnc.csv?campaign=nope", headers=zh).status_code == 404
    assert _audit(console, "campaign_list_csv") == []


def test_dnc_lists_global_and_per_campaign_import_export_and_keep_numbers_off_the_list(console) -> None:
    console.run(lambda: _campaigns(console.engine))
    sup = {**console.auth("sup"), **CSV}
    # global: a headerless GBK column of numbers, one bad row, one repeat
    glob = console.client.post("/api/outbound/dnc", content="13800138000\n坏号码\n13800138000\n".encode("gbk"),
                               headers=sup)
    assert glob.status_code == 200, glob.text
    assert (glob.json()["imported"], [e["row"] for e in glob.json()["errors"]]) == (1, [2, 3])
    own = console.client.post("/api/outbound/dnc?campaign=huifang", files={"file": ("dnc.csv", b"number\n13900139000\n")},
                              headers=console.auth("admin"))
    assert own.status_code == 200 and own.json()["imported"] == 1
    repeat = console.client.post("/api/outbound/dnc?campaign=huifang", content=b"number\n13900139000\n", headers=sup)
    assert repeat.json()["errors"][0]["reason"] == "+8613900139000 is already on campaign huifang's do-not-call list"
    # the list upload leaves both out (each with its list), the other campaign only the global one
    r = console.client.post("/api/outbound/campaigns/huifang/lists/csv", content=LIST.encode(),
                            headers={**sup, "Accept-Language": "zh-CN"}).json()
    assert r["imported"] == 0
    assert [(e["row"], e["reason"]) for e in r["errors"]] == [
        (2, "+8613800138000 在全局免打扰名单中。"), (3, "'不是号码' 不是电话号码（只有字母或不足两位数字），请写成 +8613800138000 的形式。"),
        (4, "+8613900139000 在外呼任务 huifang 的免打扰名单中。")]
    assert console.client.post("/api/outbound/campaigns/survey/lists/csv", content=LIST.encode(),
                               headers=sup).json()["imported"] == 1
    assert _records(console, "survey") == [("+8613900139000", "王五", '{"订单号": "A-1003"}')]
    # export: global and per campaign, each only its own numbers; the upload reads it back
    g = console.client.get("/api/outbound/dnc.csv", headers=console.auth("sup"))
    assert g.status_code == 200 and g.headers["content-type"].startswith("text/csv")
    assert 'filename="dnc-global.csv"' in g.headers["content-disposition"]
    assert [ln.split(",")[0] for ln in g.text.splitlines()] == ["number", "+8613800138000"]
    c = console.client.get("/api/outbound/dnc.csv?campaign=huifang", headers=console.auth("sup"))
    assert [ln.split(",")[0] for ln in c.text.splitlines()] == ["number", "+8613900139000"]
    back = console.client.post("/api/outbound/dnc", content=g.content, headers=sup).json()
    assert (back["imported"], back["rejected"]) == (0, 1)
    assert [(a, t) for a, t, _ in _audit(console, "dnc_import")] == [
        ("sup", "global"), ("admin", "huifang"), ("sup", "huifang"), ("sup", "global")]
    assert [(a, t) for a, t, _ in _audit(console, "dnc_export")] == [("sup", "global"), ("sup", "huifang")]


def test_agents_and_qa_may_not_touch_lists_and_nothing_is_stored(console) -> None:
    console.run(lambda: _campaigns(console.engine))
    for user in ("alice", "qa", "lead"):
        h = {**console.auth(user), **CSV}
        for method, path, body in [("POST", "/api/outbound/campaigns/huifang/lists/csv", LIST.encode()),
                                   ("POST", "/api/outbound/dnc", b"13800138000\n"),
                                   ("GET", "/api/outbound/dnc.csv", None),
                                   ("GET", "/api/outbound/campaigns/huifang/lists", None)]:
            r = console.client.request(method, path, content=body, headers=h)
            assert r.status_code == 403, (user, path, r.status_code)
    assert _records(console, "huifang") == []
    assert console.client.get("/api/outbound/dnc.csv", headers=console.auth("sup")).text == "number,added_at\n"


LIMIT = 4096


@pytest.fixture
def small_uploads(seeded_db, tmp_path):
    """A console whose uploads stop at LIMIT bytes (the default is 200 MB)."""
    src, tokens = seeded_db
    shutil.copy(src, tmp_path / "console.db")
    yield from make_console(tmp_path / "console.db", tokens, config=ConsoleConfig(upload_max_bytes=LIMIT))


def _list_of(size: int) -> bytes:
    rows = "".join(f"1380013{i:04d},名{i}\n" for i in range(size // 10))
    data = ("number,name\n" + rows).encode()
    return data + b"x" * (size - len(data)) if len(data) < size else data[:size]


def test_an_upload_over_the_size_limit_is_413_and_stores_nothing(small_uploads) -> None:
    console = small_uploads
    console.run(lambda: _campaigns(console.engine))
    sup = {**console.auth("sup"), **CSV}
    url = "/api/outbound/campaigns/huifang/lists/csv"
    fits = b"".join(line + b"\n" for line in _list_of(LIMIT).splitlines()[:-1])  # whole lines, just under
    assert LIMIT - 20 < len(fits) <= LIMIT
    over = [
        ("one byte over, Content-Length within the form slack", {"content": _list_of(LIMIT + 1)}),
        ("far over: refused on its Content-Length", {"content": _list_of(LIMIT + 100 * 1024)}),
        ("chunked, no Content-Length", {"content": iter([_list_of(LIMIT)[:3000], _list_of(LIMIT)[3000:] + b"1"])}),
    ]
    for what, body in over:
        r = console.client.post(url, headers=sup, **body)
        assert r.status_code == 413, (what, r.status_code, r.text)
        assert r.json()["detail"] == "The file is larger than 4 KB; split it.", what
    form = console.client.post(url, files={"file": ("big.csv", _list_of(LIMIT + 1), "text/csv")},
                               headers={**console.auth("admin"), "Accept-Language": "zh-CN"})
    assert form.status_code == 413 and form.json()["detail"] == "文件超过 4 KB，请拆分后上传。"
    dnc = console.client.post("/api/outbound/dnc", content=_list_of(LIMIT + 1), headers=sup)
    assert dnc.status_code == 413
    assert _records(console, "huifang") == [] and _audit(console, "campaign_list_csv") == []
    assert console.client.get("/api/outbound/dnc.csv", headers=console.auth("sup")).text == "number,added_at\n"
    # a file just under the limit is read whole
    ok = console.client.post(url, content=fits, headers=sup)
    assert ok.status_code == 200, ok.text
    assert ok.json()["imported"] == len(fits.splitlines()) - 1 == len(_records(console, "huifang"))


def test_the_upload_limit_cannot_exceed_what_the_csv_reader_takes() -> None:
    from crm.csvio import MAX_FILE_BYTES

    assert ConsoleConfig().upload_max_bytes == MAX_FILE_BYTES
    with pytest.raises(ValueError, match="upload_max_bytes"):
        ConsoleConfig(upload_max_bytes=MAX_FILE_BYTES + 1)
