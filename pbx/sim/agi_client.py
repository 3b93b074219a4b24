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
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pbx.agi.emulation import (
    COMMANDS,
    DEAD_OK,
    SAMPLE_RATE,
    USAGE_FIRST_LINE,
    default_env,
    expand_expression,
    lookup_variable,
    media_seconds,
    usage_body,
    write_recording,
)
from pbx.agi.protocol import encode_env_block, parse_env_block, split_command

log = logging.getLogger(__name__)

HANGUP_NOTICE_DELAY_S = 0.04  # agi-03a: HANGUP arrives ~40 ms after the -1 reply
DEAD = "511 Command Not Permitted on a dead channel or intercept routine"
Status = Literal["SUCCESS", "HANGUP", "FAILURE"]
OnExec = Callable[[str, str], Any]


@dataclass
class SimCaller:
    """A scripted caller. Times are simulated seconds."""

    dtmf: list[str] = field(default_factory=list)  # per prompt: "1", "12345#", "" (silence)
    hangup_after_commands: int | None = None
    hangup_after_s: float | None = None
    record_dtmf: str = "#"      # pressed to end RECORD FILE ("" = stay silent until timeout)
    think_s: float = 0.5        # from prompt start to the first key press
    digit_gap_s: float = 0.25   # between key presses
    talk_s: float = 4.0         # speech recorded by RECORD FILE


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


