"""Real pages in Debian's Chromium against a real uvicorn server: an agent takes a call
from pop to wrap-up; a supervisor watches the wallboard move. Screenshots go to
test-artifacts/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from acd.ports import QueueStatus
from tests.console.conftest import PASSWORD, START
from tests.console.live import live_server, sign_in_page

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = pytest.mark.browser


@pytest.fixture
def live(seeded_db, tmp_path):
    src, _ = seeded_db
    shutil.copy(src, tmp_path / "live.db")
    with live_server(tmp_path / "live.db") as server:
        yield server
    ARTIFACTS.mkdir(exist_ok=True)


def login(page, url, username):
    page.goto(f"{url}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#sign-in")


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def expect_state(page, state):
    page.wait_for_selector(f'#state-badge[data-state="{state}"]', timeout=10_000)


async def _offer(center):
    center.offer_call("1001", "sales", "13800000001", "", ivr_path=("welcome", "billing", "invoice"),
                      skills=("billing", "zh"))


async def _answer(center):
    center.clock.advance(3)
    center.answer("1001")


def test_agent_takes_a_call_from_pop_to_wrap_up(browser, live):
    ctx, page, errors = sign_in_page(browser, live.url, "alice", None,
                                     viewport={"width": 1280, "height": 860}, locale="zh-CN")
    page.wait_for_url(f"{live.url}/agent")
    page.wait_for_selector('#live[data-up="1"]')
    expect_state(page, "logged_out")
    page.click("#btn-acd-login")
    expect_state(page, "not_ready")
    page.click("#btn-ready")
    expect_state(page, "ready")

    live.run(lambda: _offer(live.center))
    page.wait_for_selector("#pop-card:not(.hidden)")
    assert page.text_content("#pop-name") == "张安娜"
    pop = page.text_content("#pop-card")
    assert "发票没收到" in pop and "welcome" in pop and "invoice" in pop and "billing, zh" in pop
    expect_state(page, "ringing")
    shot(page, "agent-screen-pop.png")

    live.run(lambda: _answer(live.center))
    expect_state(page, "on_call")
    # a dropped websocket comes back by itself and resynchronises without a reload
    page.evaluate("window.hotlineLive.drop()")
    page.wait_for_selector('#live[data-up="0"]')
    page.wait_for_selector('#live[data-up="1"]', timeout=15_000)
    expect_state(page, "on_call")
    assert page.is_visible("#pop-card")

    page.click("#btn-hangup")
    expect_state(page, "wrap_up")
    page.select_option("#disposition", "follow_up")
    page.fill("#notes", "客户要求重开发票 / reissue invoice")
    page.fill("#ticket-ref", "T-42")
    shot(page, "agent-wrap-up.png")
    page.click("#btn-wrap")
    expect_state(page, "ready")
    assert page.is_hidden("#pop-card")
    assert ("wrap_up", "1001", "follow_up", "客户要求重开发票 / reissue invoice", "T-42") in live.center.actions
    # English UI
    page.click("#lang")
    assert page.text_content("#state-badge") == "Ready"
    assert errors == []
    ctx.close()


async def _queue_two(center):
    center.queue_call("sales", "13900000000", "王伟")
    center.queue_call("sales", "13900000001")


def test_supervisor_sees_the_wallboard_update(browser, live):
    ctx, page, errors = sign_in_page(browser, live.url, "sup", None,
                                     viewport={"width": 1360, "height": 900}, locale="en-US")
    page.wait_for_url(f"{live.url}/supervisor")
    page.wait_for_selector('#live[data-up="1"]')
    page.wait_for_selector('[data-queue="sales"] [data-kpi="waiting"]')
    assert page.text_content('[data-queue="sales"] [data-kpi="waiting"]') == "0"
    assert page.text_content("#who") == "sup · Supervisor"  # the role's name, not its code
    assert "SL = answered within 20 s / (answered + abandoned after 20 s)" in page.text_content('[data-queue="sales"] .formula')

    live.run(lambda: _queue_two(live.center))
    page.wait_for_function(
        "document.querySelector('[data-queue=\"sales\"] [data-kpi=\"waiting\"]').textContent === '2'", timeout=10_000)
    assert page.text_content('[data-queue="sales"] [data-kpi="offered"]') == "2"

    async def alice_ready():
        await live.center.login("1001", "PJSIP/agent1001")
        await live.center.set_ready("1001")

    live.run(alice_ready)
    page.wait_for_selector('tr[data-agent="1001"] [data-state="ready"]', timeout=10_000)
    shot(page, "supervisor-wallboard.png")
    page.fill('tr[data-agent="1001"] input', "coaching")
    page.select_option('tr[data-agent="1001"] select', "not_ready")
    page.click('tr[data-agent="1001"] button:has-text("Force")')
    page.wait_for_selector('tr[data-agent="1001"] [data-state="not_ready"]', timeout=10_000)
    assert ("force_state", "sup", "1001", "not_ready", "coaching") in live.center.actions
    page.click("#lang")  # the Chinese UI shows the formula in Chinese
    formula = page.text_content('[data-queue="sales"] .formula') or ""
    assert "服务水平 = 20 秒内接通数 / (接通数 + 超过 20 秒的放弃数)" in formula and "answered" not in formula
    assert page.text_content("#who") == "sup · 班长"
    assert errors == []
    ctx.close()


def test_every_ui_string_exists_in_both_languages(browser, live):
    page = browser.new_page()
    page.goto(f"{live.url}/login")
    keys = page.evaluate("""import('/static/i18n.js').then((m) => ({
        en: Object.keys(m.STRINGS.en).sort(), zh: Object.keys(m.STRINGS.zh).sort(),
        formulas: Object.entries(m.SL_FORMULAS)}))""")
    assert keys["en"] == keys["zh"]
    default = QueueStatus.__dataclass_fields__["service_level_formula"].default
    assert default in [f for f, _ in keys["formulas"]]  # the ACD's formula has a translation
    assert all(k in keys["en"] for _, k in keys["formulas"])
    page.close()


def test_pages_need_a_login(browser, live):
    page = browser.new_page()
    page.goto(f"{live.url}/supervisor")
    assert page.url.startswith(f"{live.url}/login")
    login(page, live.url, "wrong-user")
    page.wait_for_selector("#login-error:not(.hidden)")
    assert START  # seeded clock in use
    page.close()


def test_a_page_whose_session_expires_goes_to_the_login_page(browser, live):
    page = browser.new_page()
    login(page, live.url, "sup")
    page.wait_for_url(f"{live.url}/supervisor")
    page.wait_for_selector('#live[data-up="1"]')
    hub = live.app.state.console.hub

    async def expire() -> int:
        live.clock.advance(13 * 3600)  # past the 12 h session
        return hub.expire_sessions()

    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/api/auth/me" in r.url else None)
    assert live.run(expire) == 1
    page.wait_for_url(f"{live.url}/login**", timeout=10_000)
    assert "next=%2Fsupervisor" in page.url
    assert asked == []  # close code 4001 says it all: no need to ask whether we are signed in
    page.close()


def test_each_role_lands_on_its_page_with_links_in_its_language(browser, live):
    url = live.url
    for username, landing, links in (("lead", "/supervisor", {"/agent": None, "/home": "我的页面"}),
                                     ("qa", "/qa", {"/home": "我的页面"}),
                                     ("alice", "/agent", {"/home": "我的页面"})):
        ctx, page, errors = sign_in_page(browser, url, username, None, locale="zh-CN")
        page.wait_for_url(f"{url}{landing}")
        if landing == "/home":
            page.wait_for_selector("#no-pages:not(.hidden)")
            assert "尚未" in page.text_content("#no-pages")
        else:
            page.wait_for_selector('#nav a[data-path="/home"]')
            for path, label in links.items():
                if label is None:  # a team lead without an agent id has no agent console link
                    assert page.query_selector(f'#nav a[data-path="{path}"]') is None
                else:
                    assert page.text_content(f'#nav a[data-path="{path}"]') == label
        page.goto(f"{url}/no-such-page")
        assert "页面不存在" in page.text_content("h1")
        assert not errors, errors
        ctx.close()


async def _ready_and_offer(center):
    await center.login("1001", "PJSIP/agent1001")
    await center.set_ready("1001")
    center.offer_call("1001", "sales", "13800000001", "张安娜")


async def _hang_up_and_wrap(center):
    await center.hangup("1001")
    await center.wrap_up("1001", "resolved", "", None)


def test_supervisor_sees_caller_queue_talk_time_and_a_pending_forced_state(browser, live):
    ctx, page, errors = sign_in_page(browser, live.url, "sup", None,
                                     viewport={"width": 1360, "height": 900}, locale="zh-CN")
    page.wait_for_url(f"{live.url}/supervisor")
    page.wait_for_selector('#live[data-up="1"]')
    live.run(lambda: _ready_and_offer(live.center))
    row = 'tr[data-agent="1001"]'
    page.wait_for_selector(f'{row} td.call .caller')
    cell = page.text_content(f"{row} td.call")
    assert "张安娜 13800000001" in cell and "call-" not in cell  # caller, never the call id
    live.run(lambda: _answer(live.center))
    page.wait_for_selector(f"{row} td.call .talk")
    # force not-ready while on the call: shown as pending until the call and wrap-up end
    page.select_option(f"{row} select", "not_ready")
    page.click(f'{row} button:has-text("强制")')
    page.wait_for_selector(f'{row} [data-pending="not_ready"]')
    assert "待生效" in page.text_content(f"{row} [data-pending]")
    shot(page, "supervisor-current-call-pending.png")
    live.run(lambda: _hang_up_and_wrap(live.center))
    page.wait_for_selector(f'{row} [data-state="not_ready"]')
    assert page.query_selector(f"{row} [data-pending]") is None
    assert page.text_content(f"{row} td.call") == ""  # a not-ready agent keeps no stale call
    assert errors == [], errors
    ctx.close()
