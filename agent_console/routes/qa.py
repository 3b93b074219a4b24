"""QA over HTTP: scorecard forms, evaluations (score, comment, acknowledge / dispute,
resolve), calibration, fatal and non-fatal item rates.

Who does what:

* evaluate (create, answer, comment, submit): ``qa``, ``supervisor``, ``admin`` on every
  recording; a ``team_lead`` on the recordings of their teams. Only the evaluator who
  created an evaluation (or an admin) submits it.
* the agent of an evaluation sees it once it is scored, and acknowledges or disputes it;
  a dispute lands on ``GET /api/qa/disputes`` of the agent's team leads (and of
  supervisors / QA), who resolve it.
* rates: ``qa``, ``team_lead`` (their teams), ``supervisor``, ``admin``.
"""

from __future__ import annotations

import csv
import io
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Response, status
from fastapi import Path as PathParam
from sqlalchemy import select

from agent_console.deps import ClientIp, Ctx, CurrentUser, RequireRole, SessionDep
from agent_console.models import Team, TeamMember, User
from agent_console.qa_schemas import (
    MAX_ID,
    CalibrationOut,
    CommentIn,
    CommentOut,
    EvaluationDetail,
    EvaluationIn,
    EvaluationOut,
    FormIn,
    FormOut,
    ParetoOut,
    RateOut,
    RatesOut,
    ResolveIn,
    ResponseIn,
    ResponseOut,
    SpreadOut,
    SubmitIn,
)
from agent_console.routes.recordings import recording_scope, visible_recording
from agent_console.scope import Scope
from agent_console.store import audit
from qa import compliance
from qa import evaluations as evs
from qa.forms import FormError
from qa.models import QaComment, QaEvaluation, QaForm, QaResponse
from qa.scoring import RATE_FORMULAS, AnswerError, Scored, item_failures
from qa.transcribe import engine_for

router = APIRouter(prefix="/api/qa", tags=["qa"])
EVALUATOR_ROLES = ("qa", "team_lead", "supervisor", "admin")
Evaluator = Annotated[User, Depends(RequireRole(*EVALUATOR_ROLES))]
FormAdmin = Annotated[User, Depends(RequireRole("qa", "admin"))]
Id = Annotated[int, PathParam(ge=1, le=MAX_ID)]


def _ev_out(e: QaEvaluation) -> EvaluationOut:
    return EvaluationOut.model_validate(e, from_attributes=True)


def _refused(exc: Exception) -> HTTPException:
    return HTTPException(status.HTTP_409_CONFLICT if isinstance(exc, evs.EvaluationError | evs.FormVersionTaken)
                         else 422, detail=str(exc))


def _may_see(user: User, scope: Scope, e: QaEvaluation) -> bool:
    """An evaluator in scope, the evaluator, or the agent once the evaluation is scored."""
    if user.role == "agent":
        return e.agent is not None and e.agent == user.agent_id and e.status in evs.SCORED_STATES
    if e.evaluator == user.username:
        return True
    if e.agent is not None and e.agent == user.agent_id:
        return e.status in evs.SCORED_STATES
    return scope.agents is None or (e.agent is not None and scope.sees_agent(e.agent))


async def _evaluation(session: SessionDep, user: User, evaluation_id: int) -> QaEvaluation:
    e = await session.get(QaEvaluation, evaluation_id)
    if e is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"There is no evaluation {evaluation_id}.")
    if not _may_see(user, await recording_scope(session, user), e):
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            detail=f"Evaluation {evaluation_id} is of an agent outside your teams.")
    return e


@router.get("/forms", response_model=list[FormOut])
async def forms(user: CurrentUser, session: SessionDep) -> list[FormOut]:
    rows = (await session.execute(select(QaForm).order_by(QaForm.key, QaForm.version))).scalars()
    return [FormOut(key=f.key, version=f.version, effective_from=f.effective_from, definition=f.definition)
            for f in rows]


@router.post("/forms", response_model=FormOut, status_code=201)
async def publish(body: FormIn, user: FormAdmin, session: SessionDep, ctx: Ctx, ip: ClientIp) -> FormOut:
    try:
        form = await evs.publish_form(session, body.definition, ctx.clock.now())
    except FormError as e:
        raise _refused(e) from None
    await audit(session, now=ctx.clock.now(), actor=user.username, action="qa_form_publish",
                target=f"form:{form.key}", to_value=str(form.version), ip=ip)
    await session.commit()
    return FormOut(key=form.key, version=form.version, effective_from=form.effective_from,
                   definition=form.to_dict())


