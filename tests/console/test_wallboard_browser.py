"""The supervisor's full-screen wallboard for a wall TV, in Chromium, zh and en: the button
(or ``?wallboard=1``) puts the page in full screen with large queue figures and no agent
table; callers queue up, the figures move and the alarm is announced (an assertive live
region, the tile marked); it clears when the line empties; leaving the wallboard brings the
agent table back. Fake ACD, real server."""

from __future__ import annotations

import shutil

import pytest

from agent_console.config import AlarmThresholds, ConsoleConfig
from tests.console.live import live_server, sign_in_page
from tests.console.test_browser import shot

pytestmark = pytest.mark.browser

TEXT = {
    "zh-CN": {"exit": "退出看板", "enter": "看板（全屏）", "alarm": "sales：3 人排队（上限 2）", "none": "无告警",
              "waiting": "排队数"},
    "en-US": {"exit": "Exit wallboard", "enter": "Wallboard (full screen)", "alarm": "sales: 3 callers waiting (limit 2)",
              "none": "No alarms", "waiting": "Waiting"},
}


@pytest.fixture
def live(seeded_db, tmp_path):
    src, _ = seeded_db
    shutil.copy(src, tmp_path / "live.db")
    config = ConsoleConfig(refresh_interval_s=0.2, alarms=AlarmThresholds(max_waiting=2, max_longest_wait_s=3600))
    with live_server(tmp_path / "live.db", config=config) as server:
        yield server


def _kpi(page, name: str) -> str:
    return page.text_content(f'[data-queue="sales"] [data-kpi="{name}"]') or ""


def _wait_kpi(page, name: str, value: str) -> None:
    page.wait_for_function(
        f"document.querySelector('[data-queue=\"sales\"] [data-kpi=\"{name}\"]')?.textContent === '{value}'",
        timeout=10_000)


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_wallboard_fills_the_screen_shows_the_queues_and_announces_alarms(browser, live, locale) -> None:
    text = TEXT[locale]
    ctx, page, errors = sign_in_page(browser, live.url, "sup", locale[:2],
                                     viewport={"width": 1920, "height": 1080}, locale=locale)
    page.wait_for_url(f"{live.url}/supervisor")
    page.wait_for_selector('#live[data-up="1"]')
    _wait_kpi(page, "waiting", "0")
    assert page.is_visible("#agents-card")

    page.click("#btn-wallboard")
    page.wait_for_selector("body.wallboard")
    assert page.evaluate("document.fullscreenElement === document.documentElement")
    assert page.text_content("#btn-wallboard") == text["exit"]
    assert page.is_hidden("#agents-card") and page.is_hidden("#sign-out")
    tile = page.locator('[data-queue="sales"]')
    assert tile.is_visible() and text["waiting"] in (tile.text_content() or "")
    big = page.eval_on_selector('[data-queue="sales"] [data-kpi="waiting"]', "e => parseFloat(getComputedStyle(e).fontSize)")
    assert big >= 40  # readable across a room
    assert page.text_content("#alarms") == text["none"]
    assert page.get_attribute("#alarms", "aria-live") == "assertive"  # announced by screen readers too

    calls = live.run(_three_callers(live.center))
    _wait_kpi(page, "waiting", "3")
    alarm = page.wait_for_selector('#alarms [data-alarm="sales|waiting"]', timeout=10_000)
    assert alarm.text_content() == f"⚠ {text['alarm']}"
    assert page.locator('[data-queue="sales"] .kpi.alert [data-kpi="waiting"]').count() == 1  # the tile is marked
    assert _kpi(page, "offered") == "3"
    shot(page, f"wallboard-alarm-{locale}.png")

    # the language switch keeps the wallboard (and its button's words)
    page.click("#lang")
    page.wait_for_function("(t) => document.querySelector('#btn-wallboard').textContent !== t", arg=text["exit"])
    assert page.evaluate("document.body.classList.contains('wallboard')")
    page.click("#lang")
    page.wait_for_function("(t) => document.querySelector('#btn-wallboard').textContent === t", arg=text["exit"])

    live.run(_abandon(live.center, calls))
    _wait_kpi(page, "waiting", "0")
    page.wait_for_function("(t) => document.querySelector('#alarms').textContent === t", arg=text["none"],
                           timeout=10_000)

    page.click("#btn-wallboard")
    page.wait_for_selector("body:not(.wallboard)")
    assert page.text_content("#btn-wallboard") == text["enter"]
    assert page.is_visible("#agents-card")
    page.wait_for_function("document.fullscreenElement === null")

    # a wall TV opens the page straight in wallboard mode
    page.goto(f"{live.url}/supervisor?wallboard=1")
    page.wait_for_selector("body.wallboard")
    page.wait_for_selector('[data-queue="sales"] [data-kpi="waiting"]')
    assert page.is_hidden("#agents-card")
    assert errors == [], errors
    ctx.close()


def _three_callers(center):
    async def go() -> list[str]:
        return [center.queue_call("sales", f"1380013800{i}") for i in range(3)]
    return go


def _abandon(center, calls):
    async def go() -> None:
        for c in calls:
            center.abandon(c, "sales")
    return go
