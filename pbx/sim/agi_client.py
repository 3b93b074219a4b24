"""The Asterisk side of FastAGI, for the simulated Asterisk.

``await run_fastagi(host, port, "ivr", env, caller, channel_vars)`` connects to a FastAGI
server the way Asterisk 22 does (``../shared/asterisk/agi-01..04``): it sends the env
block in two writes, answers every command with Asterisk's exact reply formats, plays
prompts in simulated time (``seconds / speed``) and lets a scripted :class:`SimCaller`
press keys or hang up. After a caller hangup it answers like agi-03a/03b (``result=-1``,
an unsolicited ``HANGUP``, then ``511`` for media commands) and, like Asterisk, never
closes the socket itself: the session ends when the server closes.

How a caller's ``dtmf`` entries are used: each input command (GET DATA, WAIT FOR
DIGIT, and STREAM FILE / SAY / EXEC Playback with escape digits) takes the next entry;
STREAM FILE, SAY and WAIT FOR DIGIT use its first digit and leave the rest for the
next input command (type-ahead); GET DATA uses the whole entry (``#`` ends it).
``hangup_after_commands=N``: N commands complete, the caller hangs up during command
N+1 (a media command is cut half-way and answered ``-1``; any other command is answered
and the hangup follows at once).

The commands themselves (reply formats, simulated media) are in
:mod:`pbx.sim.agi_commands`; this module holds the connection: the env block, the
command loop, the caller's hangup and the unsolicited ``HANGUP`` notice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pbx.agi.emulation import default_env
from pbx.agi.protocol import encode_env_block, parse_env_block

from .agi_commands import DEAD, AgiCommands, SimCaller, call_hook

__all__ = ["DEAD", "HANGUP_NOTICE_DELAY_S", "AgiExchange", "AgiOutcome", "OnExec",
           "SimCaller", "Status", "run_fastagi"]

log = logging.getLogger(__name__)

HANGUP_NOTICE_DELAY_S = 0.04  # agi-03a: HANGUP arrives ~40 ms after the -1 reply
Status = Literal["SUCCESS", "HANGUP", "FAILURE"]
OnExec = Callable[[str, str], Any]


@dataclass(frozen=True, slots=True)
class AgiExchange:
    command: str
    reply: str        # as sent, without the final LF (a 520 reply keeps its LFs)
    started_s: float  # simulated seconds since the connection opened
    ended_s: float


@dataclass
class AgiOutcome:
    status: Status
    exchanges: list[AgiExchange] = field(default_factory=list)
    hangup_by: Literal["caller", "script"] | None = None
    duration_s: float = 0.0    # simulated
    error: str | None = None   # why FAILURE

    @property
    def commands(self) -> list[str]:
        return [e.command for e in self.exchanges]

    @property
    def replies(self) -> list[str]:
        return [e.reply for e in self.exchanges]


async def run_fastagi(host: str, port: int, script: str, env: Mapping[str, str],
                      caller: SimCaller, channel_vars: dict[str, str],
                      on_exec: OnExec | None = None, speed: float = 1.0, *,
                      on_start: Callable[[str], Any] | None = None,
                      on_dtmf: Callable[[str], Any] | None = None,
                      prompt_seconds: Mapping[str, float] | None = None) -> AgiOutcome:
    """Run one ``AGI(agi://host:port/script)`` like Asterisk; see the module docstring.

    ``env`` overrides/extends the agi_* headers (``agi_channel``, ``agi_uniqueid``,
    ``agi_calleridname``, ``agi_arg_1``...). ``on_start(command)`` and
    ``on_exec(command, reply)`` (sync or async) bracket every command, for the AMI
    sim's AGIExecStart/AGIExecEnd; ``on_dtmf(digit)`` fires for every key the caller
    presses. ``channel_vars`` is read by GET VARIABLE and written by SET VARIABLE.
    """
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    try:
        reader, writer = await asyncio.open_connection(host, port)
    except OSError as exc:
        return AgiOutcome("FAILURE", error=f"cannot connect to agi://{host}:{port}: {exc}")
    side = _AsteriskSide(reader, writer, caller, channel_vars, speed, t0,
                         on_start, on_exec, on_dtmf, dict(prompt_seconds or {}))
    full_env = default_env(host, port, script) | dict(env)
    return await side.run(encode_env_block(full_env))


class _AsteriskSide(AgiCommands):
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 caller: SimCaller, channel_vars: dict[str, str], speed: float, t0: float,
                 on_start: Callable[[str], Any] | None, on_exec: OnExec | None,
                 on_dtmf: Callable[[str], Any] | None, prompts: dict[str, float]) -> None:
        super().__init__(caller, channel_vars, speed, t0, on_dtmf, prompts)
        self.reader, self.writer = reader, writer
        self.on_start, self.on_exec = on_start, on_exec
        self.outcome = AgiOutcome("SUCCESS")
        self.busy = False
        self.notice_task: asyncio.Task[None] | None = None
        self.notice_sent = False

    async def run(self, env_block: bytes) -> AgiOutcome:
        self.env = parse_env_block(env_block)
        timer = None
        if self.caller.hangup_after_s is not None:
            timer = asyncio.create_task(self._hangup_timer(self.caller.hangup_after_s))
        try:
            await self._send_env(env_block)
            await self._serve()
        except (ConnectionError, OSError) as exc:
            log.info("sim FastAGI: connection lost: %s", exc)
        finally:
            for task in (timer, self.notice_task):
                if task is not None:
                    task.cancel()
            self.writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await self.writer.wait_closed()
        out = self.outcome
        out.duration_s = self.now_s()
        if not out.exchanges:
            out.status, out.error = "FAILURE", "the FastAGI server closed before any command"
        elif out.hangup_by is not None:
            out.status = "HANGUP"
        return out

    async def _send_env(self, block: bytes) -> None:
        # agi-01: the block arrives in two reads, split before agi_extension.
        cut = block.find(b"agi_extension:")
        for part in (block[:cut], block[cut:]) if cut > 0 else (block,):
            self.writer.write(part)
            await self.writer.drain()

    async def _serve(self) -> None:
        while True:
            try:
                raw = await self.reader.readline()
            except (ValueError, asyncio.LimitOverrunError):
                log.warning("sim FastAGI: command line too long; ignored")
                continue
            if not raw.endswith(b"\n"):
                return  # EOF (a partial last line is never executed, like Asterisk)
            line = raw.rstrip(b"\r\n").decode("utf-8", errors="replace")
            if not line.strip():
                continue
            await self._run_command(line)

    async def _run_command(self, line: str) -> None:
        if self.notice_task is not None and not self.notice_task.done():
            self.notice_task.cancel()
            await self._send_notice()  # the HANGUP notice always precedes the next reply
        n = len(self.outcome.exchanges) + 1
        limit = self.caller.hangup_after_commands
        self.cut_this_command = limit is not None and n == limit + 1 and not self.dead.is_set()
        started = self.now_s()
        await call_hook(self.on_start, line)
        self.busy = True
        try:
            reply = await self._reply_to(line)
        finally:
            self.busy = False
        await self._send_reply(reply)
        self.outcome.exchanges.append(AgiExchange(line, reply, started, self.now_s()))
        await call_hook(self.on_exec, line, reply)
        if self.cut_this_command and not self.dead.is_set():
            self._caller_hangs_up()  # a non-media command: hang up right after it
        if self.dead.is_set() and not self.notice_sent and self.notice_task is None:
            self.notice_task = asyncio.create_task(self._delayed_notice())

    async def _send_reply(self, reply: str) -> None:
        if reply.startswith("520-"):  # agi-02: the usage reply arrives in two reads
            first, rest = reply.split("\n", 1)
            self.writer.write(first.encode() + b"\n")
            await self.writer.drain()
            reply = rest
        self.writer.write(reply.encode() + b"\n")
        await self.writer.drain()

    # --- hangup ---------------------------------------------------------------------
    async def _hangup_timer(self, after_s: float) -> None:
        await asyncio.sleep(max(0.0, after_s - self.now_s()) / self.speed)
        if not self.dead.is_set():
            self._caller_hangs_up()
            if not self.busy:
                await self._send_notice()

    def _caller_hangs_up(self, by: Literal["caller", "script"] = "caller") -> None:
        self.outcome.hangup_by = self.outcome.hangup_by or by
        self.dead.set()

    async def _delayed_notice(self) -> None:
        await asyncio.sleep(HANGUP_NOTICE_DELAY_S / self.speed)
        await self._send_notice()

    async def _send_notice(self) -> None:
        if not self.notice_sent:
            self.notice_sent = True
            self.writer.write(b"HANGUP\n")
            await self.writer.drain()
