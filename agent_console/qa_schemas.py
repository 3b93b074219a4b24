"""Request and response bodies of the QA API (``agent_console.routes.qa``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_ID = 2**31 - 1


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FormIn(Strict):
    definition: dict[str, Any]


class FormOut(BaseModel):
    key: str
    version: int
    effective_from: float
    definition: dict[str, Any]


class EvaluationIn(Strict):
    recording_id: int = Field(ge=1, le=MAX_ID)
    form_key: str = Field(min_length=1, max_length=64)


class SubmitIn(Strict):
    answers: dict[str, str | int | bool]


class CommentIn(Strict):
    text: str = Field(min_length=1, max_length=4000)
    at_s: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    item_id: str | None = Field(default=None, max_length=64)


class ResponseIn(Strict):
    kind: Literal["acknowledge", "dispute"]
    text: str | None = Field(default=None, max_length=4000)


class ResolveIn(Strict):
    resolution: str = Field(min_length=1, max_length=4000)


class EvaluationOut(BaseModel):
    id: int
    recording_id: int
    call_id: str
    agent: str | None
    evaluator: str | None
    form_key: str
    form_version: int | None
    status: str
    rule: str
    score: float | None
    raw_score: float | None
    fatal_failed: bool | None
    assigned_at: float
    due_at: float | None
    scored_at: float | None


class CommentOut(BaseModel):
    id: int
    item_id: str | None
    at_s: float | None
    author: str
    text: str
    created_at: float


class ResponseOut(BaseModel):
    kind: str
    agent: str
    text: str | None
    at: float
    resolved_by: str | None
    resolved_at: float | None
    resolution: str | None


class EvaluationDetail(EvaluationOut):
    form: dict[str, Any]
    answers: dict[str, str]
    comments: list[CommentOut]
    responses: list[ResponseOut]
    prefill: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="item id -> automatic script check (answer, found, missing, forbidden, note)")
    script_engine: str | None = Field(default=None, description="engine for the form's language; None: none")
    script_note: str | None = None


class SpreadOut(BaseModel):
    item_id: str
    low: float
    high: float
    spread: float


class CalibrationOut(BaseModel):
    recording_id: int
    evaluations: list[EvaluationOut]
    items: list[SpreadOut]


class RateOut(BaseModel):
    group: str
    period: str
    evaluations: int
    average_score: float | None
    fatal_evaluated: int
    fatal_failed: int
    fatal_item_rate: float | None
    non_fatal_evaluated: int
    non_fatal_failed: int
    non_fatal_item_rate: float | None
    fatal_evaluation_rate: float | None


class RatesOut(BaseModel):
    by: str
    period: str
    formulas: dict[str, str]
    rows: list[RateOut]


class ParetoOut(BaseModel):
    item_id: str
    text: str
    fatal: bool
    failed: int
    evaluated: int
    failure_rate: float
    share: float  # of all failed items
    cumulative_share: float
