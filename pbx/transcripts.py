"""Reader for the raw AMI/FastAGI transcripts recorded from a real Asterisk.

Format (read in binary)::

    ### an annotation (not on the wire)
    <<< received
    Response: Success\\r\\n
    ...\\r\\n\\r\\n
    >>> sent
    Action: Ping\\r\\n\\r\\n

A payload runs from the byte after its marker line to the next marker line.
``received`` chunks are what Asterisk sent, ``sent`` what the client wrote.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Direction = Literal["sent", "received", "note"]

_MARKERS = {b">>> sent\n": "sent", b"<<< received\n": "received"}


@dataclass(frozen=True, slots=True)
class Record:
    direction: Direction
    payload: bytes  # for notes: the annotation text (utf-8), without "### "


def read_records(path: Path | str) -> list[Record]:
    data = Path(path).read_bytes()
    records: list[Record] = []
    cur_dir: Direction | None = None
    cur: list[bytes] = []

    def close() -> None:
        if cur_dir is not None:
            records.append(Record(cur_dir, b"".join(cur)))

    for line in data.splitlines(keepends=True):
        if line in _MARKERS:
            close()
            cur_dir, cur = _MARKERS[line], []  # type: ignore[assignment]
        elif line.startswith(b"### "):
            close()
            cur_dir, cur = None, []
            records.append(Record("note", line[4:].rstrip(b"\n")))
        elif cur_dir is not None:
            cur.append(line)
        # bytes before the first marker are not part of any payload
    close()
    return records


def received_stream(path: Path | str) -> bytes:
    """Everything Asterisk sent, joined: the exact byte stream of the connection(s)."""
    return b"".join(r.payload for r in read_records(path) if r.direction == "received")


def sent_stream(path: Path | str) -> bytes:
    return b"".join(r.payload for r in read_records(path) if r.direction == "sent")


def received_chunks(path: Path | str) -> Iterator[bytes]:
    """Asterisk's bytes cut as recorded (per AMI message, or per recv() for FastAGI)."""
    for r in read_records(path):
        if r.direction == "received":
            yield r.payload


def ami_files(directory: Path | str) -> list[Path]:
    return sorted(Path(directory).glob("ami-*.txt"))


def agi_files(directory: Path | str) -> list[Path]:
    return sorted(Path(directory).glob("agi-*.txt"))
