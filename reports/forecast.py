"""Arrivals forecast per interval, with the method chosen on held-out days.

Two methods, both on per-interval arrival counts per local day:

* **same_weekday** — the mean of the same interval on the same weekday over the ``weeks``
  previous weeks that have calls (robust, needs one week; it lags a trend);
* **holt_winters** — statsmodels' Holt-Winters (additive trend, weekly multiplicative
  season) on the daily totals, spread over the day by the same-weekday intraday shape;
  needs 3 weeks of days.

:func:`choose` forecasts each of the 7 days before the target day from the days before
*it* with both methods, and keeps the one with the lower WAPE (sum |forecast - actual| /
sum actual) there; a tie, or too little history for Holt-Winters, keeps same_weekday.
``bench/forecast.py`` compares the two on 12 synthetic weeks with a trend.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

METHODS = ("same_weekday", "holt_winters")
HW_MIN_DAYS = 21


def same_weekday(history: Mapping[str, Sequence[float]], day: str, weeks: int = 4) -> list[float] | None:
    d = dt.date.fromisoformat(day)
    past = [history[k] for k in ((d - dt.timedelta(days=7 * w)).isoformat() for w in range(1, weeks + 1))
            if k in history and sum(history[k]) > 0]
    if not past:
        return None
    return [sum(p[i] for p in past) / len(past) for i in range(len(past[0]))]


def holt_winters(history: Mapping[str, Sequence[float]], day: str, weeks: int = 4) -> list[float] | None:
    """None when there are fewer than 3 weeks of consecutive days before ``day``."""
    d = dt.date.fromisoformat(day)
    past = sorted(k for k in history if k < day)
    if len(past) < HW_MIN_DAYS:
        return None
    first = dt.date.fromisoformat(past[0])
    span = [(first + dt.timedelta(days=i)).isoformat() for i in range((d - first).days)]
    totals = [float(sum(history[k])) if k in history else 0.0 for k in span]
    if min(totals[-HW_MIN_DAYS:]) <= 0:  # closed days break a multiplicative season
        return None
    shape = same_weekday(history, day, weeks)
    if shape is None:
        return None
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fit = ExponentialSmoothing(totals[-7 * 12:], trend="add", seasonal="mul",
                                       seasonal_periods=7).fit()
            total = float(fit.forecast(1)[0])
        except (ValueError, np_errors()):
            return None
    if not math.isfinite(total) or total < 0:
        return None
    s = sum(shape)
    return [total * x / s for x in shape] if s > 0 else None


def np_errors() -> type[Exception]:
    import numpy as np
    return np.linalg.LinAlgError


def wape(pairs: Sequence[tuple[Sequence[float], Sequence[float]]]) -> float | None:
    total = sum(sum(a) for _, a in pairs)
    if total <= 0:
        return None
    return sum(abs(f - a) for fc, ac in pairs for f, a in zip(fc, ac, strict=True)) / total


@dataclass(frozen=True, slots=True)
class Choice:
    method: str
    forecast: list[float] | None
    wape: dict[str, float | None]  # per method (and "day_before"), on the 7 days before
    days: int  # held-out days scored


def choose(history: Mapping[str, Sequence[float]], day: str, weeks: int = 4) -> Choice:
    d = dt.date.fromisoformat(day)
    scored: dict[str, list[tuple[Sequence[float], Sequence[float]]]] = {
        m: [] for m in (*METHODS, "day_before")}
    n = 0
    for k in range(7, 0, -1):
        h = (d - dt.timedelta(days=k)).isoformat()
        actual = history.get(h)
        if actual is None:
            continue
        known = {x: v for x, v in history.items() if x < h}
        sw = same_weekday(known, h, weeks)
        if sw is None:
            continue
        n += 1
        scored["same_weekday"].append((sw, actual))
        hw = holt_winters(known, h, weeks)
        scored["holt_winters"].append((hw if hw is not None else sw, actual))
        prev = known.get((d - dt.timedelta(days=k + 1)).isoformat())
        if prev is not None:
            scored["day_before"].append((prev, actual))
    w = {m: wape(p) if p else None for m, p in scored.items()}
    hw_now = holt_winters(history, day, weeks)
    sw_now = same_weekday(history, day, weeks)
    pick = "same_weekday"
    if (hw_now is not None and w["holt_winters"] is not None and w["same_weekday"] is not None
            and w["holt_winters"] < w["same_weekday"]):
        pick = "holt_winters"
    return Choice(pick, hw_now if pick == "holt_winters" else sw_now, w, n)
