"""The ticket workflow as one table. Pure: no I/O, no clock.

new ─accept→ accepted (受理) ─assign→ assigned (交办) ─start→ in_progress (跟进)
    ─resolve→ resolved ─callback→ callback (回访, with satisfaction) ─close→ closed;
reassign from assigned / in_progress; reopen from resolved, callback or closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    NEW = "new"
    ACCEPTED = "accepted"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CALLBACK = "callback"
    CLOSED = "closed"


class Action(StrEnum):
    ACCEPT = "accept"
    ASSIGN = "assign"
    START = "start"
    RESOLVE = "resolve"
    CALLBACK = "callback"
    CLOSE = "close"
    REOPEN = "reopen"


S, A = Status, Action
# "cannot be ...": the past participle of each action (not action + "ed": "resolveed")
DONE: dict[Action, str] = {A.ACCEPT: "accepted", A.ASSIGN: "assigned", A.START: "started",
                           A.RESOLVE: "resolved", A.CALLBACK: "called back", A.CLOSE: "closed",
                           A.REOPEN: "reopened"}

# (from, action) -> to. Everything not listed is refused.
TRANSITIONS: dict[tuple[Status, Action], Status] = {
    (S.NEW, A.ACCEPT): S.ACCEPTED,
    (S.ACCEPTED, A.ASSIGN): S.ASSIGNED,
    (S.ASSIGNED, A.ASSIGN): S.ASSIGNED,  # reassign
    (S.IN_PROGRESS, A.ASSIGN): S.ASSIGNED,  # reassign
    (S.ASSIGNED, A.START): S.IN_PROGRESS,
    (S.IN_PROGRESS, A.RESOLVE): S.RESOLVED,
    (S.RESOLVED, A.CALLBACK): S.CALLBACK,
    (S.CALLBACK, A.CLOSE): S.CLOSED,
    (S.RESOLVED, A.REOPEN): S.ASSIGNED,
    (S.CALLBACK, A.REOPEN): S.ASSIGNED,
    (S.CLOSED, A.REOPEN): S.ASSIGNED,
}

OPEN_STATUSES: frozenset[Status] = frozenset({S.NEW, S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS})
"""Statuses whose SLA clock runs (the work is not done yet)."""

LABELS: dict[Status, tuple[str, str]] = {
    S.NEW: ("新建", "new"),
    S.ACCEPTED: ("已受理", "accepted"),
    S.ASSIGNED: ("已交办", "assigned"),
    S.IN_PROGRESS: ("跟进中", "in progress"),
    S.RESOLVED: ("已办结", "resolved"),
    S.CALLBACK: ("已回访", "called back"),
    S.CLOSED: ("已关闭", "closed"),
}


@dataclass(frozen=True, slots=True)
class Params:
    """What an action may carry. Guards check what each action needs."""

    department_id: int | None = None
    assignee: str | None = None
    satisfaction: int | None = None
    resolution: str | None = None
    note: str | None = None


class IllegalTransition(ValueError):
    """Refused action; ``code`` is stable, messages say what to do in English and Chinese."""

    def __init__(self, code: str, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.message_zh = message_zh


def allowed_actions(status: Status) -> list[Action]:
    return [a for (s, a) in TRANSITIONS if s == status]


def next_status(status: Status, action: Action, params: Params = Params()) -> Status:
    """The status after ``action``, or :class:`IllegalTransition` saying why not."""
    target = TRANSITIONS.get((status, action))
    if target is None:
        can = ", ".join(allowed_actions(status)) or "nothing"
        zh = LABELS[status][0]
        raise IllegalTransition(
            "illegal_transition",
            f"a ticket that is {status.value} cannot be {DONE[action]}; allowed now: {can}",
            f"工单当前状态为“{zh}”，不能执行“{action.value}”；当前可执行：{can}",
        )
    if action is A.ASSIGN and params.department_id is None and not params.assignee:
        raise IllegalTransition(
            "assignee_required", "assigning needs a department or a person; choose one",
            "交办需要指定部门或处理人，请选择")
    if action is A.CALLBACK and (params.satisfaction is None or not 1 <= params.satisfaction <= 5):
        raise IllegalTransition(
            "satisfaction_required",
            "a callback records the customer's satisfaction; give a score from 1 to 5",
            "回访需要记录客户满意度，请给出 1 到 5 分")
    if action is A.RESOLVE and not (params.resolution or "").strip():
        raise IllegalTransition(
            "resolution_required", "resolving needs a short description of the resolution",
            "办结需要填写处理结果")
    if action is A.REOPEN and not (params.note or "").strip():
        raise IllegalTransition(
            "reason_required", "reopening needs a reason in the note", "重新打开工单需要填写原因")
    return target
