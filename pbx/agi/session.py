"""The typed AGI session handed to per-call handlers (IVR, survey, ...).

Both the FastAGI server and the stdin entry point produce an object with this
interface. Replies are parsed exactly as Asterisk 22 sends them (see
``../shared/asterisk/agi-02-commands.txt``)::

    200 result=49 endpos=21280      -> AgiResult(code=200, result="49", data=None, endpos=21280)
    200 result= (timeout)           -> AgiResult(code=200, result="", data="timeout")
    200 result=1 (zh)               -> AgiResult(code=200, result="1", data="zh")

Errors raise: :class:`AgiHangup` (the caller hung up: ``HANGUP`` line, ``result=-1`` on a
media command, or ``511`` dead channel), :class:`AgiCommandError` (``510``/``520``;
the multi-line ``520`` usage text is consumed whole so later commands stay in step).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class AgiError(Exception):
    """Base of AGI errors."""


class AgiHangup(AgiError):
    """The channel is gone (caller hung up). Handlers let it propagate."""


class AgiCommandError(AgiError):
    def __init__(self, code: int, message: str, command: str) -> None:
        super().__init__(f"{command!r} failed with {code}: {message}")
        self.code = code
        self.message = message
        self.command = command


@dataclass(frozen=True, slots=True)
class AgiResult:
    code: int
    result: str
    data: str | None = None
    endpos: int | None = None

    @property
    def digit(self) -> str | None:
        """The DTMF digit encoded as its ASCII code (``result=49`` → ``"1"``), if any."""
        try:
            n = int(self.result)
        except ValueError:
            return None
        return chr(n) if n > 0 else None


@dataclass(frozen=True, slots=True)
class DigitsResult:
    """GET DATA outcome: the digits entered and whether it ended by timeout."""

    digits: str
    timed_out: bool


class AgiSession(Protocol):
    env: dict[str, str]  # agi_* headers, e.g. env["agi_calleridname"] == "张安娜"

    @property
    def uniqueid(self) -> str: ...

    @property
    def channel(self) -> str: ...

    @property
    def caller_num(self) -> str: ...

    @property
    def caller_name(self) -> str: ...

    @property
    def args(self) -> list[str]: ...  # agi_arg_1.. e.g. ["lang=zh"]

    async def command(self, line: str) -> AgiResult: ...

    async def answer(self) -> AgiResult: ...

    async def stream_file(self, name: str, escape_digits: str = "") -> AgiResult:
        """Returns with ``.digit`` set when interrupted by one of ``escape_digits``."""
        ...

    async def get_data(self, prompt: str, timeout_ms: int, max_digits: int) -> DigitsResult: ...

    async def wait_for_digit(self, timeout_ms: int) -> str | None: ...

    async def say_digits(self, digits: str, escape_digits: str = "") -> AgiResult: ...

    async def say_number(self, number: int, escape_digits: str = "") -> AgiResult: ...

    async def set_variable(self, name: str, value: str) -> None: ...

    async def get_variable(self, name: str) -> str | None: ...

    async def exec(self, app: str, *args: str) -> AgiResult: ...

    async def record_file(self, path: str, fmt: str, escape_digits: str, timeout_ms: int,
                          beep: bool = True, silence_s: int | None = None) -> AgiResult: ...

    async def verbose(self, message: str, level: int = 1) -> None: ...

    async def hangup(self) -> None: ...
