"""The QA page in Debian's Chromium: find a recording, play it and seek (HTTP Range), the
timeline's events seek the player, score the form with a comment at the playback time,
submit, and the rates show it; in zh and en. Screenshots in test-artifacts/."""

from __future__ import annotations

import asyncio
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from agent_console.models import AuditEntry
from hotline.db import CallEvent, make_engine
from hotline.settings import Settings
from qa.models import QaEvaluation, QaForm
from recordings.models import Recording
from tests.console.conftest import PASSWORD, START
from tests.console.live import live_server, sign_in_page
from tests.recordings.wavs import write_stereo
from tests.test_qa_evaluations import form

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
pytestmark = pytest.mark.browser
T0 = START + 600
EVENTS = [(0.0, "CONNECT"), (40.0, "HOLD"), (55.0, "UNHOLD"), (100.0, "HANGUP")]


def _sync(coro) -> object:
    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API holds this thread's loop
        return pool.submit(asyncio.run, coro).result()


@pytest.fixture
def live(seeded_db, tmp_path):
    src, _ = seeded_db
    db = tmp_path / "live.db"
    shutil.copy(src, db)
    store = tmp_path / "rec"
    write_stereo(store / "2027/01/15/call-1.wav", 120.0)

    async def fill() -> None:
        engine = make_engine(f"sqlite+aiosqlite:///{db}")
        async with engine.begin() as conn:
            await conn.execute(insert(Recording).values(
                call_id="call-1", uniqueid="u1", agent="1001", queue="sales", path="2027/01/15/call-1.wav",
                started_at=T0, policy="all", duration_s=120.0, status="ok", caller="13800000001"))
            await conn.execute(insert(CallEvent), [
                {"ts": T0 + off, "call_id": "call-1", "kind": kind, "agent": "1001", "data": {}} for off, kind in EVENTS])
            await conn.execute(insert(QaForm).values(key="inbound", version=1, effective_from=START - 86400,
                                                     definition=form(1, START - 86400), created_at=START))
        await engine.dispose()

    _sync(fill())
    with live_server(db) as server:
        server.app.state.console.settings = Settings(recordings_dir=store)
        server.db = db  # type: ignore[attr-defined]
        yield server


def _rows(db: Path, model, *where):
    async def go():
        engine = make_engine(f"sqlite+aiosqlite:///{db}")
        async with engine.connect() as conn:
            rows = (await conn.execute(select(model).where(*where))).all()
        await engine.dispose()
        return rows

    return _sync(go())


@pytest.mark.parametrize("locale,lang,title,formula", [
    ("zh-CN", "zh", "质检", "致命差错率 = 未达标的致命项数 ÷ 已评估的致命项数"),
    ("en-US", "en", "Quality assurance", "Fatal item rate = fatal items failed ÷ fatal items evaluated")])