@router.post("/evaluations", response_model=EvaluationOut, status_code=201)
async def create(body: EvaluationIn, user: Evaluator, session: SessionDep, ctx: Ctx, ip: ClientIp) -> EvaluationOut:
    rec = await visible_recording(session, user, body.recording_id)
    if user.agent_id and rec.agent == user.agent_id:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="You cannot evaluate your own call; ask QA or your team lead.")
    try:
        e = await evs.create(session, recording_id=rec.id, call_id=rec.call_id, agent=rec.agent,
                             call_started_at=rec.started_at, form_key=body.form_key,
                             evaluator=user.username, now=ctx.clock.now())
    except FormError as exc:
        raise _refused(exc) from None
    await audit(session, now=ctx.clock.now(), actor=user.username, action="qa_evaluation_create",
                target=f"evaluation:{e.id}", to_value=f"recording:{rec.id}", ip=ip)
    await session.commit()
    return _ev_out(e)


@router.get("/evaluations", response_model=list[EvaluationOut])
async def listing(user: CurrentUser, session: SessionDep,
                  agent: Annotated[str | None, Query(max_length=64)] = None,
                  recording_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
                  status_: Annotated[str | None, Query(alias="status", max_length=16)] = None,
                  mine: bool = False,
                  limit: Annotated[int, Query(ge=1, le=500)] = 200) -> list[EvaluationOut]:
    """Evaluations the user may see, newest first; ``mine``: those the user evaluates, or
    (an agent) those about them."""
    q = select(QaEvaluation)
    if agent:
        q = q.where(QaEvaluation.agent == agent)
    if recording_id is not None:
        q = q.where(QaEvaluation.recording_id == recording_id)
    if status_:
        q = q.where(QaEvaluation.status == status_)
    if mine:
        q = q.where(QaEvaluation.agent == user.agent_id if user.role == "agent"
                    else QaEvaluation.evaluator == user.username)
    scope = await recording_scope(session, user)
    rows = (await session.execute(q.order_by(QaEvaluation.id.desc()))).scalars()
    return [_ev_out(e) for e in rows if _may_see(user, scope, e)][:limit]


@router.get("/evaluations/{evaluation_id}", response_model=EvaluationDetail)
async def detail(evaluation_id: Id, user: CurrentUser, session: SessionDep) -> EvaluationDetail:
    e = await _evaluation(session, user, evaluation_id)
    form = await evs.form_of(session, e)
    answers = (await evs.answers_of(session, [e.id]))[e.id]
    comments = (await session.execute(select(QaComment).where(QaComment.evaluation_id == e.id)
                                      .order_by(QaComment.at_s, QaComment.id))).scalars()
    responses = (await session.execute(select(QaResponse).where(QaResponse.evaluation_id == e.id)
                                       .order_by(QaResponse.id))).scalars()
    scripted = any(i.script is not None for i in form.items)
    engine = engine_for(form.language) if scripted else None
    return EvaluationDetail(**_ev_out(e).model_dump(), form=form.to_dict(), answers=answers,
                            comments=[CommentOut.model_validate(c, from_attributes=True) for c in comments],
                            responses=[ResponseOut.model_validate(r, from_attributes=True) for r in responses],
                            prefill=await compliance.prefill(session, e.recording_id, form),
                            script_engine=engine.name if engine else None,
                            script_note=compliance.no_engine_note(form.language) if scripted and not engine else None)


def _evaluator_only(user: User, e: QaEvaluation) -> None:
    if e.evaluator != user.username and user.role != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            detail=f"Only {e.evaluator}, who evaluates this call, may change evaluation {e.id}.")


@router.post("/evaluations/{evaluation_id}/submit", response_model=EvaluationOut)
async def submit(evaluation_id: Id, body: SubmitIn, user: Evaluator, session: SessionDep, ctx: Ctx,
                 ip: ClientIp) -> EvaluationOut:
    e = await _evaluation(session, user, evaluation_id)
    _evaluator_only(user, e)
    try:
        await evs.submit(session, e, body.answers, ctx.clock.now())
    except (AnswerError, FormError, evs.EvaluationError) as exc:
        raise _refused(exc) from None
    await audit(session, now=ctx.clock.now(), actor=user.username, action="qa_evaluation_submit",
                target=f"evaluation:{e.id}", to_value=f"{e.score:.1f}", ip=ip)
    await session.commit()
    return _ev_out(e)


