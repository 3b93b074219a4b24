"""QA end to end on the real stack: a simulated call is answered by an agent and recorded
(the simulated Asterisk writes the mix and one real WAV per party, as MixMonitor r()/t()
do), indexed, analysed per party, sampled into the QA analyst's queue, scored in
Chromium from that queue, and the rates on the QA page show it."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest
from e2e_stack import ANNA, PASSWORD
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agent_console.store import create_user
from pbx.sim import CallerScript
from qa.assignment import sample
from qa.autoqa import analyse_pending
from qa.evaluations import publish_form
from qa.models import QaAudioMetrics, QaEvaluation
from recordings.index import index_pending
from recordings.models import Recording
from recordings.store import RecordingStore
from tests.test_qa_evaluations import form

pytestmark = [pytest.mark.browser, pytest.mark.slow]


async def _recorded_call(stack) -> Any:
    """agent1001 takes a 16-second call (under the 20 s short-talk rule) and wraps up; the
    recording row once written."""
    token = await stack.login("agent1001")
    console = await stack.console(token)
    for path in ("/api/agent/login", "/api/agent/ready"):
        assert (await stack.post(token, path)).status_code == 200
    async with AsyncSession(stack.rt.engine) as s, s.begin():
        await create_user(s, username="qa", password=PASSWORD, role="qa", now=stack.sim.now(), display_name="QA 齐")
        await publish_form(s, form(1, 0.0), stack.sim.now())
    await stack.call(CallerScript(caller_num=ANNA, caller_name="张安娜", dtmf=["1"], patience_s=300, talk_time_s=16.0))
    await console.wait_for(lambda f: f["type"] == "agent_state" and f["agent"] == "a1001"
                           and f.get("state") == "wrap_up", timeout=30)  # the caller hung up after talking
    r = await stack.post(token, "/api/agent/wrap-up", {"disposition": "resolved"})
    assert r.status_code == 200, r.text
    async with asyncio.timeout(10):
        while True:
            async with stack.rt.engine.connect() as conn:
                rec = (await conn.execute(select(Recording))).first()
            if rec is not None:
                return rec
            await asyncio.sleep(0.05)


def test_a_recorded_call_is_indexed_analysed_sampled_scored_in_chromium_and_rated(browser, live, tmp_path):
    stack = live.stack
    rec = live.run(lambda: _recorded_call(stack), timeout=60)
    store = RecordingStore(tmp_path / "rec")
    legs = rec.legs or {}
    assert legs.get("layout") == "legs"
    for rel in (rec.path, legs["agent"], legs["caller"]):
        assert store.resolve(rel).is_file(), rel  # the sim wrote the mix and both parties

    async def pipeline():
        later = stack.sim.now() + 600
        indexed = await index_pending(stack.rt.engine, store, now=later, settle_s=0)
        analysed = await analyse_pending(stack.rt.engine, store, now=later, dead_air_min_s=1.0)
        sampled = await sample(stack.rt.engine, since=0, until=later, evaluators=["qa"], form_key="inbound",
                               now=later, rng=random.Random(1))
        async with stack.rt.engine.connect() as conn:
            m = (await conn.execute(select(QaAudioMetrics))).one()
        return indexed, analysed, sampled, m

    indexed, analysed, sampled, m = live.run(pipeline, timeout=60)
    assert indexed.indexed == 1 and indexed.flagged == ()
    assert analysed.analysed == 1 and analysed.errors == ()
    assert m.agent_talk_s > 3 and m.caller_talk_s > 3 and m.first_words_s == pytest.approx(0.4, abs=0.2)
    assert len(sampled.evaluation_ids) == 1 and sampled.assignments[0].agent == "a1001"

    errors: list[str] = []
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    page = ctx.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{stack.url}/login")
    page.fill("#username", "qa")
    page.fill("#password", PASSWORD)
    page.click("#sign-in")
    page.wait_for_url(f"{stack.url}/qa")
    page.wait_for_selector("body[data-ready='1']")
    page.click(f"#queue tr[data-id='{sampled.evaluation_ids[0]}']")
    page.wait_for_function("document.getElementById('player').readyState >= 1")
    assert page.evaluate("document.getElementById('player').duration") == pytest.approx(rec_duration(live), abs=0.2)
    page.wait_for_selector("#items select[data-item='verify']")
    for item, value in (("greet", "yes"), ("verify", "no"), ("tone", "3"), ("close", "yes")):
        page.select_option(f"#items select[data-item='{item}']", value)
    page.click("#submit-eval")
    page.wait_for_selector("#score[data-score='0']")  # the fatal item was missed
    page.select_option("#r-by", "centre")
    page.click("#r-go")
    page.wait_for_selector("#rates tr[data-group='centre']")
    row = page.text_content("#rates tr[data-group='centre']")
    assert "100.00 %" in row and "0.00 %" in row  # fatal 1 of 1 failed, non-fatal 0 of 3
    [ev] = live.run(lambda: _evaluations(stack))
    assert (ev.status, ev.agent, ev.rule, ev.fatal_failed) == ("scored", "a1001", "short_talk", True)  # under 20 s of talk
    assert errors == []
    ctx.close()


def rec_duration(live) -> float:
    async def go():
        async with live.stack.rt.engine.connect() as conn:
            return (await conn.execute(select(Recording.duration_s))).scalar_one()

    return float(live.run(go))


async def _evaluations(stack):
    async with stack.rt.engine.connect() as conn:
        return list((await conn.execute(select(QaEvaluation))).all())
