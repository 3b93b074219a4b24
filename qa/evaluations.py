"""Evaluations in the database: forms published as versions, an evaluation per recording
scored with the form in force when the call started, comments at timestamps, the agent's
acknowledge / dispute and the team lead's resolution; calibration and rates read back.

Status of an evaluation (``qa_evaluations.status``), one table read top to bottom:

=============  ===========================  ============
from           by                           to
=============  ===========================  ============
assigned       evaluator submits answers    scored
scored         evaluator re-submits         scored
scored         agent acknowledges           acknowledged
scored         agent disputes               disputed
disputed       team lead resolves           resolved
=============  ===========================  ============

The answers are stored as given (``qa_answers.value``); a stored evaluation is re-scored
from them with its own form version (:func:`scored_of`), so rates and calibration use the
same arithmetic as the submit (``qa.scoring``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from qa.forms import Form, FormError, FormHistory
from qa.models import QaAnswer, QaComment, QaEvaluation, QaForm, QaResponse
from qa.scoring import Rates, Scored, calibration, rates, score

TRANSITIONS: dict[tuple[str, str], str] = {
    ("assigned", "submit"): "scored",
    ("scored", "submit"): "scored",
    ("scored", "acknowledge"): "acknowledged",
    ("scored", "dispute"): "disputed",
    ("disputed", "resolve"): "resolved",
}
MAX_NAME = 64
MAX_SCALE = 100
SCORED_STATES = frozenset({"scored", "acknowledged", "disputed", "resolved"})


class EvaluationError(ValueError):
    """A step the evaluation's state does not allow; the message says what to do."""


class FormVersionTaken(FormError):
    """A form version number already published (versions are never edited)."""


def next_status(status: str, step: str) -> str:
    try:
        return TRANSITIONS[(status, step)]
    except KeyError:
        raise EvaluationError(f"An evaluation that is {status} cannot be {_PAST[step]}.") from None


_PAST = {"submit": "submitted", "acknowledge": "acknowledged", "dispute": "disputed", "resolve": "resolved"}


async def form_history(session: AsyncSession) -> FormHistory:
    rows = (await session.execute(select(QaForm.definition))).scalars().all()
    return FormHistory(Form.from_dict(d) for d in rows)


async def publish_form(session: AsyncSession, definition: Mapping[str, Any], now: float) -> Form:
    """Stores a new version of a form (FormError if invalid or the version exists)."""
    try:
        form = Form.from_dict(definition)
    except (AttributeError, TypeError, ValueError) as e:  # e.g. sections that are not a list
        if isinstance(e, FormError):
            raise
        raise FormError(f"A form is {{key, version, effective_from, sections: [{{title, items: [...]}}]}} ({e}).") from e
    _check_sizes(form)
    taken = (await session.execute(select(QaForm.id).where(
        QaForm.key == form.key, QaForm.version == form.version))).first()
    if taken:
        raise FormVersionTaken(f"Form {form.key} already has a version {form.version}; "
                               "publish a new version number instead of editing one in use.")
    session.add(QaForm(key=form.key, version=form.version, effective_from=form.effective_from,
                       definition=form.to_dict(), created_at=now))
    await session.flush()
    return form


def _check_sizes(form: Form) -> None:
    """What the tables can hold: ids of at most 64 characters, scales up to 100."""
    if len(form.key) > MAX_NAME or not 0 < form.version <= 1_000_000:
        raise FormError(f"A form key has at most {MAX_NAME} characters and a version is 1..1000000.")
    for i in form.items:
        if len(i.id) > MAX_NAME or i.max > MAX_SCALE:
            raise FormError(f"Item ids have at most {MAX_NAME} characters and scales go up to {MAX_SCALE}.")


