"""The admin page in Debian's Chromium, zh and en: the admin lands on it, edits a queue
(the ACD is told; what the form does not show, e.g. relaxation steps, is kept), and
publishes an IVR menu edit with a deliberate mistake, refused with the line
``hotline ivr check`` gives while the menus in force stay; the fixed text then publishes."""

from __future__ import annotations

import asyncio
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from acd.admin.models import AcdQueue
from acd.admin.router import build_router as build_acd_admin
from acd.admin.schemas import QueueIn
from acd.admin.store import save_queue
from agent_console.admin_audit import acd_audit, menu_audit
from agent_console.deps import RequireRole, get_session
from hotline.db import make_engine, make_sessionmaker
from ivr.cli import app as ivr_cli
from ivr.http import build_router as build_ivr_admin
from ivr.reload import MenuHolder
from tests.console.conftest import START
from tests.console.live import live_server, sign_in_page

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DEFAULT_MENU = Path(__file__).resolve().parents[2] / "ivr" / "menus" / "default.yaml"
pytestmark = pytest.mark.browser
SUPPORT = {"label_en": "Support", "label_zh": "技术支持", "skills": ["support"], "min_proficiency": 2,
           "wrap_up_s": 10, "relaxations": [{"after_s": 30, "min_proficiency": 1},
                                            {"after_s": 90, "alternative": ["general"]}]}


def _sync(coro) -> object:
    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API holds this thread's loop
        return pool.submit(asyncio.run, coro).result()


@pytest.fixture
def live(seeded_db, tmp_path):
    src, _ = seeded_db
    db = tmp_path / "live.db"
    shutil.copy(src, db)
    menu = tmp_path / "menus.yaml"
    shutil.copy(DEFAULT_MENU, menu)
    holder = MenuHolder(menu)
    acd_changes: list[int] = []

    async def seed() -> None:
        engine = make_engine(f"sqlite+aiosqlite:///{db}")
        async with make_sessionmaker(engine)() as session, session.begin():
            await save_queue(session, "sales", QueueIn(label_en="Sales", label_zh="销售", skills=["sales"]), START)
            await save_queue(session, "support", QueueIn.model_validate(SUPPORT), START)
        await engine.dispose()

    async def changed() -> None:
        acd_changes.append(1)

    def mount(app, clock) -> None:  # what the runtime mounts (hotline.app.runtime)
        app.include_router(build_acd_admin(RequireRole("admin"), get_session, on_change=changed,
                                           audit=acd_audit(clock)))
        app.include_router(build_ivr_admin(RequireRole("admin"), holder, clock,
                                           audit=menu_audit(app.state.console.sessions, clock, str(menu))))

    _sync(seed())
    with live_server(db, mount=mount) as server:
        server.db, server.holder, server.menu, server.acd_changes = db, holder, menu, acd_changes  # type: ignore[attr-defined]
        yield server


def _queue(db: Path, name: str) -> AcdQueue:
    async def go() -> AcdQueue:
        engine = make_engine(f"sqlite+aiosqlite:///{db}")
        async with make_sessionmaker(engine)() as session:
            row = (await session.execute(select(AcdQueue).where(AcdQueue.name == name))).scalar_one()
        await engine.dispose()
        return row

    return _sync(go())  # type: ignore[return-value]


def _cli_lines(tmp_path: Path, text: str) -> list[int]:
    f = tmp_path / "edit.yaml"
    f.write_text(text, encoding="utf-8")
    r = CliRunner().invoke(ivr_cli, ["check", str(f)])
    assert r.exit_code == 1, r.output
    return [int(n) for n in re.findall(r":(\d+): error:", r.output)]


@pytest.mark.parametrize("locale,lang,title,line_word,refusal", [
    ("zh-CN", "zh", "系统管理", "第 {n} 行", "节点 'main'：choices.2 指向不存在的节点 'suport'"),
    ("en-US", "en", "Administration", "line {n}", "node 'main': choices.2 names an unknown node 'suport'")])
