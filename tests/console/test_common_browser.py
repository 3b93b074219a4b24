"""What every page shares (common.js), in Debian's Chromium: the connection badge after a
language switch, failed calls that are toasted but never an uncaught page error (also when
the server cannot be reached), an error toast that goes with the next success, and inputs
as wide as their placeholder."""

from __future__ import annotations

import shutil

import pytest

from tests.console.live import live_server, sign_in_page

pytestmark = pytest.mark.browser
CALL = "(async () => {{ const m = await import('/static/common.js'); {body}; return true; }})()"
# an api() call nobody catches, as the pages' button handlers do
FAILING_SPY = "m.api('POST', '/api/supervisor/agents/nobody/spy', { mode: 'listen' })"


@pytest.fixture
def live(seeded_db, tmp_path):
    src, _ = seeded_db
    shutil.copy(src, tmp_path / "live.db")
    with live_server(tmp_path / "live.db") as server:
        yield server


def _supervisor(browser, live, locale="zh-CN"):
    ctx, page, errors = sign_in_page(browser, live.url, "sup", None,
                                     viewport={"width": 1400, "height": 900}, locale=locale)
    page.wait_for_url(f"{live.url}/supervisor")
    page.wait_for_selector('#live[data-up="1"]')
    return ctx, page, errors


def test_the_connection_badge_says_live_in_the_new_language_after_a_switch(browser, live):
    ctx, page, errors = _supervisor(browser, live)
    assert page.text_content("#live") == "在线"
    page.click("#lang")
    assert page.text_content("#live") == "Live"  # not the page's initial "Reconnecting…"
    assert page.get_attribute("#live", "class") == "status"
    page.click("#lang")
    assert page.text_content("#live") == "在线"
    assert errors == [], errors
    ctx.close()


def test_a_failed_call_is_toasted_and_is_no_uncaught_page_error(browser, live):
    ctx, page, errors = _supervisor(browser, live)
    page.evaluate(CALL.format(body=FAILING_SPY))
    page.wait_for_selector("#toast.error.show")
    assert "没有坐席 nobody" in page.text_content("#toast")  # the server's refusal, in zh
    page.evaluate(CALL.format(body="await new Promise((r) => setTimeout(r, 0))"))  # rejection handled by now
    assert errors == [], errors
    # the detector works: an unrelated rejection nobody handles is still a page error
    page.evaluate("(() => { Promise.reject(new Error('not an api error')); return true; })()")
    page.wait_for_function("true")
    page.evaluate(CALL.format(body="await new Promise((r) => setTimeout(r, 0))"))
    assert errors == ["not an api error"], errors
    ctx.close()


def test_a_server_that_cannot_be_reached_is_worded_not_thrown(browser, live):
    ctx, page, errors = _supervisor(browser, live, locale="en-US")
    page.route("**/api/supervisor/agents/nobody/spy", lambda route: route.abort("connectionrefused"))
    page.evaluate(CALL.format(body=FAILING_SPY))
    page.wait_for_selector("#toast.error.show")
    assert page.text_content("#toast") == "The server cannot be reached; check the connection and try again."
    page.evaluate(CALL.format(body="await new Promise((r) => setTimeout(r, 0))"))
    assert errors == [], errors
    ctx.close()


def test_an_error_toast_goes_with_the_next_call_that_succeeds(browser, live):
    ctx, page, errors = _supervisor(browser, live)
    page.evaluate(CALL.format(body=FAILING_SPY))
    page.wait_for_selector("#toast.error.show")
    page.evaluate(CALL.format(body="await m.api('POST', '/api/supervisor/agents/1001/state', "
                                   "{ state: 'not_ready', reason: 'supervisor' })"))
    assert page.get_attribute("#toast", "class") == "toast"  # gone at once, not 4 s later
    page.evaluate(CALL.format(body=FAILING_SPY))
    page.wait_for_selector("#toast.error.show")
    page.click("#toast")  # or clicked away
    assert page.get_attribute("#toast", "class") == "toast"
    assert errors == [], errors
    ctx.close()


# every input with a placeholder: the placeholder's width in the input's font fits its box
PLACEHOLDERS_FIT = """(() => {
  const ctx = document.createElement('canvas').getContext('2d');
  return [...document.querySelectorAll('input[placeholder]')].filter((i) => i.offsetParent).map((i) => {
    const cs = getComputedStyle(i);
    ctx.font = `${cs.fontSize} ${cs.fontFamily}`;
    const room = i.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    return [i.placeholder, ctx.measureText(i.placeholder).width <= room + 0.5];
  });
})()"""


def test_the_force_reason_placeholder_is_not_cut_off_in_either_language(browser, live):
    ctx, page, errors = _supervisor(browser, live)
    page.wait_for_selector("#agents tr[data-agent] input[placeholder]")
    for placeholder in ("给坐席的原因", "Reason for the agent"):
        fits = page.evaluate(PLACEHOLDERS_FIT)
        assert [p for p, _ in fits].count(placeholder) >= 1, fits
        assert all(ok for _, ok in fits), fits
        page.click("#lang")
        page.wait_for_selector("#agents tr[data-agent] input[placeholder='Reason for the agent']"
                               if placeholder != "Reason for the agent" else
                               "#agents tr[data-agent] input[placeholder='给坐席的原因']")
    assert errors == [], errors
    ctx.close()


def test_the_login_refusal_follows_the_language_chosen_on_the_page(browser, live):
    ctx = browser.new_context(locale="zh-CN")  # a Chinese browser ...
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live.url}/login")
    page.click("#lang")  # ... switched to English on the page
    page.fill("#username", "alice")
    page.fill("#password", "wrong-password-1")
    page.click("#sign-in")
    page.wait_for_selector("#login-error:not(.hidden)")
    assert page.text_content("#login-error").startswith("Wrong username or password")
    assert errors == [], errors
    ctx.close()
