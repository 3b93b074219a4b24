"""The outbound page's lists section in Debian's Chromium, in zh: a supervisor builds a 回访
list from the tickets awaiting their callback (the ones left out listed with the reason),
uploads a GBK CSV with one bad row (its line and reason shown, the good rows kept), adds a
global do-not-call number and downloads the list. Screenshot in test-artifacts/."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.console.conftest import START
from tests.console.live import live_server, sign_in_page

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
pytestmark = pytest.mark.browser
LIST = "电话,姓名,订单号\n13700137000,王五,A-1\n不是号码,李四,A-2\n13600136000,赵六,A-3\n"


def _seed(db: Path) -> None:
    """A draft campaign; three resolved tickets: two of 张三's number, one with no number."""
    con = sqlite3.connect(db)
    con.execute("INSERT INTO outbound_campaigns (name, mode, state, queue, caller_id, hours, max_per_day, retries, "
                "dispositions, abandon_cap, created_at) VALUES ('huifang', 'progressive', 'draft', 'sales', "
                "'+864008001234', '09:00-21:00', 3, 'busy=600/3', 'done;callback', 0.03, 0)")
    con.execute("INSERT INTO crm_customers (id, name, vip_level, tags, blacklisted, created_at, updated_at) "
                "VALUES (1, '张三', 0, '[]', 0, 0, 0)")
    con.execute("INSERT INTO crm_phones (customer_id, e164, kind, country, region_zh, region_en) "
                "VALUES (1, '+8613800138000', 'mobile', 'CN', '', '')")
    for tid, customer in ((1, 1), (2, 1), (3, None)):
        con.execute("INSERT INTO crm_tickets (id, type, priority, status, title, customer_id, created_by, created_at, "
                    "updated_at, response_due, resolution_due, resolved_at, escalation_level, reopen_count) "
                    "VALUES (?, 'complaint', 'normal', 'resolved', '发票', ?, 'a1', 0, 0, 0, 0, ?, 0, 0)",
                    (tid, customer, START + tid))
    con.commit()
    con.close()


def _numbers(db: Path) -> list[str]:
    con = sqlite3.connect(db)
    try:
        return [n for (n,) in con.execute("SELECT number FROM outbound_records ORDER BY number")]
    finally:
        con.close()


@pytest.fixture
def live(seeded_db, tmp_path):
    src, _ = seeded_db
    db = tmp_path / "live.db"
    shutil.copy(src, db)
    _seed(db)
    with live_server(db) as server:
        server.db = db  # type: ignore[attr-defined]
        yield server


def test_a_supervisor_builds_a_list_from_tickets_and_uploads_a_csv_with_a_bad_row_in_zh(browser, live, tmp_path):
    ctx, page, errors = sign_in_page(browser, live.url, "sup", "zh", viewport={"width": 1280, "height": 1300},
                                     locale="zh-CN", accept_downloads=True)
    page.wait_for_url(f"{live.url}/supervisor")
    page.goto(f"{live.url}/outbound")
    page.wait_for_selector("body[data-ready='1']")
    assert page.input_value("#obl-campaign") == "huifang"
    assert "外呼名单" in page.text_content("#obl-card h2")
    # the other two sources send their days (and the sample size): no calls on these days
    for source, shown in (("lost-calls", ["#obl-from", "#obl-to"]), ("survey", ["#obl-from", "#obl-to", "#obl-size"])):
        page.select_option("#obl-source", source)
        assert all(page.is_visible(f) for f in shown) and page.is_hidden("#obl-days")
        page.fill("#obl-from", "2027-01-14")
        page.fill("#obl-to", "2027-01-15")
        with page.expect_response(lambda r, source=source: r.url.endswith(f"/lists/{source}")) as answer:
            page.click("#obl-build")
        assert answer.value.status == 200 and answer.value.json()["found"] == 0
        page.wait_for_function("document.querySelector(\"#obl-build-result [data-result='built']\")"
                               "?.textContent === '已加入 0 / 0；0 条未加入'")
    # build from the product: tickets resolved awaiting 回访, in the last 30 days
    page.select_option("#obl-source", "tickets")
    assert page.is_hidden("#obl-from") and page.is_visible("#obl-days")
    page.fill("#obl-days", "30")
    page.click("#obl-build")
    page.wait_for_selector("#obl-skipped")
    assert page.text_content("#obl-build-result [data-result='built']") == "已加入 1 / 3；2 条未加入"
    skipped = [[c.strip() for c in r.split("\t")] for r in page.inner_text("#obl-skipped tbody").splitlines()]
    assert sorted(skipped) == [["+8613800138000", "已在名单中"], ["T0000003", "没有电话号码"]]
    # the summary is fetched again after the build: wait for it rather than read the old one
    page.wait_for_function("document.querySelector(\"[data-summary='records'] b\")?.textContent === '1'")
    # a GBK CSV with one bad row: the row refused with its line and reason, the good ones kept
    page.set_input_files("#obl-file", files=[{"name": "名单.csv", "mimeType": "text/csv",
                                              "buffer": LIST.encode("gbk")}])
    page.click("#obl-upload")
    page.wait_for_selector("#obl-row-errors")
    assert page.text_content("#obl-upload-result [data-result='imported']") == "共 3 行，已加入 2 行（gb18030）；1 行被拒"
    cells = page.locator("#obl-row-errors tbody tr").first.locator("td").all_text_contents()
    assert cells == ["3", "number", "'不是号码' 不是电话号码（只有字母或不足两位数字），请写成 +8613800138000 的形式。"]
    page.wait_for_function("document.querySelector(\"[data-summary='records'] b\").textContent === '3'")
    assert _numbers(live.db) == ["+8613600136000", "+8613700137000", "+8613800138000"]
    # the global do-not-call list: upload a number, the pending record it covers is no longer dialable
    page.set_input_files("#obl-dnc-file", files=[{"name": "dnc.csv", "mimeType": "text/csv",
                                                  "buffer": b"13700137000\n"}])
    page.click("#obl-dnc-upload")
    page.wait_for_function("document.querySelector('#obl-dnc-result [data-result]')?.textContent.includes('已加入 1 行')")
    assert page.inner_text("#obl-dnc-result").strip() == "共 1 行，已加入 1 行（utf-8）；0 行被拒"
    page.wait_for_function("document.querySelector(\"[data-summary='on_dnc'] b\").textContent === '1'")
    assert page.text_content("[data-summary='dialable'] b") == "2"
    with page.expect_download() as got:
        page.click("#obl-dnc-download")
    saved = tmp_path / "dnc.csv"
    got.value.save_as(saved)
    assert [ln.split(",")[0] for ln in saved.read_text(encoding="utf-8").splitlines()] == ["number", "+8613700137000"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "outbound-lists-zh.png"), full_page=True)
    # the language switch words the section again, results included
    page.click("#lang")
    assert page.text_content("#obl-build-result [data-result='built']") == "1 of 3 added; 2 left out"
    assert "no phone number" in page.inner_text("#obl-skipped")
    assert page.text_content("#obl-dnc-scope option[value='huifang']") == "Campaign huifang only"
    assert errors == []
    ctx.close()
