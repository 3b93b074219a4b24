"""The reports page in Debian's Chromium, in zh and en: the lost-call chart renders from
real figures, the KPI formulas are shown, an export downloads. Screenshots in test-artifacts/."""

from __future__ import annotations

import asyncio
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from openpyxl import load_workbook

from hotline.db import make_engine
from hotline.eventlog import CallEventLog
from tests.console.live import live_server, sign_in_page
from tests.reports.daydata import DAY, write_day

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
pytestmark = pytest.mark.browser


@pytest.fixture
def live(seeded_db, tmp_path):
    src, _ = seeded_db
    db = tmp_path / "live.db"
    shutil.copy(src, db)

    async def fill() -> None:
        engine = make_engine(f"sqlite+aiosqlite:///{db}")
        log = CallEventLog(engine)
        write_day(log)
        await log.flush()
        await engine.dispose()
    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API holds this thread's loop
        pool.submit(asyncio.run, fill()).result()
    with live_server(db) as server:
        yield server


@pytest.mark.parametrize("locale,lang,lost_word,formula", [
    ("zh-CN", "zh", "呼损数", "20 秒内接通 / 呼入量"), ("en-US", "en", "Lost", "answered within 20 s / offered")])
def test_reports_page_charts_formulas_and_export(browser, live, tmp_path, locale, lang, lost_word, formula):
    ctx, page, errors = sign_in_page(browser, live.url, "sup", lang, viewport={"width": 1280, "height": 1000}, locale=locale, accept_downloads=True)
    page.wait_for_url(f"{live.url}/supervisor")
    page.goto(f"{live.url}/reports?day={DAY}&from={DAY}&to={DAY}")
    page.wait_for_selector("body[data-ready='1']")
    page.click("#rebuild")  # the facts of the day are derived on demand here
    page.wait_for_function("document.querySelector('#lost-total')?.textContent.includes('3')")
    assert lost_word in page.text_content("#lost-total")
    assert page.locator("#lost-hour canvas").count() == 1
    assert page.locator("#lost-fate canvas").count() == 1
    page.wait_for_selector("#staffing-chart canvas")
    assert formula in page.text_content("#kpi-formulas") or formula in page.text_content("#sl")
    region = page.text_content("#lost-region")
    assert ("北京市" if lang == "zh" else "Beijing") in region
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"reports-{lang}.png"), full_page=True)
    with page.expect_download() as dl:
        page.click("#lost-xlsx")
    path = tmp_path / f"lost-{lang}.xlsx"
    dl.value.save_as(path)
    book = load_workbook(path)
    assert book["by_hour"]["A1"].value == ("小时" if lang == "zh" else "Hour")
    page.click("#whatif-form button[type=submit]")
    page.wait_for_selector("#whatif-table td:has-text('billing+zh')", timeout=30_000)
    page.select_option("#lb-level", "team_lead")
    page.wait_for_selector("#leaderboard td")
    page.fill("#rule-name", f"waiting-{lang}")
    page.select_option("#rule-metric", "waiting")
    page.fill("#rule-threshold", "5")
    page.click("#rule-form button[type=submit]")
    page.wait_for_selector(f"#alarm-rules tr:has-text('waiting-{lang}')")
    assert ("排队人数" if lang == "zh" else "Callers waiting") in page.text_content("#alarm-rules")
    page.click("#worklist button[data-call='+8613800138000']")
    page.wait_for_selector("#toast:has-text('+8613800138000')")
    assert [r.number for r in live.center.callbacks][-1] == "+8613800138000"
    assert errors == []
    ctx.close()
