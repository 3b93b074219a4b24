"""Fixtures: a running SimAsterisk and a raw AMI client over a real TCP socket."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

from pbx.ami.codec import AmiDecoder, AmiMessage, encode_message

sys.path.insert(0, str(Path(__file__).parent))

SPEED = 40.0


class RawAmi:
    """A byte-level AMI client: records everything received, waits for messages."""

    def __init__(self) -> None:
        self.raw = b""
        self.messages: list[AmiMessage] = []
        self.banner: str | None = None
        self.eof = asyncio.Event()
        self._changed = asyncio.Event()
        self._decoder = AmiDecoder()

    async def connect(self, port: int) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", port)
        self._task = asyncio.create_task(self._read())
        await self.wait_for(lambda m: False, timeout=0.05, quiet=True)

    async def _read(self) -> None:
        while True:
            try:
                data = await self.reader.read(65536)
            except (ConnectionError, OSError):
                data = b""
            if not data:
                self.eof.set()
                self._changed.set()
                return
            self.raw += data
            for m in self._decoder.feed(data):
                if isinstance(m, AmiMessage):
                    self.messages.append(m)
            self.banner = self._decoder.banner
            self._changed.set()

    async def send(self, **fields: object) -> None:
        self.writer.write(encode_message(list(fields.items())))
        await self.writer.drain()

    async def action(self, **fields: object) -> AmiMessage:
        aid = str(fields.setdefault("ActionID", f"a{len(self.messages)}-{id(fields)}"))
        await self.send(**fields)
        return await self.wait_for(lambda m: m.get("Response") is not None
                                   and m.get("ActionID") == aid)

    async def login(self) -> AmiMessage:
        return await self.action(Action="Login", Username="hotline", Secret="hotline-secret")

    async def wait_for(self, pred: Callable[[AmiMessage], bool], timeout: float = 5.0,  # noqa: ASYNC109
                       start: int = 0, quiet: bool = False) -> AmiMessage:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for m in self.messages[start:]:
                if pred(m):
                    return m
            left = deadline - loop.time()
            if left <= 0 or self.eof.is_set():
                if quiet:
                    return AmiMessage()
                raise AssertionError(f"timed out waiting; last events: "
                                     f"{[m.get('Event') or m.get('Response') for m in self.messages[-8:]]}")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), left)
            except TimeoutError:
                pass

    async def wait_event(self, name: str, timeout: float = 5.0, **fields: str) -> AmiMessage:  # noqa: ASYNC109
        return await self.wait_for(lambda m: m.get("Event") == name and all(
            m.get(k) == v for k, v in fields.items()), timeout)

    async def close(self) -> None:
        self.writer.close()
        self._task.cancel()