async def form_of(session: AsyncSession, ev: QaEvaluation) -> Form:
    row = (await session.execute(select(QaForm.definition).where(
        QaForm.key == ev.form_key, QaForm.version == ev.form_version))).scalar_one_or_none()
    if row is None:
        raise FormError(f"Form {ev.form_key} v{ev.form_version} of evaluation {ev.id} is gone.")
    return Form.from_dict(row)


async def create(session: AsyncSession, *, recording_id: int, call_id: str, agent: str | None,
                 call_started_at: float, form_key: str, evaluator: str, now: float,
                 rule: str = "manual", due_at: float | None = None) -> QaEvaluation:
    """An evaluation of a recording with the version of ``form_key`` in force at the call's
    start (FormError when none was)."""
    form = (await form_history(session)).in_force(form_key, call_started_at)
    ev = QaEvaluation(recording_id=recording_id, call_id=call_id, agent=agent, evaluator=evaluator,
                      form_key=form.key, form_version=form.version, status="assigned", rule=rule,
                      assigned_at=now, due_at=due_at)
    session.add(ev)
    await session.flush()
    return ev


async def submit(session: AsyncSession, ev: QaEvaluation, answers: Mapping[str, object], now: float) -> Scored:
    """Scores ``answers`` (AnswerError names a bad item) and stores them, replacing earlier ones."""
    status = next_status(ev.status, "submit")
    result = score(await form_of(session, ev), answers)
    await session.execute(delete(QaAnswer).where(QaAnswer.evaluation_id == ev.id))
    session.add_all(QaAnswer(evaluation_id=ev.id, item_id=r.item_id, value=str(r.value), fatal=r.fatal,
                             evaluated=r.evaluated, failed=r.failed) for r in result.items)
    ev.status, ev.score, ev.raw_score, ev.fatal_failed, ev.scored_at = (
        status, result.score, result.raw_score, result.fatal_failed, now)
    await session.flush()
    return result


async def comment(session: AsyncSession, ev: QaEvaluation, *, author: str, text: str, now: float,
                  at_s: float | None = None, item_id: str | None = None) -> QaComment:
    if item_id is not None:
        (await form_of(session, ev)).item(item_id)  # FormError for an item the form lacks
    c = QaComment(evaluation_id=ev.id, item_id=item_id, at_s=at_s, author=author, text=text, created_at=now)
    session.add(c)
    await session.flush()
    return c


async def respond(session: AsyncSession, ev: QaEvaluation, *, agent: str, kind: str, text: str | None,
                  now: float) -> QaResponse:
    """The agent acknowledges or disputes a scored evaluation (a dispute needs a reason)."""
    status = next_status(ev.status, kind)
    if kind == "dispute" and not (text or "").strip():
        raise EvaluationError("Say why you dispute the evaluation; a dispute needs a reason.")
    ev.status = status
    r = QaResponse(evaluation_id=ev.id, agent=agent, kind=kind, text=text, at=now)
    session.add(r)
    await session.flush()
    return r


async def resolve(session: AsyncSession, ev: QaEvaluation, *, by: str, resolution: str, now: float) -> None:
    ev.status = next_status(ev.status, "resolve")
    r = (await session.execute(select(QaResponse).where(
        QaResponse.evaluation_id == ev.id, QaResponse.kind == "dispute")
        .order_by(QaResponse.id.desc()))).scalars().first()
    if r is not None:
        r.resolved_by, r.resolved_at, r.resolution = by, now, resolution
    await session.flush()


async def answers_of(session: AsyncSession, ids: Sequence[int]) -> dict[int, dict[str, str]]:
    out: dict[int, dict[str, str]] = {i: {} for i in ids}
    for a in (await session.execute(select(QaAnswer).where(QaAnswer.evaluation_id.in_(list(ids))))).scalars():
        out[a.evaluation_id][a.item_id] = a.value
    return out


