"""Real pages in Debian's Chromium against the real stack (simulated Asterisk, IVR, ACD,
console): an agent goes ready, a simulated call arrives, the pop card names the caller,
the agent hangs up and wraps up with a disposition; a supervisor's wallboard moves
(waiting, answered). Screenshots go to test-artifacts/e2e-*.png."""

from __future__ import annotations

import pytest
from e2e_stack import ANNA, ANNA_TICKET, StackThread, expect_state, login, shot

from pbx.sim import CallerScript

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def kpi(page, name: str) -> str:
    return page.text_content(f'[data-queue="sales"] [data-kpi="{name}"]') or ""


def wait_kpi(page, name: str, value: str, timeout: int = 15_000) -> None:
    page.wait_for_function(
        f"document.querySelector('[data-queue=\"sales\"] [data-kpi=\"{name}\"]')?.textContent === '{value}'",
        timeout=timeout)


async def wrap_ups_of(stack) -> list:
    from sqlalchemy import select

    from hotline.db import CallEvent

    async with stack.rt.engine.connect() as conn:
        return list((await conn.execute(select(CallEvent).where(CallEvent.kind == "WRAPUP"))).all())


def test_agent_takes_a_simulated_call_and_the_wallboard_moves(browser, live: StackThread) -> None:
    url = live.stack.url
    errors: list[str] = []
    sup_ctx = browser.new_context(viewport={"width": 1360, "height": 900}, locale="zh-CN")
    sup = sup_ctx.new_page()
    sup.on("pageerror", lambda e: errors.append(str(e)))
    login(sup, url, "supervisor")
    sup.wait_for_url(f"{url}/supervisor")
    sup.wait_for_selector('#live[data-up="1"]')
    sup.wait_for_selector('[data-queue="sales"] [data-kpi="waiting"]')
    assert (kpi(sup, "waiting"), kpi(sup, "answered")) == ("0", "0")

    ctx = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    page = ctx.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, url, "agent1001")
    page.wait_for_url(f"{url}/agent")
    page.wait_for_selector('#live[data-up="1"]')
    page.click("#btn-acd-login")
    expect_state(page, "not_ready")
    page.click("#btn-ready")
    expect_state(page, "ready")

    live.run(lambda: live.stack.call(CallerScript(caller_num=ANNA, caller_name="张安娜", dtmf=["1"],
                                                  patience_s=600, talk_time_s=None)))
    page.wait_for_selector("#pop-card:not(.hidden)", timeout=15_000)
    assert page.text_content("#pop-name") == "张安娜"
    card = page.text_content("#pop-card") or ""
    assert ANNA_TICKET in card and "+8613800138000 (北京市)" in card and "object" not in card
    expect_state(page, "on_call")
    shot(page, "e2e-agent-pop.png")
    wait_kpi(sup, "answered", "1")

    # A second caller waits while the agent is busy: the wallboard shows it waiting.
    live.run(lambda: live.stack.call(CallerScript(caller_num="18612345678", caller_name="王伟", dtmf=["1", "1"],
                                                  patience_s=600, talk_time_s=2.0)))
    wait_kpi(sup, "waiting", "1")
    shot(sup, "e2e-supervisor-wallboard.png")

    page.click("#btn-hangup")
    expect_state(page, "wrap_up")
    page.select_option("#disposition", "follow_up")
    page.fill("#notes", "客户要求回电 / call back tomorrow")
    shot(page, "e2e-agent-wrap-up.png")
    page.click("#btn-wrap")
    # ready, and at once the waiting caller is offered: the next pop names 王伟
    page.wait_for_function("document.querySelector('#pop-name')?.textContent === '王伟'", timeout=15_000)
    wait_kpi(sup, "waiting", "0")
    wait_kpi(sup, "answered", "2")
    assert kpi(sup, "offered") == "2"
    wraps: list = []
    for _ in range(50):  # the call-event log writes in batches
        wraps = live.run(lambda: wrap_ups_of(live.stack))
        if wraps:
            break
        page.wait_for_timeout(100)
    assert [(w.agent, w.data["disposition"], w.data["notes"]) for w in wraps] == [
        ("a1001", "follow_up", "客户要求回电 / call back tomorrow")]
    assert errors == []
    ctx.close()
    sup_ctx.close()
