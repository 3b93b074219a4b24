"""Chromium against the real stack (simulated Asterisk and callees, ACD, campaigns, console),
zh and en:

- a supervisor builds a 回访 list from the tickets awaiting their callback, starts the
  progressive campaign from the supervisor page, watches it dial and connect, and pauses it;
- an agent on a preview campaign sees the record, clicks Dial, talks, wraps up with the
  campaign's own code and books a callback in the callee's local time, which the live
  campaign holds as the record's next dial.
Screenshots go to test-artifacts/e2e-outbound-*.png."""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

import pytest
from e2e_stack import ANNA, PASSWORD, Stack, StackThread, expect_state, login, shot
from sqlalchemy import select, update

from crm.models import Ticket
from hotline.db import make_sessionmaker
from outbound.models import OutboundCampaign, OutboundRecord
from pbx.sim.config import CalleeScript

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ANNA_E164 = "+86" + ANNA
TEXT = {"zh-CN": {"running": "进行中", "paused": "已暂停", "callback": "稍后回拨", "dial": "拨打",
                  "tickets": "工单"},
        "en-US": {"running": "Running", "paused": "Paused", "callback": "Call back later", "dial": "Dial",
                  "tickets": "Tickets"}}


async def _campaign_with_ticket_list(stack: Stack, name: str, mode: str) -> dict[str, object]:
    """A draft campaign on the sales queue, its list built over HTTP from Anna's resolved ticket."""
    sessions = make_sessionmaker(stack.rt.engine)
    async with sessions() as s, s.begin():
        s.add(OutboundCampaign(name=name, mode=mode, state="draft", queue="sales", caller_id="+864008001234",
                               hours="00:00-23:59", max_per_day=3, retries="busy=600/3",
                               dispositions="done;callback;refused", abandon_cap=0.03, created_at=0.0))
        await s.execute(update(Ticket).values(status="resolved", resolved_at=stack.sim.now()))
    token = await stack.login("supervisor")
    r = await stack.post(token, f"/api/outbound/campaigns/{name}/lists/tickets", {})
    assert r.status_code == 200, r.text
    agent = await stack.login("agent1001")
    refused = await stack.post(agent, f"/api/outbound/campaigns/{name}/lists/tickets", {})
    assert refused.status_code == 403  # building lists is the supervisor's
    return dict(r.json())


async def _agent_ready(stack: Stack, user: str) -> None:
    token = await stack.login(user)
    for path in ("/api/agent/login", "/api/agent/ready"):
        r = await stack.post(token, path, {} if path.endswith("login") else None)
        assert r.status_code == 200, r.text


async def _record(stack: Stack, name: str) -> OutboundRecord:
    async with make_sessionmaker(stack.rt.engine)() as s:
        camp = (await s.execute(select(OutboundCampaign).where(OutboundCampaign.name == name))).scalar_one()
        return (await s.execute(select(OutboundRecord).where(OutboundRecord.campaign_id == camp.id))).scalar_one()


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_supervisor_starts_a_progressive_campaign_watches_it_connect_and_pauses_it(
        browser, live: StackThread, locale) -> None:
    stack = live.stack
    stack.sim.add_callee(ANNA_E164, CalleeScript("answer", answer_delay_s=3.0, talk_time_s=600.0))
    built = live.run(lambda: _campaign_with_ticket_list(stack, "huifang", "progressive"))
    assert (built["found"], built["added"], built["skipped"]) == (1, 1, [])
    ctx = browser.new_context(viewport={"width": 1360, "height": 1000}, locale=locale)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, stack.url, "supervisor")
    page.wait_for_url(f"{stack.url}/supervisor")
    row = 'tr[data-campaign="huifang"]'
    page.wait_for_selector(f'{row}[data-state="draft"]')
    assert page.text_content(f'{row} [data-fig="penetration"]') == "0.0% (0/1)"
    live.run(lambda: _agent_ready(stack, "agent1001"))
    page.click(f'{row} [data-campaign-action="start"]')
    page.wait_for_selector(f'{row}[data-state="running"]')
    assert page.text_content(f"{row} [data-campaign-state]") == TEXT[locale]["running"]
    # the agent is reserved, then Anna is dialed and answers: the figures follow (5 s poll)
    page.wait_for_function(f"document.querySelector('{row} [data-fig=\"connected\"]')?.textContent === '1'",
                           timeout=20_000)
    assert page.text_content(f'{row} [data-fig="dials"]') == "1"
    assert page.text_content(f'{row} [data-fig="penetration"]') == "100.0% (1/1)"
    assert page.text_content(f'{row} [data-fig="abandon_rate"]').startswith("0.0%")
    busy = "忙 1" if locale == "zh-CN" else "1 busy"
    assert busy in (page.text_content(f'{row} [data-fig="agents"]') or "")
    shot(page, f"e2e-outbound-supervisor-{locale}.png")
    page.click(f'{row} [data-campaign-action="pause"]')
    page.wait_for_selector(f'{row}[data-state="paused"]')
    assert page.text_content(f"{row} [data-campaign-state]") == TEXT[locale]["paused"]
    assert stack.sim.dialed == [(ANNA_E164, "answer")]
    assert errors == []
    ctx.close()


