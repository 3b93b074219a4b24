"""The agent's desk in Chromium, zh and en, against a real server and the fake ACD: a call
from an unknown number → create the customer from the pop → edit it, add a number →
create a ticket from the call and accept it (受理) → the wrap-up counts down and carries
the ticket number; the transfer picker lists agents by name and state, queues by label,
the directory; Complete / Cancel appear only while an attended transfer is in progress;
the agent's figures of the day."""

from __future__ import annotations

import shutil

import pytest

from tests.console.live import live_server, sign_in_page
from tests.console.test_browser import expect_state, shot

pytestmark = pytest.mark.browser

TEXT = {
    "zh-CN": {"accepted": "已受理", "queue_sales": "sales", "ready": "就绪", "countdown": "话后处理剩余"},
    "en-US": {"accepted": "Accepted (受理)", "queue_sales": "sales", "ready": "Ready", "countdown": "Wrap-up ends in"},
}


@pytest.fixture
def live(seeded_db, tmp_path):
    src, _ = seeded_db
    shutil.copy(src, tmp_path / "live.db")
    with live_server(tmp_path / "live.db") as server:
        yield server


async def _offer_unknown(center):
    center.offer_call("1001", "sales", "13911112222", "")


async def _answer(center):
    center.clock.advance(3)
    center.answer("1001")


async def _bob_ready(center):
    await center.login("1002", "PJSIP/agent1002")
    await center.set_ready("1002")


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_agent_works_the_caller_in_the_crm_from_pop_to_wrap_up(browser, live, locale):
    text = TEXT[locale]
    ctx, page, errors = sign_in_page(browser, live.url, "alice", None,
                                     viewport={"width": 1360, "height": 1000}, locale=locale)
    page.wait_for_url(f"{live.url}/agent")
    page.wait_for_selector('#live[data-up="1"]')
    live.run(lambda: _bob_ready(live.center))
    page.click("#btn-acd-login")
    expect_state(page, "not_ready")
    page.click("#btn-ready")
    expect_state(page, "ready")

    live.run(lambda: _offer_unknown(live.center))
    page.wait_for_selector("#btn-create-customer")
    live.run(lambda: _answer(live.center))
    expect_state(page, "on_call")

    # the transfer picker: bob by name and live state, the queues, the directory
    page.wait_for_function("(r) => document.querySelector('#xfer-target option[value=\"1002\"]')"
                           "?.textContent.endsWith(r)", arg=text["ready"])
    assert page.text_content('#xfer-target option[value="1002"]') == f"Bob (1002) · {text['ready']}"
    page.select_option("#xfer-kind", "number")
    assert page.text_content('#xfer-target option[value="PJSIP/sup1"]') == "Supervisor Sun · PJSIP/sup1"
    page.select_option("#xfer-kind", "queue")
    assert page.eval_on_selector_all("#xfer-target option", "os => os.map(o => o.value)") == ["sales", "support"]
    # Complete / Cancel only while an attended transfer is in progress
    assert page.is_hidden("#btn-xfer-complete") and page.is_hidden("#btn-xfer-cancel")
    page.select_option("#xfer-kind", "agent")
    page.select_option("#xfer-target", "1002")
    page.check("#xfer-attended")
    page.click("#btn-transfer")
    page.wait_for_selector("#btn-xfer-cancel", state="visible")
    assert page.is_disabled("#btn-transfer")
    page.click("#btn-xfer-cancel")
    page.wait_for_selector("#btn-xfer-complete", state="hidden")
    assert ("transfer", "1001", "agent", "1002", True) in live.center.actions

    # the customer, created from the pop, opens in the CRM panel; edit it and add a number
    page.click("#btn-create-customer")
    page.wait_for_selector("#customer-view:not(.hidden) #cust-title")
    page.fill("#cust-name", "钱多多")
    page.fill("#cust-email", "qian@example.com")
    page.click("#btn-cust-save")
    page.wait_for_function("document.querySelector('#cust-title')?.textContent === '钱多多'")
    page.fill("#cust-new-phone", "010 6552 9988")
    page.click("#btn-cust-add-phone")
    page.wait_for_function("document.querySelectorAll('#cust-phones li').length === 2")
    assert "+861065529988" in (page.text_content("#cust-phones") or "")
    # search finds it by name
    page.fill("#crm-q", "钱多")
    page.click("#btn-crm-search")
    page.wait_for_selector("#crm-results a[data-customer]")
    assert page.text_content("#crm-results a") == "钱多多"

    # a ticket from the call, accepted (受理) by the agent
    page.select_option("#ticket-type", "complaint")
    page.fill("#ticket-title", "发票抬头错误 / wrong invoice title")
    # a state message meanwhile (hold, unhold) leaves what the agent typed on the card
    live.run(lambda: live.center.hold("1001"))
    expect_state(page, "on_hold")
    live.run(lambda: live.center.unhold("1001"))
    expect_state(page, "on_call")
    assert page.input_value("#ticket-title") == "发票抬头错误 / wrong invoice title"
    page.click("#btn-ticket-create")
    page.wait_for_selector('#cust-tickets li[data-status="new"]')
    number = page.get_attribute("#cust-tickets li", "data-ticket")
    assert number and page.input_value("#ticket-ref") == number
    assert page.is_hidden('#cust-tickets button[data-action="assign"]')  # 交办 is the team lead's
    page.click('#cust-tickets button[data-action="accept"]')
    page.wait_for_selector('#cust-tickets li[data-status="accepted"]')
    assert text["accepted"] in (page.text_content("#cust-tickets .tk-status") or "")
    shot(page, f"agent-desk-crm-{locale}.png")

    # wrap-up counts down from the ACD's deadline; +60 s moves it
    page.click("#btn-hangup")
    expect_state(page, "wrap_up")
    page.wait_for_function("document.querySelector('#wrap-countdown').dataset.left === '60'")
    assert text["countdown"] in (page.text_content("#wrap-countdown") or "")
    page.click("#btn-extend")
    page.wait_for_function("document.querySelector('#wrap-countdown').dataset.left === '120'")
    page.select_option("#disposition", "resolved")
    page.fill("#notes", "已登记投诉")
    page.click("#btn-wrap")
    expect_state(page, "ready")
    assert ("wrap_up", "1001", "resolved", "已登记投诉", number) in live.center.actions

    # my day: one call, time per state
    page.wait_for_function("document.querySelector('[data-figure=\"calls\"]')?.textContent === '1'")
    assert page.is_visible('#today-states li[data-state="on_call"]')
    assert errors == []
    ctx.close()
