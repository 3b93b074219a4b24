"""The per-agent QA trend chart in Debian's Chromium: the team lead's QA page and the
agent's own page draw the agent's average score, fatal and non-fatal item rates per
period with the vendored ECharts, with the points the evaluations give; in zh and en."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from hotline.db import make_engine
from qa import evaluations as evs
from tests.console import test_qa_browser
from tests.console.live import sign_in_page
from tests.console.test_qa_browser import ARTIFACTS, T0, _sync
from tests.test_qa_evaluations import ANSWERS

pytestmark = pytest.mark.browser
live = test_qa_browser.live  # the fixture: a live console with a recording and the inbound form
DAY = 86400.0
PERFECT = {"greet": "yes", "verify": "yes", "tone": 4, "close": "yes"}
# agent 1001: 80 and 0 (a fatal miss) on Friday 2027-01-15, 100 on Monday 2027-01-18;
# agent 1002: one evaluation, which must not show on 1001's chart
SCORED = [("1001", ANSWERS[0][1], T0), ("1001", ANSWERS[1][1], T0 + 60), ("1001", PERFECT, T0 + 3 * DAY),
          ("1002", ANSWERS[2][1], T0 + DAY)]


def _score(db) -> None:
    async def go() -> None:
        engine = make_engine(f"sqlite+aiosqlite:///{db}")
        async with AsyncSession(engine, expire_on_commit=False) as s:
            for i, (agent, answers, at) in enumerate(SCORED):
                ev = await evs.create(s, recording_id=1, call_id=f"call-{i}", agent=agent, call_started_at=T0,
                                      form_key="inbound", evaluator="qa", now=T0)
                await evs.submit(s, ev, answers, at)
            await s.commit()
        await engine.dispose()

    _sync(go())


def _open(browser, live, username, path, locale, lang):
    ctx, page, errors = sign_in_page(browser, live.url, username, lang, viewport={"width": 1280, "height": 1400}, locale=locale)
    page.wait_for_url(lambda u: "/login" not in u)
    page.goto(f"{live.url}{path}")
    page.wait_for_selector("body[data-ready='1']")
    return ctx, page, errors


CHART = """(() => { const box = document.getElementById('trend'); const c = echarts.getInstanceByDom(box);
  const o = c.getOption();
  return { x: o.xAxis[0].data, names: o.series.map((s) => s.name),
           series: Object.fromEntries(o.series.map((s) => [s.id, s.data])),
           canvas: box.querySelector('canvas') !== null && box.querySelector('canvas').width > 0 }; })()"""


@pytest.mark.parametrize("locale,lang,names", [
    ("zh-CN", "zh", ["平均得分", "致命差错率", "非致命差错率"]),
    ("en-US", "en", ["Average score", "Fatal item rate", "Non-fatal item rate"])])
def test_team_lead_and_agent_see_the_agents_trend_with_the_right_points(browser, live, locale, lang, names):
    _score(live.db)
    ctx, page, errors = _open(browser, live, "lead", "/qa", locale, lang)
    page.wait_for_selector("#t-agent option[value='1001']", state="attached")
    page.select_option("#t-agent", "1001")
    page.select_option("#t-period", "day")
    page.wait_for_function("document.getElementById('trend').dataset.rows === '2'"
                           " && echarts.getInstanceByDom(document.getElementById('trend')).getOption().xAxis[0].data[0]"
                           " === '2027-01-15'")
    got = page.evaluate(CHART)
    assert got["x"] == ["2027-01-15", "2027-01-18"]
    assert got["series"] == {"score": [40, 100], "fatal": [50, 0], "nonfatal": [60, 0]}
    assert got["names"] == names and got["canvas"]
    page.select_option("#t-period", "week")
    page.wait_for_function("echarts.getInstanceByDom(document.getElementById('trend')).getOption().xAxis[0].data[0]"
                           " === '2027-01-11'")
    assert page.evaluate(CHART)["x"] == ["2027-01-11", "2027-01-18"]  # the Mondays of the ISO weeks
    page.select_option("#t-agent", "1002")
    page.wait_for_function("document.getElementById('trend').dataset.rows === '1'")
    assert page.evaluate(CHART)["series"]["fatal"] == [None]  # bob's fatal item was n.a.: no point, not 0 %
    # the leaderboard by team tree: the lead's Sales holds Sales-A (alice) and bob
    page.wait_for_selector("#board tr[data-key='Sales']")
    assert page.locator("#board tr").count() == 1  # Support (carol) is outside the lead's scope
    assert page.locator("#board tr[data-key='Sales'] td").nth(4).text_content() == "4"
    page.select_option("#r-by", "group")
    page.click("#r-go")
    page.wait_for_selector("#rates tr[data-group='Sales-A']")
    assert page.locator("#rates tr[data-group='Sales-A'] td").nth(2).text_content() == "3"  # alice's three
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#trend-card").screenshot(path=str(ARTIFACTS / f"qa-trend-{lang}.png"))
    assert errors == []
    ctx.close()

    ctx, page, errors = _open(browser, live, "alice", "/my-evaluations", locale, lang)
    page.wait_for_function("document.getElementById('trend').dataset.rows === '2'")
    page.select_option("#t-period", "month")
    page.wait_for_function("document.getElementById('trend').dataset.rows === '1'")
    got = page.evaluate(CHART)
    assert got["x"] == ["2027-01"] and got["names"] == names
    assert got["series"] == {"score": [60], "fatal": [33.33], "nonfatal": [37.5]}
    page.locator("#trend-card").screenshot(path=str(ARTIFACTS / f"myqa-trend-{lang}.png"))
    assert errors == []
    ctx.close()