def test_admin_edits_a_queue_and_an_ivr_menu_whose_mistake_is_refused_with_its_line(
        browser, live, tmp_path, locale, lang, title, line_word, refusal):
    ctx, page, errors = sign_in_page(browser, live.url, "admin", lang, viewport={"width": 1360, "height": 1000}, locale=locale)
    page.wait_for_url(f"{live.url}/admin#users")  # the admin's landing page
    page.wait_for_selector("body[data-ready='1']")
    assert page.text_content("h1") == title
    assert page.query_selector('#users tr[data-user="alice"]') is not None
    keys = page.evaluate("""import('/static/admin.js').then(async (m) => {
        const { STRINGS } = await import('/static/i18n.js');
        const used = [...document.querySelectorAll('[data-i18n]')].map((e) => e.dataset.i18n);
        return { en: Object.keys(m.ADMIN_STRINGS.en).sort(), zh: Object.keys(m.ADMIN_STRINGS.zh).sort(),
                 missing: used.filter((k) => !(k in STRINGS.en) || !(k in STRINGS.zh)) }; })""")
    assert keys["en"] == keys["zh"] and keys["missing"] == [], keys

    # a queue: the form shows its fields; what it does not show (relaxations) is kept
    page.click('#tabs button[data-tab="queues"]')
    page.click('tr[data-queue="support"] button.edit')
    assert page.input_value("#q-wrap_up_s") == "10"
    page.fill("#q-wrap_up_s", "25")
    page.fill("#q-label_zh", "技术支持二线")
    page.click("#q-save")
    page.wait_for_selector('tr[data-queue="support"] td:nth-child(6):text-is("25")')
    row = _queue(live.db, "support")
    assert row.config["wrap_up_s"] == 25 and row.label_zh == "技术支持二线"
    assert row.config["relaxations"] == QueueIn.model_validate(SUPPORT).model_dump()["relaxations"]
    assert live.acd_changes  # the running ACD was told to reload

    # an agent with skills and proficiencies; a level out of 1..10 is refused before sending
    page.click('#tabs button[data-tab="agents"]')
    new = page.locator("#agents tr.new")
    new.locator("input.agent-id").fill("1009")
    cells = new.locator("td input")
    cells.nth(1).fill("王芳")
    cells.nth(2).fill("PJSIP/agent1009")
    cells.nth(3).fill("sales:8, vip:11")
    new.locator("button").click()
    page.wait_for_selector("#toast.error.show")
    assert page.query_selector('#agents tr[data-agent="1009"]') is None
    cells.nth(3).fill("sales:8, vip:5")
    cells.nth(6).fill("sales")
    new.locator("button").click()
    page.wait_for_selector('#agents tr[data-agent="1009"]')
    page.wait_for_selector('#skills tr[data-skill="vip"]')  # the skill an agent has is listed
    assert page.locator('#skills tr[data-skill="vip"] td').nth(3).text_content() == "1"

    # the IVR menus: a deliberate mistake is refused with the line `hotline ivr check` names
    page.click('#tabs button[data-tab="ivr"]')
    page.wait_for_function("document.getElementById('ivr-text').value.includes('nodes:')")
    in_force, on_disk = live.holder.get(), live.menu.read_text(encoding="utf-8")
    bad = on_disk.replace("choices: {1: sales, 2: support, 3: complaints, 4: ticket}",
                          "choices: {1: sales, 2: suport, 3: complaints, 4: ticket}")
    [line] = _cli_lines(tmp_path, bad)
    page.fill("#ivr-text", bad)
    page.click("#ivr-publish")
    problem = page.wait_for_selector(f'#ivr-problems li[data-line="{line}"]')
    assert problem.text_content() == f"{line_word.format(n=line)}: {refusal}"
    assert live.menu.read_text(encoding="utf-8") == on_disk and live.holder.get() is in_force
    # the editor selects the line with the mistake
    selected = page.evaluate("(() => { const t = document.getElementById('ivr-text');"
                             " return t.value.slice(t.selectionStart, t.selectionEnd); })()")
    assert "suport" in selected
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"admin-ivr-refused-{lang}.png"), full_page=True)

    good = on_disk.replace("timeout_s: 3\n", "timeout_s: 4\n", 1)
    page.fill("#ivr-text", good)
    page.click("#ivr-check")
    page.wait_for_selector('#ivr-note[data-outcome="checked"]')
    assert live.holder.get() is in_force  # a check publishes nothing
    page.click("#ivr-publish")
    note = page.wait_for_selector('#ivr-note[data-outcome="published"]')
    assert note.text_content() == {"zh": "已发布：新来电使用新菜单。",
                                   "en": "Published: the menus are in force for new calls."}[lang]
    assert page.locator("#ivr-problems li").count() == 0
    assert live.menu.read_text(encoding="utf-8") == good
    assert live.holder.get().nodes["language"].timeout_s == 4
    assert page.locator("#ivr-graph canvas").count() >= 1  # the graph preview is drawn

    # business hours come from the published menus
    page.click('#tabs button[data-tab="hours"]')
    page.wait_for_selector('[data-hours="office"]')
    page.wait_for_selector('[data-calendar="cn"]')
    assert "国庆节" in page.text_content('[data-calendar="cn"]')
    cal = page.locator('[data-calendar="cn"]')
    cal.locator("input.h-from").fill("2026-12-24")
    cal.locator("input.h-name").fill("年会 Offsite")
    cal.locator("form.add-holiday button").click()
    page.wait_for_selector('[data-calendar="cn"] tr[data-holiday="2026-12-24"]')
    assert live.holder.get().hours["office"].calendar.holidays[date(2026, 12, 24)] == "年会 Offsite"
    assert "{from: 2026-12-24, name: \"年会 Offsite\"}" in live.menu.read_text(encoding="utf-8")
    assert errors == [], errors
    ctx.close()


