"""Chromium against the real stack (simulated Asterisk, IVR, ACD, CRM sync, console), zh and en:

- the agent takes 张安娜's call, opens her card from the pop, creates a ticket from the call and
  wraps up: the CRM interaction row is written (disposition, notes, the ticket linked), and her
  next call's pop lists it under "Last interactions";
- a team lead sees exactly their team; a supervisor listens to a call and the simulated
  Asterisk runs ChanSpy on the agent's leg.
Screenshots go to test-artifacts/e2e-desk-*.png."""

from __future__ import annotations

import pytest
from e2e_stack import ANNA, ANNA_TICKET, PASSWORD, StackThread, expect_state, login, shot
from sqlalchemy import select, update

from agent_console.models import Team, TeamMember, User
from agent_console.store import create_user
from crm.models import Interaction, Ticket
from hotline.db import make_sessionmaker
from pbx.sim import AgentPhone, CallerScript

pytestmark = [pytest.mark.browser, pytest.mark.slow]
TEXT = {"zh-CN": {"follow_up": "需跟进"}, "en-US": {"follow_up": "Follow-up needed"}}


def anna_call(live: StackThread) -> None:
    live.run(lambda: live.stack.call(CallerScript(caller_num=ANNA, caller_name="张安娜", dtmf=["1"],
                                                  patience_s=600, talk_time_s=None)))


async def _interactions(stack) -> list[tuple[Interaction, list[str]]]:
    async with make_sessionmaker(stack.rt.engine)() as s:
        rows = list((await s.execute(select(Interaction).order_by(Interaction.id))).scalars())
        out = []
        for i in rows:
            linked = (await s.execute(select(Ticket).where(Ticket.interaction_id == i.id))).scalars()
            out.append((i, [t.number for t in linked]))
        return out


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_agent_pop_customer_ticket_wrap_up_writes_the_crm_interaction(browser, live: StackThread, locale) -> None:
    url = live.stack.url
    errors: list[str] = []
    ctx = browser.new_context(viewport={"width": 1360, "height": 1000}, locale=locale)
    page = ctx.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, url, "agent1001")
    page.wait_for_url(f"{url}/agent")
    page.wait_for_selector('#live[data-up="1"]')
    page.click("#btn-acd-login")
    expect_state(page, "not_ready")
    page.click("#btn-ready")
    expect_state(page, "ready")

    anna_call(live)
    page.wait_for_selector("#btn-open-customer", timeout=15_000)
    expect_state(page, "on_call")
    page.click("#btn-open-customer")
    page.wait_for_function("document.querySelector('#cust-title')?.textContent === '张安娜'")
    assert ANNA_TICKET in (page.text_content("#cust-tickets") or "")  # her history: the open ticket
    page.select_option("#ticket-type", "inquiry")
    page.fill("#ticket-title", "询问退款进度 / refund status")
    page.click("#btn-ticket-create")
    page.wait_for_selector('#cust-tickets li[data-status="new"] >> text=询问退款进度')
    number = page.input_value("#ticket-ref")
    assert number.startswith("T")

    page.click("#btn-hangup")
    expect_state(page, "wrap_up")
    page.wait_for_function("Number(document.querySelector('#wrap-countdown').dataset.left) > 0")
    page.select_option("#disposition", "follow_up")
    page.fill("#notes", "退款进度已告知 / told the refund status")
    shot(page, f"e2e-desk-wrap-up-{locale}.png")
    page.click("#btn-wrap")
    expect_state(page, "ready")

    rows: list = []
    for _ in range(100):  # the call-event log and the CRM sync write in the background
        rows = live.run(lambda: _interactions(live.stack))
        if rows:
            break
        page.wait_for_timeout(100)
    assert [(i.agent, i.disposition, i.notes, i.customer_id, tickets) for i, tickets in rows] == [
        ("a1001", "follow_up", "退款进度已告知 / told the refund status", live.stack.customer_id, [number])]

    # her next call: the pop's "Last interactions" lists the wrap-up just written
    anna_call(live)
    page.wait_for_selector("#pop-interactions li[data-interaction]", timeout=15_000)
    assert TEXT[locale]["follow_up"] in (page.text_content("#pop-interactions") or "")
    shot(page, f"e2e-desk-second-pop-{locale}.png")
    assert errors == []
    ctx.close()


