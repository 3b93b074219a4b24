"""HTTP ``Range: bytes=...`` for recording playback (RFC 9110 section 14), pure.

``parse_range("bytes=100-199", 1000) == (100, 199)``; one range only (a browser's audio
element sends one); a suffix ``bytes=-500`` is the last 500 bytes.
"""

from __future__ import annotations


class RangeNotSatisfiable(ValueError):
    """Answer 416 with ``Content-Range: bytes */size``."""


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """Inclusive (first, last) byte, or None for the whole file (no or ignorable header)."""
    if not header:
        return None
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None  # unknown unit or multipart: serve the whole file (allowed by the RFC)
    first_s, dash, last_s = spec.strip().partition("-")
    if not dash:
        raise RangeNotSatisfiable(f"Bad Range {header!r}; send bytes=first-last.")
    try:
        if first_s == "":
            n = int(last_s)
            if n <= 0 or size == 0:
                raise RangeNotSatisfiable(f"Range {header!r} selects nothing of {size} bytes.")
            return max(0, size - n), size - 1
        first = int(first_s)
        last = int(last_s) if last_s else size - 1
    except ValueError as e:
        raise RangeNotSatisfiable(f"Bad Range {header!r}; send bytes=first-last.") from e
    if first < 0 or first >= size or last < first:
        raise RangeNotSatisfiable(f"Range {header!r} is outside the {size}-byte recording.")
    return first, min(last, size - 1)
