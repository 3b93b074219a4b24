"""Our asyncio FastAGI server: one task per Asterisk connection, routed by script name.

``AGI(agi://host:4573/ivr,lang=zh)`` in the dialplan makes Asterisk connect and send
``agi_network_script: ivr``; the handler registered under ``"ivr"`` then runs with an
:class:`~pbx.agi.session.AgiSession`. When the handler returns, we close the socket and
the dialplan continues (``AGISTATUS=SUCCESS``).

Written instead of ``panoramisk.fast_agi.Application`` (see tests/pbx_agi/
test_panoramisk_regression.py), which on Python 3.11 cannot register a route, spins on a
peer that closes without a word, desynchronises after a multi-line ``520`` reply and
loses UTF-8 characters split across reads.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from hotline.clock import Clock, SystemClock
from pbx.agi.fastagi import FastAgiSession, read_env_block
from pbx.agi.protocol import ENV_MAX_BYTES, AgiProtocolError
from pbx.agi.session import AgiError, AgiHangup, AgiSession

log = logging.getLogger(__name__)

#: ``async def handler(session) -> None``; a plain function is accepted too.
AgiHandler = Callable[[AgiSession], Awaitable[None] | None]


@dataclass(slots=True)
class AgiServerStats:
    """Counters since start (exported as metrics by whoever owns the server)."""

    connections: int = 0     # TCP connections accepted
    sessions: int = 0        # env block read and a handler started
    completed: int = 0       # handler returned normally
    hangups: int = 0         # handler ended by AgiHangup (caller gone)
    rejected: int = 0        # garbage / empty / slow env block, or unknown script
    errors: int = 0          # handler raised something else
    total_session_s: float = 0.0


class FastAgiServer:
    """``FastAgiServer("127.0.0.1", 4573, {"ivr": handle_ivr})``; ``await start()``."""

    def __init__(self, host: str, port: int, routes: Mapping[str, AgiHandler],
                 clock: Clock | None = None, *, env_timeout_s: float = 5.0,
                 env_max_bytes: int = ENV_MAX_BYTES, close_timeout_s: float = 2.0) -> None:
        self.host = host
        self._requested_port = port
        self.routes: dict[str, AgiHandler] = dict(routes)
        self.clock: Clock = clock or SystemClock()
        self.env_timeout_s = env_timeout_s
        self.env_max_bytes = env_max_bytes
        self.close_timeout_s = close_timeout_s
        self.stats = AgiServerStats()
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    # --- lifecycle --------------------------------------------------------------------
    async def start(self) -> None:
        if self._server is not None:
            raise RuntimeError("FastAgiServer.start() called twice")
        self._server = await asyncio.start_server(self._on_connect, self.host,
                                                  self._requested_port)
        log.info("FastAGI server listening on %s:%d, scripts %s", self.host, self.port,
                 sorted(self.routes))

    @property
    def port(self) -> int:
        """The bound port (useful with port 0)."""
        if self._server is None or not self._server.sockets:
            return self._requested_port
        return int(self._server.sockets[0].getsockname()[1])

    @property
    def live_connections(self) -> int:
        return len(self._tasks)

    async def stop(self) -> None:
        """Stop listening, cancel every running session and wait for them to end."""
        if self._server is not None:
            self._server.close()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> FastAgiServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def add_route(self, script: str, handler: AgiHandler) -> None:
        self.routes[script] = handler

    # --- per connection ---------------------------------------------------------------
    async def _on_connect(self, reader: asyncio.StreamReader,
                          writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.stats.connections += 1
        peer = writer.get_extra_info("peername")
        try:
            await self._serve(reader, writer, peer)
        except asyncio.CancelledError:
            # Ending normally: asyncio's start_server callback calls task.exception() on
            # its client task, which logs a bogus error for a cancelled one (3.11).
            log.info("FastAGI session from %s cancelled (server stopping)", peer)
        finally:
            await self._close(writer)
            self._tasks.discard(task)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                     peer: object) -> None:
        try:
            env, leftover = await read_env_block(reader, timeout_s=self.env_timeout_s,
                                                 max_bytes=self.env_max_bytes)
        except (AgiProtocolError, ConnectionError, OSError) as exc:
            self.stats.rejected += 1
            log.warning("FastAGI connection from %s rejected: %s", peer, exc)
            return
        script = env.get("agi_network_script", "").strip("/")
        handler = self.routes.get(script)
        if handler is None:
            # Reply nothing and close: Asterisk ends the AGI() application.
            self.stats.rejected += 1
            log.warning("FastAGI from %s: no handler for script %r (known: %s); closing",
                        peer, script, ", ".join(sorted(self.routes)) or "none")
            return
        self.stats.sessions += 1
        started = self.clock.monotonic()
        session = FastAgiSession(reader, writer, env, leftover)
        try:
            result = handler(session)
            if inspect.isawaitable(result):
                await result
            self.stats.completed += 1
        except AgiHangup as exc:
            self.stats.hangups += 1
            log.info("FastAGI %s %s ended by hangup: %s", script, session.channel, exc)
        except (AgiError, AgiProtocolError) as exc:
            self.stats.errors += 1
            log.warning("FastAGI %s %s failed: %s", script, session.channel, exc)
        except Exception:
            self.stats.errors += 1
            log.exception("FastAGI %s handler failed on %s", script, session.channel)
        finally:
            self.stats.total_session_s += self.clock.monotonic() - started

    async def _close(self, writer: asyncio.StreamWriter) -> None:
        writer.close()
        try:
            async with asyncio.timeout(self.close_timeout_s):
                await writer.wait_closed()
        except (TimeoutError, ConnectionError, OSError):
            pass
