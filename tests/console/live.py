"""A real uvicorn server on a free loopback port, in a thread, for Schemathesis and Chromium."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import uvicorn

from agent_console.app import create_app
from agent_console.config import ConsoleConfig
from hotline.clock import ManualClock
from hotline.db import make_engine
from hotline.settings import Settings
from tests.console.conftest import PASSWORD, fake_lookup, staffed_center
from tests.console.fake_center import FakeCenter

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Live:
    url: str
    center: FakeCenter
    clock: ManualClock
    server: uvicorn.Server
    app: Any

    def run(self, fn: Callable[[], Awaitable[T]]) -> T:
        """Run a coroutine function on the server's loop (where the hub and the fake ACD live)."""
        loop = self.app.state.console.hub._loop
        return asyncio.run_coroutine_threadsafe(fn(), loop).result(10)


@contextmanager
def live_server(db: Path, config: ConsoleConfig | None = None,
                mount: Callable[[Any, ManualClock], None] | None = None,
                settings: Settings | None = None) -> Iterator[Live]:
    """``mount(app, clock)``: routers the runtime adds to the console (e.g. the admin ones)."""
    clock, bus, center = staffed_center()
    engine = make_engine(f"sqlite+aiosqlite:///{db}")
    app = create_app(settings or Settings(), engine, bus, center, fake_lookup, clock,
                     config=config or ConsoleConfig(refresh_interval_s=0.5))
    if mount is not None:
        mount(app, clock)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           ws="websockets-sansio", lifespan="on"))
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield Live(f"http://127.0.0.1:{port}", center, clock, server, app)
    finally:
        live_loop = app.state.console.hub._loop
        if live_loop is not None and thread.is_alive():
            asyncio.run_coroutine_threadsafe(engine.dispose(), live_loop).result(10)
        server.should_exit = True
        thread.join(10)


def sign_in_page(browser: Any, url: str, username: str, lang: str | None,
                 **context: Any) -> tuple[Any, Any, list[str]]:
    """A new browser context (``context``: Playwright's new_context arguments) whose page
    has the UI language ``lang`` stored (None: nothing stored, the browser's ``locale``
    chooses) and has submitted the login form as ``username``; returns the context, the
    page and the list the page's uncaught errors go to."""
    ctx = browser.new_context(**context)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    if lang is not None:
        page.add_init_script(f"localStorage.setItem('hotline.lang', '{lang}')")
    page.goto(f"{url}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#sign-in")
    return ctx, page, errors
