"""Fixtures for the FastAGI tests: a running server factory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping

import pytest

from pbx.agi.server import AgiHandler, FastAgiServer

ServerFactory = Callable[..., Awaitable[FastAgiServer]]


@pytest.fixture
async def agi_server() -> AsyncIterator[ServerFactory]:
    started: list[FastAgiServer] = []

    async def make(routes: Mapping[str, AgiHandler], **kw: float) -> FastAgiServer:
        server = FastAgiServer("127.0.0.1", 0, routes, **kw)  # type: ignore[arg-type]
        await server.start()
        started.append(server)
        return server

    yield make
    for server in started:
        await server.stop()
