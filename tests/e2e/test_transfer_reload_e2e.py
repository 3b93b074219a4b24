"""An attended transfer survives a page reload (Chromium, the real stack over the simulated
Asterisk): agent 1001 starts an attended transfer to 1002, reloads the page, and Complete /
Cancel are shown again (from the server's snapshot, not the page's memory); Complete hands
the caller to 1002 and the buttons go."""

from __future__ import annotations

import pytest
from e2e_stack import ANNA, StackThread, expect_state, login, shot

from pbx.sim import CallerScript

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.parametrize("locale,complete", [("zh-CN", "完成转接"), ("en-US", "Complete transfer")])
def test_complete_and_cancel_transfer_come_back_after_a_reload(browser, live: StackThread, locale, complete) -> None:
    url, stack = live.stack.url, live.stack
    errors: list[str] = []
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale=locale)
    page = ctx.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script(f"localStorage.setItem('hotline.lang', '{locale[:2]}')")
    login(page, url, "agent1001")
    page.wait_for_url(f"{url}/agent")
    page.wait_for_selector('#live[data-up="1"]')
    page.click("#btn-acd-login")
    expect_state(page, "not_ready")
    page.click("#btn-ready")
    expect_state(page, "ready")

    async def bob_ready() -> None:  # the other agent, on his own console
        token = await stack.login("agent1002")
        for path in ("/api/agent/login", "/api/agent/ready"):
            r = await stack.post(token, path, {} if path.endswith("login") else None)
            assert r.status_code == 200, r.text

    live.run(lambda: stack.call(CallerScript(caller_num=ANNA, caller_name="张安娜", dtmf=["1"],
                                             patience_s=600, talk_time_s=None)))
    expect_state(page, "on_call")
    live.run(bob_ready)
    page.wait_for_selector("#pop-card:not(.hidden)")
    assert page.is_hidden("#btn-xfer-complete")

    page.focus("#xfer-kind")  # the picker reloads the others' states when it is opened
    page.select_option("#xfer-kind", "agent")
    page.wait_for_selector('#xfer-target option[value="a1002"]:not([disabled])', state="attached")
    page.select_option("#xfer-target", "a1002")
    page.check("#xfer-attended")
    page.click("#btn-transfer")
    page.wait_for_selector("#btn-xfer-complete", state="visible")
    expect_state(page, "on_hold")

    page.reload()  # the page's memory is gone; the server still knows the transfer is open
    page.wait_for_selector('#live[data-up="1"]')
    expect_state(page, "on_hold")  # the caller waits on hold while 1001 consults 1002
    page.wait_for_selector("#btn-xfer-complete", state="visible")
    assert page.is_visible("#btn-xfer-cancel") and page.is_disabled("#btn-transfer")
    assert page.text_content("#btn-xfer-complete") == complete
    shot(page, f"e2e-transfer-after-reload-{locale}.png")

    page.click("#btn-xfer-complete")
    page.wait_for_selector("#btn-xfer-complete", state="hidden")
    page.wait_for_function("!['on_call', 'on_hold'].includes(document.querySelector('#state-badge').dataset.state)", timeout=15_000)

    async def bob_state() -> str:
        snap = await stack.rt.acd.snapshot()
        return next(a.state for a in snap.agents if a.agent == "a1002")

    for _ in range(100):
        if live.run(bob_state) == "on_call":
            break
        page.wait_for_timeout(100)
    assert live.run(bob_state) == "on_call"  # the caller is with 1002
    assert errors == [], errors
    ctx.close()
