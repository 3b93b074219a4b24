"""The outbound page's campaigns section in Debian's Chromium, in zh: a predictive campaign
is created from the form (a refusal shown by its field first), shows in the table, is edited,
and its report downloads as a CSV (UTF-8 with BOM, Chinese names). Screenshot in test-artifacts/."""

from __future__ import annotations

import asyncio
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from acd.admin.models import AcdQueue
from hotline.db import make_engine
from outbound.lists import import_contacts
from outbound.models import OutboundCampaign
from tests.console.live import live_server, sign_in_page

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
pytestmark = pytest.mark.browser
NAME = "回访-十二月"


def _sync(coro) -> object:
    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API holds this thread's loop
        return pool.submit(asyncio.run, coro).result()


async def _stored(db: Path, contacts: bytes | None = None) -> OutboundCampaign | None:
    engine = make_engine(f"sqlite+aiosqlite:///{db}")
    async with async_sessionmaker(engine, expire_on_commit=False)() as s:
        row = (await s.execute(select(OutboundCampaign).where(OutboundCampaign.name == NAME))).scalar_one_or_none()
        if row is not None and contacts is not None:
            await import_contacts(s, row, contacts)
            await s.commit()
    await engine.dispose()
    return row


@pytest.fixture
def live(seeded_db, tmp_path):
    src, _ = seeded_db
    db = tmp_path / "live.db"
    shutil.copy(src, db)

    async def acd_queues() -> None:  # the queues the form's campaign dials into
        engine = make_engine(f"sqlite+aiosqlite:///{db}")
        async with async_sessionmaker(engine)() as s:
            s.add_all([AcdQueue(name="sales"), AcdQueue(name="support")])
            await s.commit()
        await engine.dispose()
    _sync(acd_queues())
    with live_server(db) as server:
        server.db = db  # type: ignore[attr-defined]
        yield server


def test_a_campaign_is_created_from_the_form_in_zh_and_its_report_downloads(browser, live):
    ctx, page, errors = sign_in_page(browser, live.url, "sup", "zh", viewport={"width": 1280, "height": 1100},
                                     locale="zh-CN", accept_downloads=True)
    page.wait_for_url(f"{live.url}/supervisor")
    page.goto(f"{live.url}/outbound")
    page.wait_for_selector("body[data-ready='1']")
    assert "还没有外呼任务" in page.text_content("#obc-rows")

    page.click("#obc-new")
    page.fill("#obc-name", NAME)
    page.select_option("#obc-mode", "predictive")  # the abandon cap appears for predictive only
    assert "受放弃率上限约束" in page.text_content("[data-field='mode']")
    page.fill("#obc-queue", "sales")
    page.fill("#obc-caller_id", "4008001234")
    page.fill("#obc-hours-start", "09:00")
    page.fill("#obc-hours-end", "20:00")
    page.fill("#obc-max_per_day", "2")
    page.fill("#obc-max_total", "5")
    page.fill("#obc-abandon_cap", "2.5")
    page.select_option("#obc-amd", "message")
    page.fill("#obc-retries tr[data-retry='busy'] [data-k=after]", "15")
    page.fill("#obc-retries tr[data-retry='busy'] [data-k=max]", "2")
    page.fill("#obc-dispositions", "done；callback；wrong_number")
    page.fill("#obc-script", "您好，这里是客服中心回访。")
    page.click("#obc-save")  # no prompt for the message: refused by that field, in Chinese
    page.wait_for_selector("[data-error-for='amd_message']")
    assert "需要指定要播放的提示音" in page.text_content("[data-error-for='amd_message']")
    assert page.input_value("#obc-name") == NAME and page.input_value("#obc-max_total") == "5"  # nothing lost
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "outbound-campaign-form-zh.png"), full_page=True)
    page.fill("#obc-amd_message", "ob-notice")
    page.click("#obc-save")
    row = f"#obc-rows tr[data-campaign='{NAME}']"
    page.wait_for_selector(row)
    assert page.locator("#obc-form-card").count() == 0
    assert "预测式" in page.text_content(row) and page.get_attribute(row, "data-state") == "draft"
    assert "2.5%" in page.text_content(f"{row} [data-fig='abandon_rate']")
    # the lists section offers the new campaign without a reload
    page.wait_for_selector(f"#obl-campaign option[value='{NAME}']", state="attached")

    page.click(f"[data-edit='{NAME}']")  # the edit form starts from the stored configuration
    page.wait_for_selector("#obc-form-card")
    assert page.is_disabled("#obc-name") and page.input_value("#obc-amd_message") == "ob-notice"
    assert page.input_value("#obc-abandon_cap") == "2.5" and page.input_value("#obc-hours-end") == "20:00"
    page.fill("#obc-hours-end", "21:00")
    page.click("#obc-save")
    page.wait_for_selector("#obc-form-card", state="detached")

    stored = _sync(_stored(live.db, "电话,姓名\n13800138000,张三\n13900139000,李四\n".encode("gbk")))
    assert stored is not None
    assert (stored.mode, stored.queue, stored.caller_id, stored.hours, stored.max_per_day, stored.max_total) == (
        "predictive", "sales", "+864008001234", "09:00-21:00", 2, 5)
    assert (stored.abandon_cap, stored.amd, stored.amd_message, stored.retries, stored.dispositions) == (
        0.025, "message", "ob-notice", "busy=900/2;no_answer=3600/2;machine=14400/1;failed=1800/1;abandoned=300/1",
        "done;callback;wrong_number")  # the other results keep the defaults the form starts with

    page.click(f"[data-report='{NAME}']")
    page.wait_for_selector("#obc-report-card #obc-records tbody tr")
    assert page.locator("#obc-records tbody tr").count() == 2
    assert "待拨" in page.text_content("#obc-by-status")
    page.screenshot(path=str(ARTIFACTS / "outbound-campaigns-zh.png"), full_page=True)
    with page.expect_download() as dl:
        page.click("#obc-csv")
    data = Path(dl.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines()[1:] == ["+8613800138000,张三,pending,0,,,",
                                                         "+8613900139000,李四,pending,0,,,"]
    assert dl.value.suggested_filename == f"campaign-{NAME}.csv"
    page.click("#lang")  # English: the section redraws in it, the report kept open
    page.wait_for_function("document.querySelector('#obc-list h2').textContent === 'Campaigns'")
    assert "Predictive" in page.text_content(row) and "Pending" in page.text_content("#obc-by-status")
    assert page.text_content("#obc-report-card h2") == f"Report: {NAME}"
    assert errors == []
    ctx.close()