class _AsteriskSide:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 caller: SimCaller, channel_vars: dict[str, str], speed: float, t0: float,
                 on_start: Callable[[str], Any] | None, on_exec: OnExec | None,
                 on_dtmf: Callable[[str], Any] | None, prompts: dict[str, float]) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.reader, self.writer = reader, writer
        self.caller, self.vars, self.speed, self.t0 = caller, channel_vars, speed, t0
        self.on_start, self.on_exec, self.on_dtmf = on_start, on_exec, on_dtmf
        self.prompts = prompts
        self.dtmf = list(caller.dtmf)
        self.env: dict[str, str] = {}
        self.outcome = AgiOutcome("SUCCESS")
        self.dead = asyncio.Event()
        self.busy = False
        self.cut_this_command = False
        self.notice_task: asyncio.Task[None] | None = None
        self.notice_sent = False
        self.recorded: dict[str, float] = {}

    def now_s(self) -> float:
        return (asyncio.get_running_loop().time() - self.t0) * self.speed

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
        await _call(self.on_start, line)
        self.busy = True
        try:
            reply = await self._reply_to(line)
        finally:
            self.busy = False
        await self._send_reply(reply)
        self.outcome.exchanges.append(AgiExchange(line, reply, started, self.now_s()))
        await _call(self.on_exec, line, reply)
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

    async def _play(self, seconds: float) -> float | None:
        """Let ``seconds`` of simulated media pass. Returns None when it played to
        the end, else the simulated seconds played before the caller hung up."""
        if self.cut_this_command:
            await asyncio.sleep(seconds / 2 / self.speed)
            self._caller_hangs_up()
            return seconds / 2
        start = self.now_s()
        try:
            await asyncio.wait_for(self.dead.wait(), seconds / self.speed)
        except TimeoutError:
            return None
        return min(seconds, self.now_s() - start)

    # --- commands -------------------------------------------------------------------
    async def _reply_to(self, line: str) -> str:
        words = split_command(line)
        upper = [w.upper() for w in words]
        for n in (3, 2, 1):
            verb = " ".join(upper[:n])
            if verb in COMMANDS:
                break
        else:
            return "510 Invalid or unknown command"
        args = words[n:]
        lo, hi = COMMANDS[verb]
        if not lo <= len(args) <= hi:
            return "\n".join((USAGE_FIRST_LINE, *usage_body(verb), "520 End of proper usage."))
        if self.dead.is_set() and verb not in DEAD_OK:
            return DEAD
        method = getattr(self, "_cmd_" + verb.lower().replace(" ", "_"))
        result: str = await method(args)
        return result

    def _next_entry(self) -> str:
        return self.dtmf.pop(0) if self.dtmf else ""

    async def _press(self, digit: str) -> None:
        await _call(self.on_dtmf, digit)

    async def _listen_while_playing(self, seconds: float, escape: str) -> tuple[str, float] | None:
        """Plays with escape digits. Returns (digit, at_s) if interrupted by a key, None if
        played to the end; raises _Hungup(at_s) if the caller hung up meanwhile."""
        entry = self._next_entry() if escape else ""
        if not entry:
            cut = await self._play(seconds)
            if cut is not None:
                raise _Hungup(cut)
            return None
        at = min(self.caller.think_s, seconds)
        cut = await self._play(at)
        if cut is not None:
            raise _Hungup(cut)
        digit, rest = entry[0], entry[1:]
        await self._press(digit)
        if digit in escape:
            if rest:
                self.dtmf.insert(0, rest)
            return digit, at
        cut = await self._play(seconds - at)  # key not in escape: ignored, prompt goes on
        if cut is not None:
            raise _Hungup(at + cut)
        return None

    async def _cmd_stream_file(self, args: list[str]) -> str:
        seconds = self._media_seconds(args[0])
        try:
            hit = await self._listen_while_playing(seconds, args[1] if len(args) > 1 else "")
        except _Hungup as h:
            return f"200 result=-1 endpos={_samples(h.at)}"
        if hit is None:
            return f"200 result=0 endpos={_samples(seconds)}"
        return f"200 result={ord(hit[0])} endpos={_samples(hit[1])}"

    async def _say(self, seconds: float, escape: str) -> str:
        try:
            hit = await self._listen_while_playing(seconds, escape)
        except _Hungup:
            return "200 result=-1"
        return f"200 result={ord(hit[0]) if hit else 0}"

    async def _cmd_say_digits(self, args: list[str]) -> str:
        return await self._say(0.6 * len(args[0]), args[1] if len(args) > 1 else "")

    async def _cmd_say_number(self, args: list[str]) -> str:
        return await self._say(0.8 * len(args[0]), args[1] if len(args) > 1 else "")

    async def _cmd_get_data(self, args: list[str]) -> str:
        seconds = self._media_seconds(args[0])
        timeout_s = int(args[1]) / 1000 if len(args) > 1 and args[1].isdigit() else 6.0
        max_digits = int(args[2]) if len(args) > 2 and args[2].isdigit() else 1024
        entry = self._next_entry()
        digits, ended = "", False
        elapsed = min(self.caller.think_s, seconds) if entry else seconds
        if await self._play(elapsed) is not None:
            return "200 result=-1"
        for i, key in enumerate(entry):
            if i and await self._play(self.caller.digit_gap_s) is not None:
                return "200 result=-1"
            await self._press(key)
            if key == "#":
                ended = True
                break
            digits += key
            if len(digits) >= max_digits:
                ended = True
                break
        if ended:
            return f"200 result={digits}"
        if await self._play(timeout_s) is not None:
            return "200 result=-1"
        return f"200 result={digits} (timeout)"

    async def _cmd_wait_for_digit(self, args: list[str]) -> str:
        timeout_ms = int(args[0]) if args[0].lstrip("-").isdigit() else 0
        entry = self._next_entry()
        if entry:
            if await self._play(self.caller.think_s) is not None:
                return "200 result=-1"
            await self._press(entry[0])
            if entry[1:]:
                self.dtmf.insert(0, entry[1:])
            return f"200 result={ord(entry[0])}"
        wait_s = timeout_ms / 1000 if timeout_ms >= 0 else 24 * 3600.0  # -1: forever
        if await self._play(wait_s) is not None:
            return "200 result=-1"
        return "200 result=0"

    async def _cmd_exec(self, args: list[str]) -> str:
        app, data = args[0].lower(), args[1] if len(args) > 1 else ""
        if app == "playback":
            seconds = sum(self._media_seconds(f) for f in data.split(",")[0].split("&") if f)
            return "200 result=-1" if await self._play(seconds) is not None else "200 result=0"
        if app == "wait":
            seconds = float(data) if re.fullmatch(r"\d+(\.\d+)?", data) else 0.0
            return "200 result=-1" if await self._play(seconds) is not None else "200 result=0"
        if app == "set" and "=" in data:
            name, value = data.split("=", 1)
            self.vars[name] = value
            return "200 result=0"
        if app in ("noop", "verbose", "log", "answer"):
            return "200 result=0"
        return "200 result=-2"

    async def _cmd_record_file(self, args: list[str]) -> str:
        path, fmt, escape = args[0], args[1], args[2]
        timeout_s = int(args[3]) / 1000 if args[3].isdigit() else -1.0
        silence = next((int(a[2:]) for a in args[4:] if re.fullmatch(r"s=\d+", a)), None)
        beep_s = 0.25 if any(a.upper() == "BEEP" for a in args[4:]) else 0.0
        key = self.caller.record_dtmf[:1]
        talk = self.caller.talk_s
        if key and key in escape:
            length, kept, tail = talk, talk, f"{ord(key)} (dtmf)"
        else:
            length = talk + (silence if silence is not None else 10**6)
            length = min(length, timeout_s) if timeout_s > 0 else min(length, talk + 5)
            kept, tail = length, "0 (timeout)"
            if silence is not None and length == talk + silence:
                kept = talk + min(1.0, silence)  # Asterisk trims the silence but 1 s
        cut = await self._play(beep_s + length)
        recorded = max(0.0, min(cut - beep_s, kept) if cut is not None else kept)
        try:
            write_recording(Path(f"{path}.{fmt}"), fmt, recorded, min(recorded, talk))
        except (OSError, ValueError) as exc:
            log.warning("sim RECORD FILE %s.%s: %s", path, fmt, exc)
            return "200 result=-1 (writefile) endpos=0"
        self.recorded[path] = recorded
        if cut is not None:
            return f"200 result=-1 (hangup) endpos={_samples(recorded)}"
        if key and key in escape:
            await self._press(key)
        return f"200 result={tail} endpos={_samples(recorded)}"

    async def _cmd_answer(self, args: list[str]) -> str:
        return "200 result=0"

    async def _cmd_hangup(self, args: list[str]) -> str:
        self._caller_hangs_up("script")
        return "200 result=1"

    async def _cmd_channel_status(self, args: list[str]) -> str:
        return "200 result=6"

    async def _cmd_verbose(self, args: list[str]) -> str:
        return "200 result=1"

    async def _cmd_noop(self, args: list[str]) -> str:
        return "200 result=0"

    async def _cmd_set_variable(self, args: list[str]) -> str:
        self.vars[args[0]] = args[1]
        return "200 result=1"

    async def _cmd_get_variable(self, args: list[str]) -> str:
        value = self._lookup(args[0])
        return "200 result=0" if value is None else f"200 result=1 ({value})"

    async def _cmd_get_full_variable(self, args: list[str]) -> str:
        return f"200 result=1 ({expand_expression(args[0], self.vars, self.env)})"

    def _lookup(self, name: str) -> str | None:
        return lookup_variable(name, self.vars, self.env)

    def _media_seconds(self, name: str) -> float:
        if name in self.recorded:
            return self.recorded[name]
        return media_seconds(name, self.prompts)


class _Hungup(Exception):
    def __init__(self, at: float) -> None:
        self.at = at


def _samples(seconds: float) -> int:
    return int(round(seconds * SAMPLE_RATE))


async def _call(fn: Callable[..., Any] | None, *args: Any) -> None:
    if fn is None:
        return
    try:
        result = fn(*args)
        if inspect.isawaitable(result):
            await result
    except Exception:
        log.exception("sim FastAGI callback %r failed", fn)
