"""Why pbx/agi/server.py exists: panoramisk 1.4's FastAGI Application cannot even
register a plain-function route on Python 3.11 (it calls the removed
``asyncio.coroutine``). Our server takes plain and async handlers alike."""

from __future__ import annotations

import asyncio

import pytest
from panoramisk.fast_agi import Application

from pbx.agi.session import AgiSession
from pbx.sim.agi_client import SimCaller, run_fastagi


def test_panoramisk_fast_agi_cannot_register_a_sync_route_on_311():
    def handler(request):  # pragma: no cover - never runs
        return None

    loop = asyncio.new_event_loop()  # Application() wants one; don't depend on test order
    try:
        with pytest.raises(AttributeError, match="coroutine"):
            Application(loop=loop).add_route("ivr", handler)
    finally:
        loop.close()


async def test_our_server_runs_sync_and_async_handlers(agi_server):
    ran: list[str] = []

    def sync_handler(session: AgiSession) -> None:
        ran.append(f"sync {session.caller_name}")

    async def async_handler(session: AgiSession) -> None:
        await session.answer()
        ran.append(f"async {session.caller_name}")

    server = await agi_server({"a": sync_handler, "b": async_handler})
    for script in ("a", "b"):
        await asyncio.wait_for(run_fastagi("127.0.0.1", server.port, script,
                                           {"agi_calleridname": "张安娜"}, SimCaller(), {},
                                           speed=100), 5)
    assert ran == ["sync 张安娜", "async 张安娜"]
    assert server.stats.completed == 2
