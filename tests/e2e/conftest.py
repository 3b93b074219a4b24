"""Fixtures: the whole backend against the simulated Asterisk (see e2e_stack.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from e2e_stack import Stack, StackThread, start_stack


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    s = await start_stack(tmp_path)
    try:
        yield s
    finally:
        await s.stop()


@pytest.fixture
def live(tmp_path: Path) -> Iterator[StackThread]:
    st = StackThread(tmp_path)
    try:
        yield st
    finally:
        st.close()