def test_qa_plays_seeks_and_submits_an_evaluation(browser, live, locale, lang, title, formula):
    ctx, page, errors = sign_in_page(browser, live.url, "qa", lang,
                                     viewport={"width": 1280, "height": 1100}, locale=locale)
    ranges: list[str] = []  # the audio is fetched after the search below, not at sign-in
    page.on("request", lambda r: ranges.append(r.headers.get("range", "")) if "/audio" in r.url else None)
    page.wait_for_url(f"{live.url}/qa")
    page.wait_for_selector("body[data-ready='1']")
    assert page.text_content("h1") == title
    assert formula in page.text_content("#formulas")

    page.fill("#s-caller", "0000001")
    page.click("#s-go")
    page.click("#results tr[data-id='1']")
    page.wait_for_selector("#timeline tr[data-kind='HOLD']")
    assert page.locator("#bar .mark").count() == len(EVENTS)
    page.wait_for_function("document.getElementById('player').readyState >= 1")
    assert page.evaluate("document.getElementById('player').duration") == pytest.approx(120.0, abs=0.1)

    page.click("#timeline tr[data-kind='HOLD']")  # the timeline seeks the player
    page.wait_for_function("(() => { const p = document.getElementById('player');"
                           " return Math.abs(p.currentTime - 40) < 0.2 && !p.seeking && p.readyState >= 2; })()")
    page.evaluate("(() => { const p = document.getElementById('player'); p.muted = true; return p.play(); })()")
    page.wait_for_function("document.getElementById('player').currentTime > 40.2")  # it plays from there
    page.evaluate("document.getElementById('player').pause()")
    assert any(r.startswith("bytes=") for r in ranges), ranges
    assert any(r.startswith("bytes=") and not r.startswith("bytes=0-") for r in ranges), ranges  # a seek's Range

    page.click("#start-eval")
    page.wait_for_selector("#items select[data-item='verify']")
    for item, value in (("greet", "yes"), ("verify", "yes"), ("tone", "4"), ("close", "no")):
        page.select_option(f"#items select[data-item='{item}']", value)
    page.fill("#comment-text", "closing missed")
    page.click("#comment-add")
    page.wait_for_selector("#comments li")
    page.click("#submit-eval")
    page.wait_for_selector("#score[data-score]")
    assert page.get_attribute("#score", "data-score") == "80"
    page.wait_for_selector("#rates tr[data-group='1001']")
    rates = page.text_content("#rates tr[data-group='1001']")
    assert "33.33 %" in rates and "0.00 %" in rates  # non-fatal: close missed, 1 of 3; fatal: 0 of 1
    page.wait_for_selector("#pareto tr[data-item='close']")
    assert page.locator("#pareto tr").count() == 1  # the only failed item
    with page.expect_download() as dl:
        page.click("#r-csv")
    csv_text = Path(dl.value.path()).read_text(encoding="utf-8-sig")
    assert csv_text.splitlines()[1].startswith("1001,all,1,80.000000")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"qa-{lang}.png"), full_page=True)

    [ev] = _rows(live.db, QaEvaluation)
    assert (ev.status, ev.score, ev.evaluator, ev.agent) == ("scored", 80.0, "qa", "1001")
    plays = _rows(live.db, AuditEntry, AuditEntry.action == "recording_play")
    assert plays and all(a.actor == "qa" and a.target == "recording:1" for a in plays)
    keys = page.evaluate("import('/static/qa.js').then((m) => [Object.keys(m.QA_STRINGS.en).sort(),"
                         " Object.keys(m.QA_STRINGS.zh).sort()])")
    assert keys[0] == keys[1]
    assert errors == []
    ctx.close()


SCRIPTED = {"key": "scripted", "version": 1, "effective_from": START - 86400, "language": "en", "sections": [
    {"title": "Script", "items": [
        {"id": "greet", "text": "Greeting", "script": {"required": ["thank you for calling"], "window": "start", "within_s": 10}},
        {"id": "polite", "text": "No rude phrases", "fatal": True, "script": {"forbidden": ["not my problem"]}}]}]}


@pytest.mark.parametrize("locale,lang,evidence,note", [
    ("zh-CN", "zh", "出现禁用语“not my problem”", "没有离线语音识别引擎"),
    ("en-US", "en", "forbidden “not my problem”", "No offline speech engine")])
def test_script_checks_prefill_the_form_and_a_language_without_engine_is_named(browser, live, locale, lang,
                                                                              evidence, note):
    from qa.models import QaScriptCheck

    async def fill() -> None:
        engine = make_engine(f"sqlite+aiosqlite:///{live.db}")
        async with engine.begin() as conn:
            for d in (SCRIPTED, {**SCRIPTED, "key": "scripted-zh", "language": "zh"}):
                await conn.execute(insert(QaForm).values(key=d["key"], version=1, effective_from=START - 86400,
                                                         definition=d, created_at=START))
            base = {"recording_id": 1, "form_key": "scripted", "form_version": 1, "language": "en",
                    "engine": "pocketsphinx", "missing": [], "checked_at": START}
            await conn.execute(insert(QaScriptCheck), [
                {**base, "item_id": "greet", "answer": "yes", "forbidden": [],
                 "found": [{"phrase": "thank you for calling", "at_s": 1.2, "heard": "thank you for calling"}]},
                {**base, "item_id": "polite", "answer": "no", "found": [],
                 "forbidden": [{"phrase": "not my problem", "at_s": 42.0, "heard": "the my problem"}]}])
        await engine.dispose()

    _sync(fill())
    ctx, page, errors = sign_in_page(browser, live.url, "qa", lang, viewport={"width": 1280, "height": 1000}, locale=locale)
    page.wait_for_selector("body[data-ready='1']")
    page.click("#results tr[data-id='1']")
    page.select_option("#form-key", "scripted")
    page.click("#start-eval")
    page.wait_for_selector("#items select[data-item='polite']")
    assert page.input_value("#items select[data-item='greet']") == "yes"
    assert page.input_value("#items select[data-item='polite']") == "no"
    assert evidence in page.text_content("[data-item-row='polite'] .auto")
    assert page.locator("#no-engine").count() == 0
    page.click("#submit-eval")  # the pre-filled verdicts are what is submitted
    page.wait_for_selector("#score[data-score]")
    assert page.get_attribute("#score", "data-score") == "0"  # the fatal item failed
    page.click("#results tr[data-id='1']")
    page.select_option("#form-key", "scripted-zh")
    page.click("#start-eval")
    page.wait_for_selector("#no-engine")
    assert note in page.text_content("#no-engine")
    assert page.input_value("#items select[data-item='greet']") == ""  # nothing to pre-fill
    assert errors == []
    ctx.close()


