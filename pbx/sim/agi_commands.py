"""The AGI commands of the simulated Asterisk, for :mod:`pbx.sim.agi_client`.

:class:`AgiCommands` answers one command line with Asterisk 22's exact reply
(``../shared/asterisk/agi-01..04``): ``510`` for an unknown command, the ``520`` usage
block for a wrong argument count, ``511`` on a dead channel, else the command's own
``200 result=...``. Media (STREAM FILE, SAY, GET DATA, WAIT FOR DIGIT, EXEC Playback/Wait,
RECORD FILE) plays in simulated time (``seconds / speed``) while the scripted caller's
``dtmf`` entries are consumed as the :mod:`pbx.sim.agi_client` docstring describes;
``endpos`` counts samples at ``SAMPLE_RATE``. The connection loop and hangup handling
live in :class:`pbx.sim.agi_client._AsteriskSide`, which subclasses this one.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pbx.agi.emulation import (
    COMMANDS,
    DEAD_OK,
    SAMPLE_RATE,
    USAGE_FIRST_LINE,
    expand_expression,
    lookup_variable,
    media_seconds,
    usage_body,
    write_recording,
)
from pbx.agi.protocol import split_command

log = logging.getLogger(__name__)

DEAD = "511 Command Not Permitted on a dead channel or intercept routine"


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


class AgiCommands:
    """The channel's side of the commands: caller script, variables, simulated media."""

    def __init__(self, caller: SimCaller, channel_vars: dict[str, str], speed: float,
                 t0: float, on_dtmf: Callable[[str], Any] | None,
                 prompts: dict[str, float]) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.caller, self.vars, self.speed, self.t0 = caller, channel_vars, speed, t0
        self.on_dtmf = on_dtmf
        self.prompts = prompts
        self.dtmf = list(caller.dtmf)
        self.env: dict[str, str] = {}
        self.dead = asyncio.Event()
        self.cut_this_command = False
        self.recorded: dict[str, float] = {}

    def now_s(self) -> float:
        return (asyncio.get_running_loop().time() - self.t0) * self.speed

    def _caller_hangs_up(self, by: Literal["caller", "script"] = "caller") -> None:
        raise NotImplementedError  # the connection side records who hung up

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
        await call_hook(self.on_dtmf, digit)

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


async def call_hook(fn: Callable[..., Any] | None, *args: Any) -> None:
    if fn is None:
        return
    try:
        result = fn(*args)
        if inspect.isawaitable(result):
            await result
    except Exception:
        log.exception("sim FastAGI callback %r failed", fn)
