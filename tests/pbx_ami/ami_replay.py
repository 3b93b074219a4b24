"""A scripted AMI peer over loopback TCP that replays recorded Asterisk bytes.

Each accepted connection plays the next script. A script is a list of steps:

* ``Send(bytes)``: write Asterisk's recorded bytes (ActionIDs rewritten, see below);
* ``Expect(action)``: read the client's actions until one named ``action`` arrives;
  others meanwhile get an automatic answer (Ping -> Pong, CoreShowChannels -> empty
  list, Getvar -> ``getvars`` or empty, Logoff -> Goodbye, anything else -> Error);
* ``Close()``: Asterisk closes the socket.

The recorded ActionID of the action an ``Expect`` stood for is mapped to the ActionID
the client really used, and every later ``Send`` is rewritten with that mapping, so the
client's own ids correlate (``OriginateResponse`` included). After the last step the
server keeps answering automatically until the client goes away.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pbx.transcripts import read_records

BANNER = b"Asterisk Call Manager/11.0.0\r\n"


@dataclass(frozen=True)
class Send:
    data: bytes


@dataclass(frozen=True)
class Expect:
    action: str
    recorded_id: str | None = None


@dataclass(frozen=True)
class Close:
    pass


Step = Send | Expect | Close
Responder = Callable[[dict[str, str]], bytes]


def _action_fields(payload: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in payload.decode("utf-8", "replace").split("\r\n"):
        key, sep, value = line.partition(": ")
        if sep and key not in out:
            out[key] = value
    return out


def transcript_scripts(path: Path | str) -> list[list[Step]]:
    """One script per connection recorded in a transcript (ami-11 has two)."""
    scripts: list[list[Step]] = []
    for rec in read_records(path):
        if rec.direction == "received":
            if rec.payload.startswith(b"Asterisk Call Manager/") or not scripts:
                scripts.append([])
            scripts[-1].append(Send(rec.payload))
        elif rec.direction == "sent":
            f = _action_fields(rec.payload)
            scripts[-1].append(Expect(f.get("Action", ""), f.get("ActionID")))
        elif b"connection closed by Asterisk" in rec.payload and scripts:
            scripts[-1].append(Close())
    return scripts


def response(action_id: str, *lines: str) -> bytes:
    body = "".join(f"{line}\r\n" for line in lines)
    return f"Response: Success\r\nActionID: {action_id}\r\n{body}\r\n".encode()


@dataclass
class ReplayServer:
    scripts: list[list[Step]]
    getvars: dict[tuple[str, str], str] = field(default_factory=dict)
    responders: dict[str, Responder] = field(default_factory=dict)
    chunk_size: int | None = None
    chunk_pause: float = 0.0
    actions: list[dict[str, str]] = field(default_factory=list)
    connections: int = 0

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self._writers: set[asyncio.StreamWriter] = set()
        return int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        self._server.close()
        for w in list(self._writers):
            w.close()
        with contextlib.suppress(Exception):
            await self._server.wait_closed()

    def drop_all(self) -> None:
        """Cut every live connection (like a network failure)."""
        for w in list(self._writers):
            w.transport.abort()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        index = self.connections
        self.connections += 1
        script = self.scripts[index] if index < len(self.scripts) else [Send(BANNER)]
        writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._writers.add(writer)
        ids: dict[bytes, bytes] = {}
        try:
            for step in script:
                if isinstance(step, Send):
                    await self._write(writer, _rewrite(step.data, ids))
                elif isinstance(step, Expect):
                    got = await self._read_until(reader, writer, step.action)
                    if got is None:
                        return
                    if step.recorded_id and "ActionID" in got:
                        ids[step.recorded_id.encode()] = got["ActionID"].encode()
                else:
                    writer.close()
                    return
            await self._read_until(reader, writer, None)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _write(self, writer: asyncio.StreamWriter, data: bytes) -> None:
        if not self.chunk_size:
            writer.write(data)
            await writer.drain()
            return
        for i in range(0, len(data), self.chunk_size):
            writer.write(data[i : i + self.chunk_size])
            await writer.drain()
            await asyncio.sleep(self.chunk_pause)

    async def _read_until(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                          wanted: str | None) -> dict[str, str] | None:
        while True:
            try:
                raw = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                return None
            fields = _action_fields(raw)
            self.actions.append(fields)
            name = fields.get("Action", "")
            if wanted is not None and name.lower() == wanted.lower():
                return fields
            answer = self._auto(fields)
            writer.write(answer)
            await writer.drain()
            if name.lower() == "logoff":
                writer.close()
                return None

    def _auto(self, f: dict[str, str]) -> bytes:
        name, aid = f.get("Action", ""), f.get("ActionID", "")
        if name in self.responders:
            return self.responders[name](f)
        key = name.lower()
        if key == "ping":
            return response(aid, "Ping: Pong", "Timestamp: 1795354536.633160")
        if key == "coreshowchannels":
            return (response(aid, "EventList: start", "Message: Channels will follow")
                    + f"Event: CoreShowChannelsComplete\r\nActionID: {aid}\r\n"
                      "EventList: Complete\r\nListItems: 0\r\n\r\n".encode())
        if key == "getvar":
            value = self.getvars.get((f.get("Channel", ""), f.get("Variable", "")), "")
            return response(aid, f"Variable: {f.get('Variable', '')}", f"Value: {value}")
        if key == "logoff":
            return (f"Response: Goodbye\r\nActionID: {aid}\r\n"
                    "Message: Thanks for all the fish.\r\n\r\n").encode()
        return (f"Response: Error\r\nActionID: {aid}\r\nMessage: Invalid/unknown command: {name}. "
                "Use Action: ListCommands to show available commands.\r\n\r\n").encode()


def _rewrite(data: bytes, ids: dict[bytes, bytes]) -> bytes:
    if not ids or b"ActionID: " not in data:
        return data
    for recorded, actual in ids.items():
        data = data.replace(b"ActionID: " + recorded + b"\r\n", b"ActionID: " + actual + b"\r\n")
    return data