@router.post("/evaluations/{evaluation_id}/comments", response_model=CommentOut, status_code=201)
async def add_comment(evaluation_id: Id, body: CommentIn, user: Evaluator, session: SessionDep,
                      ctx: Ctx) -> CommentOut:
    e = await _evaluation(session, user, evaluation_id)
    try:
        c = await evs.comment(session, e, author=user.username, text=body.text, now=ctx.clock.now(),
                              at_s=body.at_s, item_id=body.item_id)
    except FormError as exc:
        raise _refused(exc) from None
    await session.commit()
    return CommentOut.model_validate(c, from_attributes=True)


@router.post("/evaluations/{evaluation_id}/response", response_model=EvaluationOut)
async def respond(evaluation_id: Id, body: ResponseIn, user: CurrentUser, session: SessionDep, ctx: Ctx,
                  ip: ClientIp) -> EvaluationOut:
    e = await _evaluation(session, user, evaluation_id)
    if not user.agent_id or e.agent != user.agent_id:
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            detail=f"Only the agent evaluated may acknowledge or dispute evaluation {e.id}.")
    try:
        await evs.respond(session, e, agent=user.agent_id, kind=body.kind, text=body.text, now=ctx.clock.now())
    except evs.EvaluationError as exc:
        raise _refused(exc) from None
    await audit(session, now=ctx.clock.now(), actor=user.username, action=f"qa_evaluation_{body.kind}",
                target=f"evaluation:{e.id}", ip=ip)
    await session.commit()
    return _ev_out(e)


@router.get("/disputes", response_model=list[EvaluationOut])
async def disputes(user: Evaluator, session: SessionDep) -> list[EvaluationOut]:
    """Disputed evaluations of the agents the user leads (everyone's for QA, supervisors)."""
    scope = await recording_scope(session, user)
    rows = (await session.execute(select(QaEvaluation).where(QaEvaluation.status == "disputed")
                                  .order_by(QaEvaluation.id))).scalars()
    return [_ev_out(e) for e in rows if scope.agents is None or (e.agent and scope.sees_agent(e.agent))]


@router.post("/evaluations/{evaluation_id}/resolve", response_model=EvaluationOut)
async def resolve(evaluation_id: Id, body: ResolveIn, user: Evaluator, session: SessionDep, ctx: Ctx,
                  ip: ClientIp) -> EvaluationOut:
    e = await _evaluation(session, user, evaluation_id)
    scope = await recording_scope(session, user)
    if scope.agents is not None and not (e.agent and scope.sees_agent(e.agent)):
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            detail=f"Evaluation {evaluation_id} is of an agent outside your teams.")
    try:
        await evs.resolve(session, e, by=user.username, resolution=body.resolution, now=ctx.clock.now())
    except evs.EvaluationError as exc:
        raise _refused(exc) from None
    await audit(session, now=ctx.clock.now(), actor=user.username, action="qa_evaluation_resolve",
                target=f"evaluation:{e.id}", ip=ip)
    await session.commit()
    return _ev_out(e)


@router.get("/recordings/{recording_id}/calibration", response_model=CalibrationOut)
async def calibration(recording_id: Id, user: Evaluator, session: SessionDep) -> CalibrationOut:
    """Several evaluators' scores of one call: per item the lowest and highest credit
    (0..1) given and their spread; ``score`` in points."""
    await visible_recording(session, user, recording_id)
    scored, spreads = await evs.calibrate(session, recording_id)
    return CalibrationOut(recording_id=recording_id, evaluations=[_ev_out(e) for e in scored],
                          items=[SpreadOut(item_id=s.item_id, low=s.low, high=s.high, spread=s.spread)
                                 for s in spreads])


async def _team_of(session: SessionDep) -> dict[str, str]:
    """Agent id -> the name of a team they are a member of (the first by team id)."""
    rows = (await session.execute(select(User.agent_id, Team.name).join(TeamMember, TeamMember.user_id == User.id)
                                  .join(Team, Team.id == TeamMember.team_id).order_by(Team.id))).all()
    out: dict[str, str] = {}
    for agent, team in rows:
        if agent:
            out.setdefault(agent, team)
    return out


@router.get("/rates", response_model=RatesOut)
async def rates(user: Evaluator,
                session: SessionDep,
                from_: Annotated[float | None, Query(alias="from", allow_inf_nan=False,
                                                     description="epoch seconds (scored at)")] = None,
                to: Annotated[float | None, Query(allow_inf_nan=False, description="epoch seconds, exclusive")] = None,
                by: Literal["agent", "team", "centre"] = "agent",
                period: Literal["day", "week", "month", "all"] = "all") -> RatesOut:
    """Fatal and non-fatal item rates of scored evaluations, per group and period."""
    return await _rates(user, session, from_, to, by, period)


