from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ivr.loader import MenuSet, load_menus

DEFAULT_YAML = Path(__file__).resolve().parents[2] / "ivr" / "menus" / "default.yaml"
SH = ZoneInfo("Asia/Shanghai")


def sh(*args: int) -> float:
    """Epoch seconds of a wall-clock time in Shanghai."""
    return datetime(*args, tzinfo=SH).timestamp()  # type: ignore[misc]


OPEN_TS = sh(2026, 11, 18, 10, 0)       # a Wednesday morning
CLOSED_TS = sh(2026, 11, 18, 20, 0)     # the same evening
HOLIDAY_TS = sh(2026, 10, 2, 10, 0)     # National Day, a Friday
MAKEUP_TS = sh(2026, 9, 20, 10, 0)      # a Sunday worked before National Day


@pytest.fixture(scope="session")
def default_menus() -> MenuSet:
    return load_menus(DEFAULT_YAML)