@pytest.mark.parametrize("locale,lang,queue_title,my_title", [
    ("zh-CN", "zh", "分配给我的通话", "我的质检"), ("en-US", "en", "My assigned calls", "My evaluations")])
def test_sampled_call_is_scored_from_the_queue_disputed_by_the_agent_and_reaches_the_lead(
        browser, live, locale, lang, queue_title, my_title):
    import random

    from qa.assignment import sample

    async def assign() -> None:
        engine = make_engine(f"sqlite+aiosqlite:///{live.db}")
        out = await sample(engine, since=T0 - 60, until=T0 + 86400, evaluators=["qa"], form_key="inbound",
                           now=T0 + 3600, rng=random.Random(1))
        assert len(out.evaluation_ids) == 1 and out.assignments[0].rule == "random"
        await engine.dispose()

    _sync(assign())
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale=locale)
    errors: list[str] = []

    def sign_in(who: str, lands: str, ready: bool = True):
        page = ctx.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.add_init_script(f"localStorage.setItem('hotline.lang', '{lang}')")
        page.goto(f"{live.url}/login")
        page.fill("#username", who)
        page.fill("#password", PASSWORD)
        page.click("#sign-in")
        page.wait_for_url(f"{live.url}{lands}")
        if ready:
            page.wait_for_selector("body[data-ready='1']")
        return page

    qa = sign_in("qa", "/qa")
    assert qa.text_content("#queue-card h2") == queue_title
    qa.click("#queue tr[data-id='1']")  # the player and the assigned evaluation's form, side by side
    qa.wait_for_selector("#items select[data-item='verify']")
    box_player, box_form = qa.locator("#player-card").bounding_box(), qa.locator("#score-card").bounding_box()
    assert box_form["x"] > box_player["x"] and abs(box_form["y"] - box_player["y"]) < 5
    for item, value in (("greet", "yes"), ("verify", "yes"), ("tone", "4"), ("close", "no")):
        qa.select_option(f"#items select[data-item='{item}']", value)
    qa.click("#submit-eval")
    qa.wait_for_selector("#score[data-score]")
    qa.wait_for_selector("#no-queue:not(.hidden)")  # done: off the queue
    qa.close()

    agent = sign_in("alice", "/agent", ready=False)
    agent.goto(f"{live.url}/my-evaluations")
    agent.wait_for_selector("body[data-ready='1']")
    assert agent.text_content("h1") == my_title
    agent.click("#list tr[data-id='1']")
    agent.wait_for_selector("#d-items [data-item='close']")
    agent.click("#dispute")  # no reason: refused on the page, nothing sent
    agent.wait_for_selector("#respond:not(.hidden)")
    agent.fill("#why", "the customer hung up before I could close")
    agent.click("#dispute")
    agent.wait_for_selector("#list td[data-status='disputed']")
    agent.close()

    lead = sign_in("lead", "/supervisor", ready=False)
    lead.goto(f"{live.url}/qa")
    lead.wait_for_selector("body[data-ready='1']")
    lead.wait_for_selector("#disputes tr[data-id='1']")
    [ev] = _rows(live.db, QaEvaluation)
    assert (ev.status, ev.rule, ev.evaluator, ev.score) == ("disputed", "random", "qa", 80.0)
    assert errors == []
    ctx.close()
