from __future__ import annotations

import pytest

from qa.ranges import RangeNotSatisfiable, parse_range


@pytest.mark.parametrize(("header", "want"), [
    (None, None), ("bytes=0-99", (0, 99)), ("bytes=900-", (900, 999)),
    ("bytes=-100", (900, 999)), ("bytes=500-5000", (500, 999)), ("items=0-1", None),
    ("bytes=0-1,5-6", None)])
def test_ranges_a_browser_sends(header, want) -> None:
    assert parse_range(header, 1000) == want


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=5-2", "bytes=x-3", "bytes=-0", "bytes=7"])
def test_unsatisfiable_ranges_are_refused(header) -> None:
    with pytest.raises(RangeNotSatisfiable):
        parse_range(header, 1000)
