"""Fixtures for the AMI tests: a replay server per test and a wired client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from ami_replay import ReplayServer, Step, transcript_scripts
from ami_rig import Rig

from pbx.transcripts import ami_files


@pytest.fixture
def script(transcripts_dir: Path) -> Callable[[str], list[list[Step]]]:
    def load(prefix: str) -> list[list[Step]]:
        (path,) = [p for p in ami_files(transcripts_dir) if p.name.startswith(prefix)]
        return transcript_scripts(path)
    return load


@pytest.fixture
async def rig_factory() -> AsyncIterator[Callable[..., object]]:
    rigs: list[Rig] = []

    async def make(scripts: list[list[Step]], server_kw: dict | None = None, **client_kw: object) -> Rig:
        server = ReplayServer(scripts, **(server_kw or {}))
        port = await server.start()
        rig = Rig(server, port, **client_kw)
        rigs.append(rig)
        return rig

    yield make
    for rig in rigs:
        await rig.client.close()
        await rig.server.stop()
