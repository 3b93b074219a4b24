"""The typed AGI commands, shared by every transport (FastAGI socket, stdin/stdout).

A transport supplies ``_send_and_receive(line) -> Reply`` (the final reply of one
command, unsolicited ``HANGUP`` lines already noted in ``hangup_seen``); this class
builds the command lines and maps replies to values and errors:

* ``200 result=-1`` on a media command, ``511`` (dead channel) -> :class:`AgiHangup`
* ``510`` (unknown command), ``520`` (usage), any other code -> :class:`AgiCommandError`
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod

from pbx.agi.protocol import Reply, env_args, parse_result, quote, split_command, word
from pbx.agi.session import AgiCommandError, AgiHangup, AgiResult, DigitsResult

# Commands whose ``result=-1`` means "the channel hung up" (res_agi: -1 on error/hangup).
MEDIA_COMMANDS = frozenset({
    "ANSWER", "STREAM FILE", "CONTROL STREAM FILE", "GET DATA", "GET OPTION",
    "WAIT FOR DIGIT", "SAY DIGITS", "SAY NUMBER", "SAY ALPHA", "SAY PHONETIC", "SAY DATE",
    "SAY TIME", "SAY DATETIME", "RECORD FILE", "EXEC", "RECEIVE CHAR", "SEND TEXT",
})
# RECORD FILE answers -1 with these when it cannot write: an error, not a hangup.
_RECORD_ERRORS = frozenset({"writefile", "randomerror"})


def command_verb(line: str) -> str:
    """``'STREAM FILE beep ""'`` -> ``"STREAM FILE"`` (the longest known command prefix)."""
    words = [w.upper() for w in split_command(line)[:3]]
    for n in (3, 2, 1):
        verb = " ".join(words[:n])
        if verb in MEDIA_COMMANDS or verb in _OTHER_COMMANDS:
            return verb
    return words[0] if words else ""


_OTHER_COMMANDS = frozenset({
    "SET VARIABLE", "GET VARIABLE", "GET FULL VARIABLE", "VERBOSE", "CHANNEL STATUS",
    "HANGUP", "NOOP", "SET CONTEXT", "SET EXTENSION", "SET PRIORITY", "SET MUSIC",
    "SET CALLERID", "SET AUTOHANGUP", "DATABASE GET", "DATABASE PUT", "DATABASE DEL",
    "DATABASE DELTREE", "GOSUB", "ASYNCAGI BREAK",
})


class BaseAgiSession(ABC):
    """Implements :class:`pbx.agi.session.AgiSession` on top of one transport method."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self._args = env_args(env)
        self.hangup_seen = False  # an unsolicited HANGUP line has arrived
        self.commands_sent = 0
        self._lock = asyncio.Lock()

    # --- env ------------------------------------------------------------------------
    @property
    def uniqueid(self) -> str:
        return self.env.get("agi_uniqueid", "")

    @property
    def channel(self) -> str:
        return self.env.get("agi_channel", "")

    @property
    def caller_num(self) -> str:
        return self.env.get("agi_callerid", "")

    @property
    def caller_name(self) -> str:
        return self.env.get("agi_calleridname", "")

    @property
    def args(self) -> list[str]:
        return list(self._args)

    @property
    def script(self) -> str:
        return self.env.get("agi_network_script", "")

    # --- transport ------------------------------------------------------------------
    @abstractmethod
    async def _send_and_receive(self, line: str) -> Reply:
        """Write ``line`` + LF and return the command's final reply."""

    async def command(self, line: str) -> AgiResult:
        """Send one raw command line and return its parsed result, errors mapped."""
        if "\n" in line or "\r" in line:
            raise ValueError(f"an AGI command is one line: {line!r}")
        async with self._lock:
            self.commands_sent += 1
            reply = await self._send_and_receive(line)
        if reply.code == 511:
            raise AgiHangup(f"{line!r}: {reply.text}")
        if reply.code != 200:
            raise AgiCommandError(reply.code, "\n".join((reply.text, *reply.body)), line)
        result = parse_result(reply)
        if result.result == "-1" and command_verb(line) in MEDIA_COMMANDS:
            if result.data in _RECORD_ERRORS:
                raise AgiCommandError(200, f"result=-1 ({result.data})", line)
            raise AgiHangup(f"{line!r} returned -1: the caller hung up")
        return result

    # --- typed commands -------------------------------------------------------------
    async def answer(self) -> AgiResult:
        return await self.command("ANSWER")

    async def stream_file(self, name: str, escape_digits: str = "") -> AgiResult:
        return await self.command(f"STREAM FILE {word(name)} {quote(escape_digits)}")

    async def get_data(self, prompt: str, timeout_ms: int, max_digits: int) -> DigitsResult:
        r = await self.command(f"GET DATA {word(prompt)} {int(timeout_ms)} {int(max_digits)}")
        return DigitsResult(digits=r.result, timed_out=r.data == "timeout")

    async def wait_for_digit(self, timeout_ms: int) -> str | None:
        r = await self.command(f"WAIT FOR DIGIT {int(timeout_ms)}")
        return r.digit

    async def say_digits(self, digits: str, escape_digits: str = "") -> AgiResult:
        return await self.command(f"SAY DIGITS {word(digits)} {quote(escape_digits)}")

    async def say_number(self, number: int, escape_digits: str = "") -> AgiResult:
        return await self.command(f"SAY NUMBER {int(number)} {quote(escape_digits)}")

    async def set_variable(self, name: str, value: str) -> None:
        await self.command(f"SET VARIABLE {word(name)} {quote(value)}")

    async def get_variable(self, name: str) -> str | None:
        r = await self.command(f"GET VARIABLE {word(name)}")
        return r.data if r.result == "1" else None

    async def get_full_variable(self, expression: str) -> str:
        """Evaluates ``${...}`` expressions, e.g. ``"${CALLERID(name)}"`` -> ``"张安娜"``."""
        r = await self.command(f"GET FULL VARIABLE {quote(expression)}")
        return r.data or ""

    async def exec(self, app: str, *args: str) -> AgiResult:
        line = f"EXEC {word(app)}"
        if args:
            line += " " + quote(",".join(args))
        return await self.command(line)

    async def record_file(self, path: str, fmt: str, escape_digits: str, timeout_ms: int,
                          beep: bool = True, silence_s: int | None = None) -> AgiResult:
        line = f"RECORD FILE {word(path)} {word(fmt)} {quote(escape_digits)} {int(timeout_ms)} 0"
        if beep:
            line += " BEEP"
        if silence_s is not None:
            line += f" s={int(silence_s)}"
        return await self.command(line)

    async def channel_status(self) -> int:
        """6 = Up (the only state an answered IVR call is in)."""
        return int((await self.command("CHANNEL STATUS")).result)

    async def verbose(self, message: str, level: int = 1) -> None:
        await self.command(f"VERBOSE {quote(message)} {int(level)}")

    async def hangup(self) -> None:
        await self.command("HANGUP")
