"""Small adapters the application plugs into packages that may not import each other."""

from __future__ import annotations

from hotline.settings import get_settings
from outbound.campaign import parse_hours
from outbound.compliance import CallingHours


def callback_refusal(number: str, at: float) -> str | None:
    """Why ``number`` may not be called back at ``at`` (the callee's local time and the
    ``callback_hours`` setting, via outbound's calling hours), or None."""
    start, end = parse_hours(get_settings().callback_hours)
    r = CallingHours.daily(start, end).refusal(number, at)
    return r.detail if r is not None else None