def test_an_error_toast_does_not_stay_over_the_next_screen(browser, live):
    ctx, page, errors = sign_in_page(browser, live.url, "admin", None, locale="en-US")
    page.wait_for_selector("body[data-ready='1']")
    page.click('#tabs button[data-tab="codes"]')
    new = page.locator("#reason-codes tr.new")
    new.locator("input").nth(0).fill("bad code!")  # not a code: the server refuses it
    new.locator("button").click()
    page.wait_for_selector("#toast.error.show")
    page.click('#tabs button[data-tab="queues"]')  # another screen
    assert page.get_attribute("#toast", "class") == "toast"
    assert errors == [], errors
    ctx.close()


@pytest.mark.parametrize("locale,lang,overlap,impossible,monday", [
    ("zh-CN", "zh", "'13:00-18:00' 与同一天的 '09:00-13:30' 重叠，请合并或调整其中一段。",
     "'25:00-26:00' 含有不存在的时刻（小时 0–24，分钟 0–59）", "周一"),
    ("en-US", "en", "'13:00-18:00' overlaps '09:00-13:30' on the same day; join them or move one.",
     "'25:00-26:00' has an impossible time of day", "Monday")])
def test_admin_sets_weekly_hours_with_several_ranges_a_day_and_a_mistake_is_refused_per_day(
        browser, live, locale, lang, overlap, impossible, monday):
    ctx, page, errors = sign_in_page(browser, live.url, "admin", lang, viewport={"width": 1360, "height": 1000}, locale=locale)
    page.wait_for_selector("body[data-ready='1']")
    page.click('#tabs button[data-tab="hours"]')
    form = page.locator('form[data-weekly="office"]')
    mon, tue, sat = (form.locator(f'tr[data-day="{d}"]') for d in ("mon", "tue", "sat"))
    assert mon.locator("th").text_content() == monday
    assert mon.locator("input").input_value() == "09:00-18:00"  # mon-fri in the file, per day here
    assert sat.locator("input").input_value() == "09:00-12:00"
    assert form.locator('tr[data-day="sun"] input').count() == 0  # closed
    on_disk, in_force = live.menu.read_text(encoding="utf-8"), live.holder.get()

    # two mistakes: an overlap on Monday, an impossible time on Tuesday
    mon.locator("input").fill("09:00-13:30")
    mon.locator("button.add-range").click()
    mon.locator("input").nth(1).fill("13:00-18:00")
    tue.locator("input").fill("25:00-26:00")
    form.locator("button[type=submit]").click()
    page.wait_for_selector('form[data-weekly="office"] [data-outcome="refused"]')
    assert mon.locator("td.err").text_content() == overlap
    assert tue.locator("td.err").text_content() == impossible
    assert mon.locator("input.bad").input_value() == "13:00-18:00"  # the range at fault is marked
    assert live.menu.read_text(encoding="utf-8") == on_disk and live.holder.get() is in_force
    shot_path = ARTIFACTS / f"admin-hours-refused-{lang}.png"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(shot_path), full_page=True)

    # fixed: Monday morning and afternoon, Tuesday a normal day, Saturday closed
    mon.locator("input").nth(1).fill("14:00-18:00")
    tue.locator("input").fill("09:00-17:00")
    sat.locator("button.rm").click()
    form.locator("button[type=submit]").click()
    page.wait_for_selector('form[data-weekly="office"] [data-outcome="saved"]')
    office = live.holder.get().hours["office"]
    assert [(f"{r.start:%H:%M}", f"{r.end:%H:%M}") for r in office.weekly[0]] == [("09:00", "13:30"), ("14:00", "18:00")]
    assert [(f"{r.start:%H:%M}", f"{r.end:%H:%M}") for r in office.weekly[1]] == [("09:00", "17:00")]
    assert 5 not in office.weekly and office.calendar is not None  # Saturday closed, holidays kept
    text = live.menu.read_text(encoding="utf-8")
    assert 'mon: ["09:00-13:30", "14:00-18:00"]' in text and "calendar: cn" in text
    assert page.locator('form[data-weekly="office"] tr[data-day="mon"] input').count() == 2  # redrawn from the server

    # the change is in the audit log, with the ranges before and after
    page.click('#tabs button[data-tab="audit"]')
    row = page.wait_for_selector('#audit tr[data-action="ivr_hours_weekly"]')
    assert "admin" in row.text_content()
    assert '"sat":["09:00-12:00"]' in (row.query_selector("td.before").text_content() or "")
    assert '"mon":["09:00-13:30","14:00-18:00"]' in (row.query_selector("td.after").text_content() or "")
    assert errors == [], errors
    ctx.close()