def test_a_team_lead_sees_the_campaigns_without_the_buttons(browser, live: StackThread) -> None:
    stack = live.stack
    live.run(lambda: _campaign_with_ticket_list(stack, "huifang", "progressive"))

    async def lead() -> None:
        from agent_console.store import create_user
        async with make_sessionmaker(stack.rt.engine)() as s, s.begin():
            await create_user(s, username="lead_a", password=PASSWORD, role="team_lead", now=time.time(),
                              display_name="组长")
    live.run(lead)
    page = browser.new_context(locale="en-US").new_page()
    login(page, stack.url, "lead_a")
    page.wait_for_url(f"{stack.url}/supervisor")
    page.wait_for_selector('tr[data-campaign="huifang"][data-state="draft"]')
    assert page.query_selector_all("[data-campaign-action]") == []


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_agent_previews_dials_and_books_a_callback_in_the_callees_local_time(
        browser, live: StackThread, locale) -> None:
    stack = live.stack
    stack.sim.add_callee(ANNA_E164, CalleeScript("answer", answer_delay_s=3.0, talk_time_s=None))
    live.run(lambda: _campaign_with_ticket_list(stack, "preview", "preview"))
    ctx = browser.new_context(viewport={"width": 1360, "height": 1000}, locale=locale)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, stack.url, "agent1001")
    page.wait_for_url(f"{stack.url}/agent")
    page.wait_for_selector('#live[data-up="1"]')
    page.click("#btn-acd-login")
    expect_state(page, "not_ready")
    page.click("#btn-ready")
    expect_state(page, "ready")

    async def start() -> None:
        token = await stack.login("supervisor")
        r = await stack.post(token, "/api/outbound/campaigns/preview/start")
        assert r.status_code == 200, r.text
    live.run(start)
    expect_state(page, "previewing")
    page.wait_for_selector("#btn-ob-dial")
    assert page.text_content("#ob-number") == ANNA_E164
    assert page.text_content("#ob-name") == "张安娜"
    extra = page.text_content("#ob-extra") or ""
    assert TEXT[locale]["tickets"] + ": T0000001" in extra and "customer_id" not in extra
    assert page.text_content("#btn-ob-dial") == TEXT[locale]["dial"]
    assert stack.sim.dialed == []  # preview: nothing is dialed before the click
    shot(page, f"e2e-outbound-preview-{locale}.png")
    page.click("#btn-ob-dial")
    expect_state(page, "on_call", timeout=20_000)
    assert stack.sim.dialed == [(ANNA_E164, "answer")]
    page.click("#btn-hangup")
    expect_state(page, "wrap_up")
    page.wait_for_selector("#ob-callback-row:not(.hidden)")
    options = page.eval_on_selector_all("#disposition option", "os => os.map(o => [o.value, o.textContent])")
    assert [v for v, _ in options] == ["done", "callback", "refused"]
    assert dict(options)["callback"] == TEXT[locale]["callback"]
    assert "Asia/Shanghai" in (page.text_content("#ob-tz") or "")
    page.select_option("#disposition", "callback")
    local = (dt.datetime.fromtimestamp(stack.sim.now(), ZoneInfo("Asia/Shanghai")) + dt.timedelta(days=1)
             ).replace(hour=10, minute=30, second=0, microsecond=0)
    page.fill("#ob-callback-at", "2001-01-01T03:00")  # in the past: refused with the reason
    page.fill("#notes", "客户希望明早回电 / call back tomorrow")
    page.click("#btn-wrap")
    page.wait_for_selector("#toast.show")
    assert ("已经过去" if locale == "zh-CN" else "is in the past") in (page.text_content("#toast") or "")
    page.fill("#ob-callback-at", local.strftime("%Y-%m-%dT%H:%M"))
    page.click("#btn-wrap")
    expect_state(page, "ready")
    shot(page, f"e2e-outbound-callback-{locale}.png")
    rec = live.run(lambda: _record(stack, "preview"))
    assert (rec.status, rec.disposition, rec.next_at) == ("pending", "callback", local.timestamp())
    held = stack.rt.campaigns.live["preview"].runner.records[str(rec.id)]
    assert (held.status, held.next_at) == ("pending", local.timestamp())  # the dialer's retry
    assert page.query_selector("#ob-card.hidden") is not None
    assert errors == []
    ctx.close()


def test_agent_skips_a_previewed_record_and_nothing_is_dialed(browser, live: StackThread) -> None:
    stack = live.stack
    live.run(lambda: _campaign_with_ticket_list(stack, "preview", "preview"))
    live.run(lambda: _agent_ready(stack, "agent1001"))
    page = browser.new_context(locale="zh-CN").new_page()
    login(page, stack.url, "agent1001")
    page.wait_for_url(f"{stack.url}/agent")
    expect_state(page, "ready")

    async def start() -> None:
        r = await stack.post(await stack.login("supervisor"), "/api/outbound/campaigns/preview/start")
        assert r.status_code == 200, r.text
    live.run(start)
    expect_state(page, "previewing")
    assert page.text_content("#state-badge") == "预览中"
    page.click("#btn-ob-skip")
    expect_state(page, "ready")
    page.wait_for_selector("#ob-card.hidden", state="attached")
    rows = live.run(lambda: stack.log_rows(_dial_id(stack), until="OUTBOUND_RESULT"))
    assert [r.data["result"] for r in rows if r.kind == "OUTBOUND_RESULT"] == ["skipped"]
    (rec,) = stack.rt.campaigns.live["preview"].runner.records.values()
    assert rec.status == "done" and stack.sim.dialed == []  # skipped: no retry, never dialed


def _dial_id(stack: Stack) -> str:
    runner = stack.rt.campaigns.live["preview"].runner
    (rec,) = runner.records.values()
    return f"ob-preview-{rec.id}-1"
