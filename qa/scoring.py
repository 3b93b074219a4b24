"""Scoring an evaluation and the fatal / non-fatal item rates. Pure, deterministic.

Score (0..100) = 100 x sum(weight x credit) / sum(weight) over the items not answered
``na``; credit is 1 for ``yes``, 0 for ``no``, value/max for a scale. ``na`` items are
left out of both sums. Any fatal item answered ``no`` makes the score 0.

Rates over a set of evaluations (the formulas the QA page states):

* fatal item rate = fatal items failed / fatal items evaluated (not ``na``)
* non-fatal item rate = non-fatal items failed / non-fatal items evaluated
* per-evaluation fatal rate = evaluations with >= 1 fatal failure / evaluations
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from qa.forms import Form, Item

Answer = str | int  # "yes" | "no" | "na" | 0..max

RATE_FORMULAS = {
    "fatal_item_rate": "fatal items failed / fatal items evaluated (n.a. excluded)",
    "non_fatal_item_rate": "non-fatal items failed / non-fatal items evaluated (n.a. excluded)",
    "fatal_evaluation_rate": "evaluations with at least one fatal item failed / evaluations",
}


class AnswerError(ValueError):
    """Answers that do not fit the form; the message names the item."""


@dataclass(frozen=True, slots=True)
class ItemResult:
    item_id: str
    value: Answer
    fatal: bool
    evaluated: bool  # False for na
    failed: bool
    credit: float  # 0..1, 0 when not evaluated


@dataclass(frozen=True, slots=True)
class Scored:
    form_key: str
    form_version: int
    score: float
    raw_score: float  # before a fatal failure zeroed it
    fatal_failed: bool
    items: tuple[ItemResult, ...]


def _parse(item: Item, value: object) -> Answer:
    if isinstance(value, str):
        v = value.strip().lower()
        if v in ("na", "n/a", "n.a."):
            return "na"
        if item.kind == "yes_no":
            if v in ("yes", "no"):
                return v
            raise AnswerError(f"Item {item.id}: answer yes, no or na, not {value!r}.")
        if v.isdigit():
            value = int(v)
    if item.kind == "scale" and isinstance(value, int) and not isinstance(value, bool):
        if 0 <= value <= item.max:
            return value
        raise AnswerError(f"Item {item.id}: answer 0..{item.max} or na, not {value}.")
    if item.kind == "yes_no" and isinstance(value, bool):
        return "yes" if value else "no"
    raise AnswerError(f"Item {item.id}: {value!r} is not an answer for a {item.kind} item.")


def score(form: Form, answers: Mapping[str, object]) -> Scored:
    """Scores ``answers`` (item id -> answer); every item of the form must be answered."""
    unknown = sorted(set(answers) - {i.id for i in form.items})
    if unknown:
        raise AnswerError(f"Form {form.key} v{form.version} has no items {unknown}.")
    missing = [i.id for i in form.items if i.id not in answers]
    if missing:
        raise AnswerError(f"Answer every item (use na where it does not apply); missing {missing}.")
    results: list[ItemResult] = []
    earned = possible = 0.0
    fatal_failed = False
    for item in form.items:
        v = _parse(item, answers[item.id])
        if v == "na":
            results.append(ItemResult(item.id, v, item.fatal, False, False, 0.0))
            continue
        if item.kind == "yes_no":
            credit, failed = (1.0, False) if v == "yes" else (0.0, True)
        else:
            assert isinstance(v, int)
            credit, failed = v / item.max, v < item.pass_at
        fatal_failed |= item.fatal and failed
        earned += item.weight * credit
        possible += item.weight
        results.append(ItemResult(item.id, v, item.fatal, True, failed, credit))
    raw = 100.0 * earned / possible if possible else 100.0
    return Scored(form.key, form.version, 0.0 if fatal_failed else raw, raw, fatal_failed,
                  tuple(results))


@dataclass(frozen=True, slots=True)
class Rates:
    evaluations: int
    average_score: float | None
    fatal_evaluated: int
    fatal_failed: int
    non_fatal_evaluated: int
    non_fatal_failed: int
    evaluations_with_fatal: int

    @property
    def fatal_item_rate(self) -> float | None:
        return self.fatal_failed / self.fatal_evaluated if self.fatal_evaluated else None

    @property
    def non_fatal_item_rate(self) -> float | None:
        return (self.non_fatal_failed / self.non_fatal_evaluated
                if self.non_fatal_evaluated else None)

    @property
    def fatal_evaluation_rate(self) -> float | None:
        return self.evaluations_with_fatal / self.evaluations if self.evaluations else None


def rates(evaluations: Iterable[Scored]) -> Rates:
    n = fe = ff = ne = nf = ewf = 0
    total = 0.0
    for ev in evaluations:
        n += 1
        total += ev.score
        ewf += ev.fatal_failed
        for r in ev.items:
            if not r.evaluated:
                continue
            if r.fatal:
                fe += 1
                ff += r.failed
            else:
                ne += 1
                nf += r.failed
    return Rates(n, total / n if n else None, fe, ff, ne, nf, ewf)


def item_failures(evaluations: Iterable[Scored]) -> list[tuple[str, int, int]]:
    """Pareto of failed items: (item id, failed, evaluated), most failed first."""
    failed: dict[str, int] = {}
    seen: dict[str, int] = {}
    for ev in evaluations:
        for r in ev.items:
            if r.evaluated:
                seen[r.item_id] = seen.get(r.item_id, 0) + 1
                failed[r.item_id] = failed.get(r.item_id, 0) + r.failed
    return sorted(((k, failed[k], seen[k]) for k in seen), key=lambda t: (-t[1], t[0]))


def calibration(evaluations: Iterable[Scored]) -> dict[str, tuple[float, float, float]]:
    """Several evaluators' scores of one call: per item (min, max, max - min) of the credit
    given (0..1), n.a. answers left out; ``"score"`` is the same for the total score."""
    per: dict[str, list[float]] = {}
    scores: list[float] = []
    for ev in evaluations:
        scores.append(ev.score)
        for r in ev.items:
            if r.evaluated:
                per.setdefault(r.item_id, []).append(r.credit)
    out = {k: (min(v), max(v), max(v) - min(v)) for k, v in per.items()}
    if scores:
        out["score"] = (min(scores), max(scores), max(scores) - min(scores))
    return out
