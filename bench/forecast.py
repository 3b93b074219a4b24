"""Forecast benchmark: the staffing forecast (same weekday over 4 weeks, reports.staffing)
against a statistical model, on held-out weeks.

History: 12 weeks of 30-minute arrival counts drawn as Poisson counts around a known
pattern (the two-peak day of bench/reports.py x a weekday factor x a slow trend), so the
truth is known. Each of the last ``--holdout`` weeks is forecast from the weeks before it:

* **ours** — :func:`reports.staffing.forecast_same_weekday` (mean of the same weekday, 4 weeks);
* **peer** — statsmodels' Holt-Winters (``ExponentialSmoothing``, additive trend, weekly
  multiplicative seasonality) on the daily totals, spread over the day by the same-weekday
  intraday shape: what an analyst reaches for first;
* **naive** — the day before;
* **product** — what reports.forecast.choose picks for each day (the lower WAPE of the
  two on the 7 days before).

Printed: WAPE (sum |forecast - actual| / sum actual) of each over the held-out days, and
what the product's per-day choice scores.

    .venv/bin/python bench/forecast.py [--weeks 12] [--holdout 2] [--seed 1]
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reports.forecast import choose  # noqa: E402
from reports.staffing import forecast_same_weekday  # noqa: E402

HOURLY = (0.15, 0.1, 0.08, 0.06, 0.06, 0.1, 0.3, 0.7, 1.4, 2.0, 2.3, 2.0, 1.4, 1.5, 1.9,
          2.1, 1.8, 1.4, 1.0, 0.8, 0.6, 0.45, 0.3, 0.2)
WEEKDAY = (1.25, 1.1, 1.0, 1.0, 1.05, 0.6, 0.45)
FIRST = dt.date(2026, 9, 7)  # a Monday


def poisson(rng: random.Random, lam: float) -> int:
    if lam > 50:  # normal approximation, good enough for counts this large
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    k, p, limit = 0, 1.0, math.exp(-lam)
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def history(weeks: int, per_day: float, seed: int) -> dict[str, list[float]]:
    rng = random.Random(seed)
    mean = sum(HOURLY) / 24
    out = {}
    for i in range(weeks * 7):
        d = FIRST + dt.timedelta(days=i)
        trend = 1 + 0.004 * i  # +0.4 % a day
        day = per_day * WEEKDAY[d.weekday()] * trend
        out[d.isoformat()] = [float(poisson(rng, day / 48 * HOURLY[s // 2] / mean)) for s in range(48)]
    return out


def holt_winters(hist: dict[str, list[float]], day: str) -> list[float]:
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    past = sorted(k for k in hist if k < day)
    totals = [sum(hist[k]) for k in past]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = ExponentialSmoothing(totals, trend="add", seasonal="mul", seasonal_periods=7).fit()
    steps = (dt.date.fromisoformat(day) - dt.date.fromisoformat(past[-1])).days
    total = float(fit.forecast(steps)[-1])
    shape = forecast_same_weekday(hist, day) or [1.0] * 48
    s = sum(shape) or 1.0
    return [total * x / s for x in shape]


def wape(pairs: list[tuple[list[float], list[float]]]) -> float:
    err = sum(abs(f - a) for fc, ac in pairs for f, a in zip(fc, ac, strict=True))
    return err / sum(sum(ac) for _, ac in pairs)


def main(argv: list[str] | None = None) -> dict[str, float]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weeks", type=int, default=12)
    ap.add_argument("--holdout", type=int, default=2)
    ap.add_argument("--per-day", type=float, default=20_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    hist = history(args.weeks, args.per_day, args.seed)
    days = sorted(hist)
    held = days[-7 * args.holdout:]
    ours, peer, naive, product = [], [], [], []
    picks: dict[str, int] = {}
    for day in held:
        # each held-out day is forecast from the days before it only
        known = {k: v for k, v in hist.items() if k < day}
        actual = hist[day]
        ours.append((forecast_same_weekday(known, day) or [0.0] * 48, actual))
        peer.append((holt_winters(known, day), actual))
        prev = (dt.date.fromisoformat(day) - dt.timedelta(days=1)).isoformat()
        naive.append((known[prev], actual))
        c = choose(known, day)
        picks[c.method] = picks.get(c.method, 0) + 1
        product.append((c.forecast or [0.0] * 48, actual))
    res = {"ours": wape(ours), "peer": wape(peer), "naive": wape(naive), "product": wape(product)}
    print(f"{args.weeks} weeks of 30-min arrivals (~{args.per_day:,.0f} calls a day, weekly pattern, "
          f"+0.4 %/day trend); {len(held)} held-out days")
    print(f"  ours  same weekday, 4 weeks                 WAPE {res['ours']:.1%}")
    print(f"  peer  statsmodels Holt-Winters (weekly)     WAPE {res['peer']:.1%}")
    print(f"  naive the day before                        WAPE {res['naive']:.1%}")
    print(f"  product: chosen per day on the week before   WAPE {res['product']:.1%} "
          f"(chose {', '.join(f'{m} {n}x' for m, n in sorted(picks.items()))})")
    best = min(("ours", "peer", "naive"), key=lambda k: res[k])
    print(f"  best on held-out weeks: {best}")
    return res


if __name__ == "__main__":
    main()
