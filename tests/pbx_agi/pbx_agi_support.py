"""Helpers shared by the FastAGI tests (imported by name: this folder has no __init__)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from pbx.agi.protocol import parse_env_block
from pbx.transcripts import read_records, received_chunks

AGI_TRANSCRIPTS = [
    "agi-01-env-and-ivr.txt",
    "agi-02-commands.txt",
    "agi-03a-hangup-during-stream-file.txt",
    "agi-03b-hangup-during-get-data.txt",
    "agi-04-record-file.txt",
]


def transcript_commands(path: Path) -> list[str]:
    """The command lines the FastAGI server sent, in order."""
    return [r.payload.decode().rstrip("\n") for r in read_records(path) if r.direction == "sent"]


def transcript_env(path: Path) -> dict[str, str]:
    first = b"".join(received_chunks(path))
    return parse_env_block(first[: first.index(b"\n\n") + 1])


async def wait_until(predicate: Callable[[], bool], timeout_s: float = 2.0) -> None:
    """Poll a condition (bounded): for 'the server has let go of the connection'."""
    async with asyncio.timeout(timeout_s):
        while not predicate():  # noqa: ASYNC110 (observing another component's state)
            await asyncio.sleep(0.005)
