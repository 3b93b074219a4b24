"""Scorecards: weights, n.a., fatal items, form versions, and the two rates, on a
hand-computed example (the arithmetic is written next to each figure)."""

from __future__ import annotations

import pytest

from qa.forms import Form, FormError, FormHistory
from qa.scoring import AnswerError, item_failures, rates, score

DEF = {"key": "inbound", "version": 1, "effective_from": 1000.0, "sections": [
    {"title": "Opening", "items": [
        {"id": "greet", "text": "Standard greeting", "weight": 2},
        {"id": "verify", "text": "Verified identity", "weight": 1, "fatal": True}]},
    {"title": "Resolution", "items": [
        {"id": "tone", "text": "Tone", "kind": "scale", "max": 4, "pass_at": 3, "weight": 2},
        {"id": "solved", "text": "Solved", "weight": 3},
        {"id": "upsell", "text": "Offered plan", "weight": 1}]}]}
FORM = Form.from_dict(DEF)

A = {"greet": "yes", "verify": "yes", "tone": 3, "solved": "no", "upsell": "na"}
B = {"greet": "no", "verify": "no", "tone": 4, "solved": "yes", "upsell": "yes"}
C = {"greet": "yes", "verify": "na", "tone": "2", "solved": "yes", "upsell": "no"}


def test_weights_and_scale_credit() -> None:
    s = score(FORM, A)
    # (2*1 + 1*1 + 2*3/4 + 3*0) / (2+1+2+3): upsell is n.a., out of both sums
    assert s.score == pytest.approx(100 * 4.5 / 8)
    assert not s.fatal_failed


def test_na_is_left_out_of_the_denominator() -> None:
    with_na = score(FORM, {**A, "upsell": "na"})
    answered_no = score(FORM, {**A, "upsell": "no"})
    assert with_na.score == pytest.approx(56.25)
    assert answered_no.score == pytest.approx(100 * 4.5 / 9)


def test_a_failed_fatal_item_zeroes_the_evaluation() -> None:
    s = score(FORM, B)
    assert s.fatal_failed and s.score == 0.0
    assert s.raw_score == pytest.approx(100 * 6 / 9)  # what it would have been


def test_rates_on_the_hand_computed_example() -> None:
    r = rates([score(FORM, A), score(FORM, B), score(FORM, C)])
    assert r.evaluations == 3
    assert r.average_score == pytest.approx((56.25 + 0 + 75) / 3)
    # fatal: A verify ok, B verify failed, C n.a. -> 1 / 2
    assert (r.fatal_failed, r.fatal_evaluated) == (1, 2)
    assert r.fatal_item_rate == pytest.approx(0.5)
    # non-fatal: A 1 of 3 (solved), B 1 of 4 (greet), C 2 of 4 (tone 2 < 3, upsell)
    assert (r.non_fatal_failed, r.non_fatal_evaluated) == (4, 11)
    assert r.non_fatal_item_rate == pytest.approx(4 / 11)
    assert r.fatal_evaluation_rate == pytest.approx(1 / 3)
    pareto = {k: (f, n) for k, f, n in item_failures([score(FORM, x) for x in (A, B, C)])}
    assert pareto == {"greet": (1, 3), "verify": (1, 2), "tone": (1, 3), "solved": (1, 3),
                      "upsell": (1, 2)}


def test_rates_of_nothing_are_none_not_zero() -> None:
    r = rates([])
    assert r.fatal_item_rate is None and r.non_fatal_item_rate is None and r.average_score is None


def test_the_version_in_force_at_the_call_time_is_used() -> None:
    v2 = Form.from_dict({**DEF, "version": 2, "effective_from": 2000.0})
    history = FormHistory([v2, FORM])
    assert history.in_force("inbound", 1999.9).version == 1
    assert history.in_force("inbound", 2000.0).version == 2
    with pytest.raises(FormError, match="No version"):
        history.in_force("inbound", 999.0)
    with pytest.raises(FormError, match="already has a version 2"):
        history.add(v2)


def test_bad_answers_say_which_item() -> None:
    with pytest.raises(AnswerError, match="tone: answer 0..4"):
        score(FORM, {**A, "tone": 5})
    with pytest.raises(AnswerError, match="greet: answer yes, no or na"):
        score(FORM, {**A, "greet": "maybe"})
    with pytest.raises(AnswerError, match="missing"):
        score(FORM, {k: v for k, v in A.items() if k != "solved"})


def test_bad_forms_are_refused() -> None:
    with pytest.raises(FormError, match="fatal item must be yes_no"):
        Form.from_dict({**DEF, "sections": [{"title": "x", "items": [
            {"id": "a", "kind": "scale", "max": 3, "fatal": True}]}]})
    with pytest.raises(FormError, match="repeats item ids"):
        Form.from_dict({**DEF, "sections": [{"title": "x", "items": [{"id": "a"}, {"id": "a"}]}]})
    assert Form.from_dict(FORM.to_dict()) == FORM


def test_calibration_shows_the_spread_per_item() -> None:
    from qa.scoring import calibration

    spread = calibration([score(FORM, A), score(FORM, {**A, "tone": 1, "upsell": "yes"})])
    assert spread["tone"] == pytest.approx((0.25, 0.75, 0.5))
    assert spread["greet"] == (1.0, 1.0, 0.0)
    assert spread["upsell"] == (1.0, 1.0, 0.0)  # one evaluator said n.a.: only the other counts
    assert spread["score"][2] > 0
