"""The CRM pages in headless Chromium against a live server and a real database."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
import uvicorn
from browser_support import CHROMIUM_ARGS, require_chromium
from crm_users import AGENT, LEAD, header_user
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from crm.http import build_router
from hotline.clock import ManualClock
from hotline.db import make_sessionmaker

pytestmark = pytest.mark.browser


@pytest.fixture
async def server(sqlite_engine: AsyncEngine, clock: ManualClock) -> AsyncIterator[str]:
    maker = make_sessionmaker(sqlite_engine)

    async def get_session() -> AsyncIterator[AsyncSession]:
        async with maker() as s:
            yield s

    app = FastAPI()
    app.include_router(build_router(header_user, get_session, clock=clock))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(srv.serve())
    while not srv.started:  # noqa: ASYNC110  (uvicorn offers no event to wait on)
        await asyncio.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    await task


async def test_ticket_list_detail_and_action_in_chinese_and_english(server: str) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=require_chromium(), args=CHROMIUM_ARGS)
        ctx = await browser.new_context(extra_http_headers=AGENT)
        api = ctx.request
        c = await (await api.post(f"{server}/crm/customers",
                                  data={"name": "张安娜<script>", "phones": ["13800138000"]})).json()
        t = await (await api.post(f"{server}/crm/tickets", data={
            "type": "complaint", "title": "快递丢失", "customer_id": c["id"]})).json()
        page = await ctx.new_page()
        await page.goto(f"{server}/crm/ui/tickets?lang=zh")
        await page.wait_for_selector(f"text={t['number']}")
        assert "投诉" in await page.inner_text("table") and "新建" in await page.inner_text("table")
        await page.click(f"text={t['number']}")
        await page.wait_for_selector("form[data-action=accept]")
        await page.click("form[data-action=accept] button")
        await page.wait_for_selector("text=已受理")
        # an agent may not assign: the refusal is shown in the page's language
        await page.click("form[data-action=assign] button")
        await page.wait_for_selector("#error:not([hidden])")
        assert "无权" in await page.inner_text("#error")
        await page.goto(f"{server}/crm/ui/customer?number=%2B86%20138%200013%208000&lang=en")
        await page.wait_for_selector("text=Open tickets")
        assert "张安娜<script>" in await page.inner_text("dl")  # shown as text, not run
        assert "Beijing" in await page.inner_text("dl")
        lead = await browser.new_context(extra_http_headers=LEAD)
        page2 = await lead.new_page()
        await page2.goto(f"{server}/crm/ui/ticket?id={t['id']}&lang=en")
        await page2.fill("form[data-action=assign] input[name=assignee]", "li")
        await page2.click("form[data-action=assign] button")
        await page2.wait_for_selector("text=Assigned")
        await browser.close()
