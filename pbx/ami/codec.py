"""Pure AMI codec: bytes in, messages out. No I/O.

An AMI stream is a banner line, then messages of ``Key: Value`` lines ending with an
empty line (CRLF everywhere)::

    Asterisk Call Manager/11.0.0\\r\\n
    Event: Newchannel\\r\\n
    Privilege: call,all\\r\\n
    CallerIDName: 张安娜\\r\\n
    \\r\\n

The decoder is incremental at the byte level: a UTF-8 character split across two TCP
reads (a Chinese caller name) is held until it is whole — panoramisk 1.4 decodes each
chunk on its own and loses it. Invalid UTF-8 becomes U+FFFD instead of raising.
Garbage never raises: a block that is neither an event nor a response comes out as
an :class:`AmiFrameError` carrying the raw text, and an endless line without a
terminator is cut at ``max_message`` characters.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

EOL = "\r\n"
_SEP = "\r\n\r\n"
BANNER_PREFIX = "Asterisk Call Manager/"


class AmiMessage(dict[str, str]):
    """One AMI message. Keys keep Asterisk's spelling (``Uniqueid``, ``CallerIDName``).

    Repeated keys (``Variable:`` in ``Status``) keep their first value in the mapping;
    :meth:`getall` returns every value in order. ``content`` holds the free-text body of
    ``Response: Follows`` (``Command`` output).
    """

    __slots__ = ("repeated", "content")

    def __init__(self) -> None:
        super().__init__()
        self.repeated: dict[str, list[str]] | None = None
        self.content: str = ""

    @property
    def event(self) -> str | None:
        return self.get("Event")

    @property
    def response(self) -> str | None:
        return self.get("Response")

    @property
    def action_id(self) -> str | None:
        return self.get("ActionID")

    @property
    def success(self) -> bool:
        return self.get("Response") in ("Success", "Follows", "Goodbye")

    def add(self, key: str, value: str) -> None:
        """Append a header as read off the wire: a repeated key keeps every value."""
        if key in self:
            if self.repeated is None:
                self.repeated = {}
            self.repeated.setdefault(key, [self[key]]).append(value)
        else:
            self[key] = value

    def getall(self, key: str) -> list[str]:
        if self.repeated and key in self.repeated:
            return list(self.repeated[key])
        v = self.get(key)
        return [] if v is None else [v]

    def variables(self) -> dict[str, str]:
        """``Variable: NAME=value`` lines (Status, Originate) as a mapping."""
        out: dict[str, str] = {}
        for item in self.getall("Variable"):
            name, _, value = item.partition("=")
            out[name] = value
        return out


@dataclass(frozen=True, slots=True)
class AmiFrameError:
    """A block that could not be read as an AMI message."""

    reason: str
    raw: str


def parse_message(block: str) -> AmiMessage | AmiFrameError:
    """Parse one message block (without the terminating empty line)."""
    msg = AmiMessage()
    body: list[str] = []
    follows = block.startswith(("Response: Follows", "Response: Fail"))
    for line in block.split(EOL):
        if not line:
            continue
        key, sep, value = line.partition(": ")
        if not sep:
            if line.endswith(":") and " " not in line:  # "Value:" with an empty value
                key, value = line[:-1], ""
            elif follows:
                body.append(line)
                continue
            else:
                return AmiFrameError(f"line without 'Key: Value': {line[:80]!r}", block)
        msg.add(key, value)
    if "Event" not in msg and "Response" not in msg:
        return AmiFrameError("neither Event nor Response", block)
    if body:
        msg.content = "\n".join(body)
    return msg


class AmiDecoder:
    """Incremental decoder: ``feed(bytes)`` returns the messages completed so far."""

    def __init__(self, max_message: int = 1 << 20, expect_banner: bool = True) -> None:
        self._utf8 = codecs.getincrementaldecoder("utf-8")("replace")
        self._buf = ""
        self.banner: str | None = None
        self._expect_banner = expect_banner
        self.max_message = max_message

    def reset(self) -> None:
        """Start over (new connection)."""
        self.__init__(self.max_message, True)  # type: ignore[misc]

    def feed(self, data: bytes) -> list[AmiMessage | AmiFrameError]:
        text = self._utf8.decode(data)
        buf = self._buf + text if self._buf else text
        out: list[AmiMessage | AmiFrameError] = []
        if self._expect_banner and self.banner is None:
            nl = buf.find(EOL)
            if nl < 0:
                self._buf = buf
                return out
            first = buf[:nl]
            if first.startswith(BANNER_PREFIX):
                self.banner = first
                buf = buf[nl + 2 :]
            else:
                self.banner = ""
        parts = buf.split(_SEP)
        self._buf = parts.pop()
        for block in parts:
            block = block.strip("\r\n")
            if block:
                out.append(parse_message(block))
        if len(self._buf) > self.max_message:
            out.append(AmiFrameError(f"no message end within {self.max_message} characters",
                                     self._buf[:200]))
            self._buf = ""
        return out


class AmiEncodeError(ValueError):
    pass


def encode_message(fields: dict[str, object] | list[tuple[str, object]]) -> bytes:
    """Serialise an action (or, in the simulator, an event/response).

    A list value becomes one line per item (``Variable``). CR or LF inside a key or
    value would let a caller-controlled string inject headers, so it is refused.
    """
    items = fields.items() if isinstance(fields, dict) else fields
    lines: list[str] = []
    for key, value in items:
        values = value if isinstance(value, (list, tuple)) else [value]
        for v in values:
            s = "" if v is None else str(v)
            if "\r" in s or "\n" in s or "\r" in key or "\n" in key or ":" in key:
                raise AmiEncodeError(f"AMI header {key!r} has a line break or colon; refused")
            lines.append(f"{key}: {s}")
    lines.append("")
    lines.append("")
    return EOL.join(lines).encode("utf-8")
