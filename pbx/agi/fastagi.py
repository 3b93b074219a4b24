"""The AGI session over a FastAGI TCP connection (asyncio streams).

Reading is incremental and never spins: ``read()`` returning ``b""`` (EOF) ends the
session with :class:`AgiHangup` (Asterisk only closes when the channel is gone or it
is shutting down). Unsolicited ``HANGUP`` lines are remembered and skipped, so the
reply to the next command is still matched to that command.
"""

from __future__ import annotations

import asyncio
import logging

from pbx.agi.base import BaseAgiSession
from pbx.agi.protocol import (
    ENV_MAX_BYTES,
    AgiProtocolError,
    HangupNotice,
    Reply,
    ReplyDecoder,
    check_env_lines,
    parse_env_block,
)
from pbx.agi.session import AgiHangup

log = logging.getLogger(__name__)

READ_SIZE = 4096


async def read_env_block(reader: asyncio.StreamReader, *, timeout_s: float = 5.0,
                         max_bytes: int = ENV_MAX_BYTES) -> tuple[dict[str, str], bytes]:
    """Read bytes up to the empty line that ends the env block.

    Returns the env and any bytes received after the block. Raises
    :class:`AgiProtocolError` on EOF before the block ends, on a block over
    ``max_bytes``, on a malformed line, or when nothing complete arrives within
    ``timeout_s``.
    """
    buf = b""
    checked = 0
    try:
        async with asyncio.timeout(timeout_s):
            while (end := buf.find(b"\n\n")) < 0:
                if len(buf) > max_bytes:
                    raise AgiProtocolError(f"AGI env block over {max_bytes} bytes")
                chunk = await reader.read(READ_SIZE)
                if not chunk:
                    what = "without sending anything" if not buf else f"after {len(buf)} bytes"
                    raise AgiProtocolError(f"connection closed {what} (no AGI env block)")
                buf += chunk
                checked = check_env_lines(buf, checked)
    except TimeoutError:
        raise AgiProtocolError(f"no complete AGI env block within {timeout_s} s") from None
    return parse_env_block(buf[: end + 1]), buf[end + 2:]


class FastAgiSession(BaseAgiSession):
    """:class:`pbx.agi.session.AgiSession` over one FastAGI connection."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 env: dict[str, str], leftover: bytes = b"") -> None:
        super().__init__(env)
        self._reader = reader
        self._writer = writer
        self._decoder = ReplyDecoder()
        self._frames: list[Reply | HangupNotice] = []
        self._eof = False
        self._leftover = leftover  # decoded with the first command (errors surface there)

    async def _send_and_receive(self, line: str) -> Reply:
        if self._eof:
            raise AgiHangup("the FastAGI connection is closed")
        if self._leftover:
            data, self._leftover = self._leftover, b""
            self._frames.extend(self._decoder.feed(data))
        self._drop_stale_frames()
        try:
            self._writer.write(line.encode() + b"\n")
            await self._writer.drain()
        except (ConnectionError, OSError) as exc:
            self._eof = True
            raise AgiHangup(f"{line!r}: connection lost ({exc})") from exc
        log.debug("AGI %s >> %s", self.channel, line)
        while True:
            frame = await self._next_frame()
            if isinstance(frame, HangupNotice):
                self.hangup_seen = True
                continue
            if frame.code == 100:  # "100 result=0 Trying..." precedes the real reply
                continue
            log.debug("AGI %s << %d %s", self.channel, frame.code, frame.text)
            return frame

    def _drop_stale_frames(self) -> None:
        """Before a command, only HANGUP notices may be buffered; a stray reply
        (nothing was asked) would shift every later answer, so it is dropped."""
        for frame in self._frames:
            if isinstance(frame, HangupNotice):
                self.hangup_seen = True
            else:
                log.warning("AGI %s: dropping unrequested reply %r", self.channel, frame)
        self._frames.clear()

    async def _next_frame(self) -> Reply | HangupNotice:
        while not self._frames:
            try:
                chunk = await self._reader.read(READ_SIZE)
            except (ConnectionError, OSError) as exc:
                chunk, reason = b"", str(exc)
            else:
                reason = "EOF"
            if not chunk:
                self._eof = True
                raise AgiHangup(f"the FastAGI connection closed ({reason})")
            self._frames.extend(self._decoder.feed(chunk))
        return self._frames.pop(0)