async def _scored_in_scope(user: User, session: SessionDep, from_: float | None,
                           to: float | None) -> tuple[list[QaEvaluation], dict[int, Scored]]:
    q = select(QaEvaluation).where(QaEvaluation.status.in_(sorted(evs.SCORED_STATES)))
    if from_ is not None:
        q = q.where(QaEvaluation.scored_at >= from_)
    if to is not None:
        q = q.where(QaEvaluation.scored_at < to)
    scope = await recording_scope(session, user)
    rows = [e for e in (await session.execute(q.order_by(QaEvaluation.id))).scalars()
            if scope.agents is None or (e.agent and scope.sees_agent(e.agent))]
    return rows, await evs.scored_of(session, rows)


async def _rates(user: User, session: SessionDep, from_: float | None, to: float | None, by: str,
                 period: str) -> RatesOut:
    rows, scored = await _scored_in_scope(user, session, from_, to)
    teams = await _team_of(session) if by == "team" else {}

    def group_of(agent: str | None) -> str:
        if by == "centre":
            return "centre"
        if by == "team":
            return teams.get(agent or "", "(no team)")
        return agent or "(no agent)"

    table = evs.rate_table(((e.agent, e.scored_at or 0.0, scored[e.id]) for e in rows), period, group_of)
    return RatesOut(by=by, period=period, formulas=RATE_FORMULAS, rows=[
        RateOut(group=r.group, period=r.period, evaluations=r.rates.evaluations,
                average_score=r.rates.average_score, fatal_evaluated=r.rates.fatal_evaluated,
                fatal_failed=r.rates.fatal_failed, fatal_item_rate=r.rates.fatal_item_rate,
                non_fatal_evaluated=r.rates.non_fatal_evaluated, non_fatal_failed=r.rates.non_fatal_failed,
                non_fatal_item_rate=r.rates.non_fatal_item_rate,
                fatal_evaluation_rate=r.rates.fatal_evaluation_rate) for r in table])



FromQ = Annotated[float | None, Query(alias="from", allow_inf_nan=False, description="epoch seconds (scored at)")]
ToQ = Annotated[float | None, Query(allow_inf_nan=False, description="epoch seconds, exclusive")]
CSV_COLUMNS = ("group", "period", "evaluations", "average_score", "fatal_failed", "fatal_evaluated",
               "fatal_item_rate", "non_fatal_failed", "non_fatal_evaluated", "non_fatal_item_rate",
               "fatal_evaluation_rate")


@router.get("/rates.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
async def rates_csv(user: Evaluator, session: SessionDep, ctx: Ctx, ip: ClientIp, from_: FromQ = None,
                    to: ToQ = None, by: Literal["agent", "team", "centre"] = "agent",
                    period: Literal["day", "week", "month", "all"] = "all") -> Response:
    """The rates table as CSV (UTF-8 with BOM, so spreadsheet programs read 张安娜 right);
    the formulas in the last lines. The export is audited."""
    out = await _rates(user, session, from_, to, by, period)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_COLUMNS)
    for r in out.rows:
        w.writerow(["" if (v := getattr(r, c)) is None else (f"{v:.6f}" if isinstance(v, float) else v)
                    for c in CSV_COLUMNS])
    for k, f in out.formulas.items():
        w.writerow([f"# {k} = {f}"])
    await audit(session, now=ctx.clock.now(), actor=user.username, action="qa_rates_export",
                target=f"rates:{by}:{period}", ip=ip)
    await session.commit()
    return Response("\ufeff" + buf.getvalue(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="qa-rates-{by}-{period}.csv"'})


@router.get("/pareto", response_model=list[ParetoOut])
async def pareto(user: Evaluator, session: SessionDep, from_: FromQ = None, to: ToQ = None,
                 agent: Annotated[str | None, Query(max_length=64)] = None) -> list[ParetoOut]:
    """Items by how often they failed, most first, with their share of all failures and
    the cumulative share (the Pareto of what to retrain); n.a. answers are not counted."""
    rows, scored = await _scored_in_scope(user, session, from_, to)
    chosen = [scored[e.id] for e in rows if agent is None or e.agent == agent]
    texts: dict[str, tuple[str, bool]] = {}
    for e in rows:
        for i in (await evs.form_of(session, e)).items:
            texts.setdefault(i.id, (i.text, i.fatal))
    table = item_failures(chosen)
    total = sum(f for _, f, _ in table) or 1
    out, cum = [], 0
    for item_id, failed, seen in table:
        cum += failed
        text, fatal = texts.get(item_id, (item_id, False))
        out.append(ParetoOut(item_id=item_id, text=text, fatal=fatal, failed=failed, evaluated=seen,
                             failure_rate=failed / seen, share=failed / total, cumulative_share=cum / total))
    return out
