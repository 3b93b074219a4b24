"""The AMI side of the simulated Asterisk: a TCP server speaking Asterisk's manager protocol.

Framing is CRLF ``Key: Value`` lines ending with an empty line; the banner is
``Asterisk Call Manager/11.0.0``. Each connection has an ordered outbound queue
(responses and events interleave exactly as produced) drained by one writer task,
which also honours :attr:`AmiServer.chunk_size` (split writes, for UTF-8 split tests).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from pbx.ami.codec import AmiDecoder, AmiFrameError, AmiMessage, encode_message

from .channels import Fields

log = logging.getLogger(__name__)

BANNER = b"Asterisk Call Manager/11.0.0\r\n"
_CLOSE = b""  # queue sentinel: flush then close the connection


def parse_action(raw: str) -> AmiMessage:
    """Parse one client block (``Action: Ping\\r\\nActionID: 1``) into a message.

    Keys are kept as sent; repeated keys (``Variable``) are available via ``getall``.
    """
    msg = AmiMessage()
    for line in raw.split("\r\n"):
        if not line:
            continue
        key, sep, value = line.partition(":")
        if not sep:
            continue
        msg.add(key.strip(), value.strip())
    return msg


def header(msg: AmiMessage, name: str, default: str = "") -> str:
    """Case-insensitive header lookup (AMI header names are case-insensitive)."""
    if name in msg:
        return msg[name]
    low = name.lower()
    for k, v in msg.items():
        if k.lower() == low:
            return v
    return default


class AmiSession:
    """One manager connection."""

    _next_id = 0x7F674C001D40

    def __init__(self, server: AmiServer, reader: asyncio.StreamReader,
                 writer: asyncio.StreamWriter) -> None:
        self.server = server
        self.reader = reader
        self.writer = writer
        self.authenticated = False
        self.username = ""
        self.events_on = True
        self.closed = False
        self.queue: asyncio.Queue[bytes] = asyncio.Queue()
        AmiSession._next_id += 0x1000
        self.session_id = hex(AmiSession._next_id)
        peer = writer.get_extra_info("peername") or ("127.0.0.1", 0)
        sock = writer.get_extra_info("sockname") or ("127.0.0.1", 0)
        self.remote = f"IPV4/TCP/{peer[0]}/{peer[1]}"
        self.local = f"IPV4/TCP/{sock[0]}/{sock[1]}"
        self.started_at = server.now()

    def send(self, fields: Fields) -> None:
        if not self.closed:
            self.queue.put_nowait(encode_message(fields))

    def send_raw(self, data: bytes) -> None:
        if not self.closed and data:
            self.queue.put_nowait(data)

    def close_after_flush(self) -> None:
        if not self.closed:
            self.queue.put_nowait(_CLOSE)

    def abort(self) -> None:
        """Drop the TCP connection now (network failure)."""
        self.closed = True
        with contextlib.suppress(Exception):
            self.writer.transport.abort()

    async def write_loop(self) -> None:
        try:
            while True:
                data = await self.queue.get()
                if data == _CLOSE:
                    break
                size = self.server.chunk_size
                if size and size > 0:
                    for i in range(0, len(data), size):
                        self.writer.write(data[i : i + size])
                        await self.writer.drain()
                        await asyncio.sleep(0)
                else:
                    self.writer.write(data)
                    await self.writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            self.closed = True
            with contextlib.suppress(Exception):
                self.writer.close()

    async def read_loop(self, handle: Callable[[AmiSession, AmiMessage], Awaitable[None]]) -> None:
        decoder = AmiDecoder(expect_banner=False)
        try:
            while not self.closed:
                data = await self.reader.read(65536)
                if not data:
                    break
                for item in decoder.feed(data):
                    raw = item.raw if isinstance(item, AmiFrameError) else _reencode(item)
                    if self.closed:
                        break
                    await handle(self, parse_action(raw))
        except (ConnectionError, OSError):
            pass
        finally:
            self.closed = True


def _reencode(msg: AmiMessage) -> str:
    # A block that happened to contain "Event:"/"Response:" still reaches the handler.
    return "\r\n".join(f"{k}: {v}" for k, v in msg.items())


Handler = Callable[[AmiSession, AmiMessage], Awaitable[None]]


class AmiServer:
    """``now``: the simulated clock; ``handle``: answers one action of a session."""

    def __init__(self, now: Callable[[], float], handle: Handler) -> None:
        self.now = now
        self.handle = handle
        self.sessions: list[AmiSession] = []
        self.chunk_size: int | None = None
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.port = 0

    async def start(self, host: str, port: int) -> None:
        self._server = await asyncio.start_server(self._on_connect, host, port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop_listening(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
            self._server = None

    async def close(self) -> None:
        await self.stop_listening()
        for s in list(self.sessions):
            s.abort()
        for t in list(self._tasks):
            t.cancel()
        for t in list(self._tasks):
            with contextlib.suppress(BaseException):
                await t
        self.sessions.clear()

    def broadcast(self, fields: Fields) -> None:
        for s in self.sessions:
            if s.authenticated and s.events_on:
                s.send(fields)

    def inject(self, data: bytes) -> None:
        for s in self.sessions:
            s.send_raw(data)

    def drop_all(self) -> None:
        for s in list(self.sessions):
            s.abort()

    def close_all_after_flush(self) -> None:
        for s in list(self.sessions):
            s.close_after_flush()

    async def _on_connect(self, reader: asyncio.StreamReader,
                          writer: asyncio.StreamWriter) -> None:
        session = AmiSession(self, reader, writer)
        self.sessions.append(session)
        session.send_raw(BANNER)
        wtask = asyncio.create_task(session.write_loop())
        self._tasks.add(wtask)
        wtask.add_done_callback(self._tasks.discard)
        try:
            await session.read_loop(self.handle)
        finally:
            if session in self.sessions:
                self.sessions.remove(session)
            session.close_after_flush()