async def _team_lead_and_spy_phone(stack) -> None:
    stack.sim.add_agent_phone(AgentPhone(endpoint="sup9001", answer_delay_s=0.5))
    async with make_sessionmaker(stack.rt.engine)() as s, s.begin():
        lead = await create_user(s, username="lead_a", password=PASSWORD, role="team_lead", now=stack.sim.now(),
                                 display_name="组长甲")
        team = Team(name="Team A", level="team_lead", leader_id=lead.id)
        s.add(team)
        await s.flush()
        agent = (await s.execute(select(User).where(User.username == "agent1001"))).scalar_one()
        s.add(TeamMember(team_id=team.id, user_id=agent.id))
        await s.execute(update(User).where(User.username == "supervisor").values(extension="PJSIP/sup9001"))


async def _agent_on_call(stack) -> None:
    token = await stack.login("agent1001")
    assert (await stack.post(token, "/api/agent/login", {})).status_code == 200
    assert (await stack.post(token, "/api/agent/ready")).status_code == 200
    await stack.call(CallerScript(caller_num=ANNA, caller_name="张安娜", dtmf=["1"], patience_s=600,
                                  talk_time_s=None))


def _spying(stack) -> list[tuple[str, str]]:
    return [(c.name, c.spy.spyee.name) for c in stack.sim.channels.values()
            if c.spy is not None and c.spy.spyee is not None]


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_team_lead_sees_their_team_and_the_supervisor_listens(browser, live: StackThread, locale) -> None:
    url = live.stack.url
    errors: list[str] = []
    live.run(lambda: _team_lead_and_spy_phone(live.stack))
    live.run(lambda: _agent_on_call(live.stack))

    lead_ctx = browser.new_context(viewport={"width": 1360, "height": 900}, locale=locale)
    lead = lead_ctx.new_page()
    lead.on("pageerror", lambda e: errors.append(str(e)))
    login(lead, url, "lead_a")
    lead.wait_for_url(f"{url}/supervisor")
    lead.wait_for_selector('tr[data-agent="a1001"]')
    assert lead.eval_on_selector_all("#agents tr", "rs => rs.map(r => r.dataset.agent)") == ["a1001"]
    lead.wait_for_selector('tr[data-agent="a1001"] [data-state="on_call"]', timeout=15_000)
    call = lead.text_content('tr[data-agent="a1001"] td.call') or ""
    assert "张安娜" in call and ("销售" if locale == "zh-CN" else "Sales") in call
    lead.click('[data-drill-agent="a1001"]')
    lead.wait_for_selector('#drill [data-state="on_call"]')
    shot(lead, f"e2e-desk-team-lead-{locale}.png")

    sup_ctx = browser.new_context(viewport={"width": 1360, "height": 900}, locale=locale)
    sup = sup_ctx.new_page()
    sup.on("pageerror", lambda e: errors.append(str(e)))
    login(sup, url, "supervisor")
    sup.wait_for_url(f"{url}/supervisor")
    sup.wait_for_selector('tr[data-agent="a1002"]')  # the supervisor sees everyone
    sup.wait_for_selector('tr[data-agent="a1001"] [data-state="on_call"]', timeout=15_000)
    sup.click('tr[data-agent="a1001"] button[data-spy="listen"]')
    for _ in range(100):
        spies = live.run(lambda: _as_coro(_spying, live.stack))
        if spies:
            break
        sup.wait_for_timeout(100)
    assert [(spyer.split("-")[0], spyee.split("-")[0]) for spyer, spyee in spies] == [
        ("PJSIP/sup9001", "PJSIP/agent1001")]
    assert errors == []
    lead_ctx.close()
    sup_ctx.close()


async def _as_coro(fn, *args):
    return fn(*args)
