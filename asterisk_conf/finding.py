"""One result of ``hotline asterisk-conf check``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    level: str  # "error" | "warning"
    message: str