async def scored_of(session: AsyncSession, evs: Sequence[QaEvaluation]) -> dict[int, Scored]:
    """Each scored evaluation re-scored from its stored answers with its own form version."""
    evs = [e for e in evs if e.status in SCORED_STATES]
    forms: dict[tuple[str, int], Form] = {}
    for d in (await session.execute(select(QaForm.definition))).scalars():
        f = Form.from_dict(d)
        forms[(f.key, f.version)] = f
    answers = await answers_of(session, [e.id for e in evs])
    return {e.id: score(forms[(e.form_key, e.form_version or 0)], answers[e.id]) for e in evs}


@dataclass(frozen=True, slots=True)
class Spread:
    item_id: str
    low: float
    high: float
    spread: float


async def calibrate(session: AsyncSession, recording_id: int) -> tuple[list[QaEvaluation], list[Spread]]:
    """The scored evaluations of one recording and the spread of credit per item (and
    ``score``, in points) between their evaluators, widest first."""
    evs = list((await session.execute(select(QaEvaluation).where(
        QaEvaluation.recording_id == recording_id).order_by(QaEvaluation.id))).scalars())
    scored = await scored_of(session, evs)
    cal = calibration(scored.values())
    spreads = [Spread(k, lo, hi, sp) for k, (lo, hi, sp) in cal.items()]
    spreads.sort(key=lambda s: (s.item_id != "score", -s.spread, s.item_id))
    return [e for e in evs if e.id in scored], spreads


# --- rates per agent / group / team / centre and period, leaderboards (pure) ---------------------------------

PERIODS = ("day", "week", "month", "all")


def period_of(ts: float, period: str) -> str:
    """``2027-01-15`` (day), ``2027-01-11`` (the Monday of its ISO week), ``2027-01`` (month), UTC."""
    d = dt.datetime.fromtimestamp(ts, dt.UTC).date()
    if period == "day":
        return d.isoformat()
    if period == "week":
        return (d - dt.timedelta(days=d.weekday())).isoformat()
    if period == "month":
        return d.strftime("%Y-%m")
    return "all"


@dataclass(frozen=True, slots=True)
class RateRow:
    group: str
    period: str
    rates: Rates


def rate_table(evaluations: Iterable[tuple[str | None, float, Scored]], period: str,
               groups_of: Callable[[str | None], Iterable[str]]) -> list[RateRow]:
    """(agent, scored_at, scored) in, one row per (group, period) out, sorted. An agent's
    evaluation counts in every group ``groups_of`` gives (an agent in two teams: in both;
    a team's figures include those of its sub-teams when its agents are the subtree's)."""
    buckets: dict[tuple[str, str], list[Scored]] = {}
    for agent, at, s in evaluations:
        for g in groups_of(agent):
            buckets.setdefault((g, period_of(at, period)), []).append(s)
    return [RateRow(g, p, rates(v)) for (g, p), v in sorted(buckets.items())]


# What a leaderboard may rank by, and whether more is better.
RANKINGS: dict[str, bool] = {"average_score": True, "evaluations": True,
                             "fatal_item_rate": False, "non_fatal_item_rate": False,
                             "fatal_evaluation_rate": False}


def ranked(rows: Sequence[tuple[str, Rates]], by: str = "average_score") -> list[tuple[int | None, str, Rates]]:
    """(rank, key, rates), best first by ``by`` (ties by key); keys with no figure (no
    evaluation) last, unranked."""
    if by not in RANKINGS:
        raise ValueError(f"Rank by one of {', '.join(RANKINGS)}, not {by!r}.")
    more_is_better = RANKINGS[by]

    def value(r: Rates) -> float | None:
        v = getattr(r, by)
        return None if v is None else float(v)

    has = sorted(((value(r), k, r) for k, r in rows if value(r) is not None),
                 key=lambda t: (-t[0] if more_is_better else t[0], t[1]))  # type: ignore[operator]
    out: list[tuple[int | None, str, Rates]] = [(i + 1, k, r) for i, (_, k, r) in enumerate(has)]
    return out + sorted(((None, k, r) for k, r in rows if value(r) is None), key=lambda t: t[1])
