"""The FastAGI wire format, both directions. Pure: bytes in, values out, no I/O.

What Asterisk 22 sends (``../shared/asterisk/agi-*.txt``), LF line endings::

    agi_network: yes\\n ... agi_arg_1: lang=zh\\n\\n      the env block, then per command:
    200 result=49 endpos=21280\\n                          a one-line reply
    520-Invalid command syntax.  Proper usage follows:\\n  a multi-line reply ...
    520 End of proper usage.\\n                            ... ends with "<code> "
    HANGUP\\n                                              unsolicited: the caller is gone
    100 result=0 Trying...\\n                              intermediate (GOSUB): keep reading

Commands are one line; an argument with a space, a quote or nothing in it is written
in double quotes with ``\\`` escapes, which is how Asterisk's ``parse_args`` reads them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pbx.agi.session import AgiResult

#: An env block larger than this is not from Asterisk (a real one is ~600 bytes).
ENV_MAX_BYTES = 64 * 1024
#: A reply line longer than this is garbage (the longest usage line is ~400 bytes).
LINE_MAX_BYTES = 64 * 1024


class AgiProtocolError(ValueError):
    """The peer sent bytes that are not FastAGI."""


# --- env block ----------------------------------------------------------------------

_ENV_KEY = re.compile(r"agi_[a-z0-9_]+\Z")


def parse_env_block(block: bytes) -> dict[str, str]:
    """``b"agi_network: yes\\nagi_arg_1: lang=zh\\n\\n"`` -> ``{"agi_network": "yes", ...}``.

    The block is decoded whole, so a UTF-8 name split across TCP reads arrives intact;
    bytes that are not UTF-8 become U+FFFD rather than failing the call.
    Raises :class:`AgiProtocolError` for a line that is not ``agi_<name>: <value>``.
    """
    text = block.decode("utf-8", errors="replace")
    env: dict[str, str] = {}
    for line in text.split("\n"):
        if not line:
            continue
        key, sep, value = line.partition(":")
        if not sep or not _ENV_KEY.match(key):
            raise AgiProtocolError(f"not an AGI env line: {line[:80]!r}")
        env[key] = value[1:] if value.startswith(" ") else value
    if not env:
        raise AgiProtocolError("empty AGI env block")
    return env


def check_env_lines(data: bytes, start: int = 0) -> int:
    """Validate the complete lines of a partly received env block from offset ``start``;
    returns the offset after the last complete line, so a peer that is not Asterisk
    (an HTTP client, a TLS hello) is turned away at its first line, not at a timeout."""
    while (nl := data.find(b"\n", start)) >= 0:
        line = data[start:nl]
        if not line:
            break  # the end of the block: what follows is not env
        key, sep, _ = line.partition(b":")
        if (not sep or not _ENV_KEY.match(key.decode("latin-1"))):
            raise AgiProtocolError(f"not an AGI env line: {line[:80]!r}")
        start = nl + 1
    return start


def env_args(env: dict[str, str]) -> list[str]:
    """``agi_arg_1``, ``agi_arg_2``, ... in order, stopping at the first gap."""
    out: list[str] = []
    while (v := env.get(f"agi_arg_{len(out) + 1}")) is not None:
        out.append(v)
    return out


def encode_env_block(env: dict[str, str]) -> bytes:
    """The inverse of :func:`parse_env_block`, in the dict's order (Asterisk's order)."""
    for key, value in env.items():
        if not _ENV_KEY.match(key) or "\n" in value:
            raise ValueError(f"cannot send AGI env entry {key!r}: {value!r}")
    return "".join(f"{k}: {v}\n" for k, v in env.items()).encode() + b"\n"


# --- replies ------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Reply:
    """One complete reply: ``code`` and the text after it (first line), plus the body
    lines of a multi-line reply (``520-...`` up to and including ``520 End ...``)."""

    code: int
    text: str
    body: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class HangupNotice:
    """The unsolicited ``HANGUP`` line Asterisk sends when the channel goes away."""


Frame = Reply | HangupNotice

_FIRST = re.compile(r"(\d{3})([ -])(.*)\Z", re.S)


class ReplyDecoder:
    """Incremental decoder of what Asterisk sends after the env block.

    Feed it bytes exactly as ``recv()`` returned them; it returns every complete
    frame. Lines are decoded whole (UTF-8 split across reads is fine) and a
    multi-line reply is returned only once its last line has arrived.
    """

    def __init__(self) -> None:
        self._buf = b""
        self._multi: tuple[int, str, list[str]] | None = None

    @property
    def pending(self) -> bool:
        """True when bytes of an incomplete frame are buffered."""
        return bool(self._buf) or self._multi is not None

    def feed(self, data: bytes) -> list[Frame]:
        self._buf += data
        frames: list[Frame] = []
        while (nl := self._buf.find(b"\n")) >= 0:
            raw, self._buf = self._buf[:nl], self._buf[nl + 1:]
            frame = self._line(raw.rstrip(b"\r").decode("utf-8", errors="replace"))
            if frame is not None:
                frames.append(frame)
        if len(self._buf) > LINE_MAX_BYTES:
            self._buf = b""
            raise AgiProtocolError(f"a reply line longer than {LINE_MAX_BYTES} bytes")
        return frames

    def _line(self, line: str) -> Frame | None:
        if self._multi is not None:
            code, text, body = self._multi
            if line.startswith(f"{code} "):
                self._multi = None
                return Reply(code, text, (*body, line))
            body.append(line)
            if len(body) > 1000:
                self._multi = None
                raise AgiProtocolError(f"a {code} multi-line reply that does not end")
            return None
        if line == "HANGUP":
            return HangupNotice()
        if not line:
            return None
        m = _FIRST.match(line)
        if m is None:
            raise AgiProtocolError(f"not an AGI reply: {line[:80]!r}")
        code, sep, text = int(m[1]), m[2], m[3]
        if sep == "-":
            self._multi = (code, text, [])
            return None
        return Reply(code, text)


_RESULT = re.compile(
    r"result=(?P<result>\S*)(?: \((?P<data>.*)\))?(?: endpos=(?P<endpos>-?\d+))?(?: (?P<rest>.*))?\Z",
    re.S,
)


def parse_result(reply: Reply) -> AgiResult:
    """``Reply(200, "result=1 (张安娜 <13800138000>)")`` -> ``AgiResult(200, "1", "张安娜 <...>")``.

    Handles every form in agi-02/03/04: ``result=49 endpos=21280``, ``result= (timeout)``,
    ``result=7 (timeout)``, ``result=35 (dtmf) endpos=33680``, ``result=-2``,
    ``result=0 Trying...``. Raises :class:`AgiProtocolError` if there is no ``result=``.
    """
    m = _RESULT.match(reply.text)
    if m is None:
        raise AgiProtocolError(f"{reply.code} reply without result=: {reply.text[:80]!r}")
    endpos = m["endpos"]
    return AgiResult(reply.code, m["result"], m["data"], int(endpos) if endpos else None)


# --- commands -----------------------------------------------------------------------

def quote(arg: str) -> str:
    """Always quoted: ``quote('a "b"')`` -> ``'"a \\\\"b\\\\""'``; ``quote("")`` -> ``'""'``."""
    _check_one_line(arg)
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'


def word(arg: str) -> str:
    """A bare token (file name, variable name) when safe, else :func:`quote`."""
    _check_one_line(arg)
    if arg and not any(c.isspace() or c in '"\\' for c in arg):
        return arg
    return quote(arg)


def _check_one_line(arg: str) -> None:
    if "\n" in arg or "\r" in arg or "\0" in arg:
        raise ValueError(f"an AGI argument cannot contain a line break or NUL: {arg!r}")


def split_command(line: str) -> list[str]:
    """Asterisk's ``parse_args``: whitespace-separated, ``"..."`` groups, ``\\`` escapes.

    ``split_command('SET VARIABLE X "a b"')`` -> ``["SET", "VARIABLE", "X", "a b"]``.
    """
    out: list[str] = []
    cur: list[str] = []
    in_token = quoted = escaped = False
    for c in line:
        if escaped:
            cur.append(c)
            escaped = False
        elif c == "\\":
            escaped = in_token = True
        elif c == '"':
            quoted = not quoted
            in_token = True
        elif c.isspace() and not quoted:
            if in_token:
                out.append("".join(cur))
                cur, in_token = [], False
        else:
            cur.append(c)
            in_token = True
    if in_token:
        out.append("".join(cur))
    return out
