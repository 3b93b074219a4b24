from __future__ import annotations

import pytest

from crm.sla import (
    HOUR,
    MANAGER_AFTER,
    SLA_TABLE,
    Priority,
    TicketClock,
    TicketType,
    due_times,
    escalations_due,
)
from crm.workflow import TRANSITIONS, Action, IllegalTransition, Params, Status, next_status

FULL = Params(department_id=1, assignee="li", satisfaction=4, resolution="refunded", note="why")

LEGAL = [
    (Status.NEW, Action.ACCEPT, Status.ACCEPTED),
    (Status.ACCEPTED, Action.ASSIGN, Status.ASSIGNED),
    (Status.ASSIGNED, Action.ASSIGN, Status.ASSIGNED),
    (Status.IN_PROGRESS, Action.ASSIGN, Status.ASSIGNED),
    (Status.ASSIGNED, Action.START, Status.IN_PROGRESS),
    (Status.IN_PROGRESS, Action.RESOLVE, Status.RESOLVED),
    (Status.RESOLVED, Action.CALLBACK, Status.CALLBACK),
    (Status.CALLBACK, Action.CLOSE, Status.CLOSED),
    (Status.RESOLVED, Action.REOPEN, Status.ASSIGNED),
    (Status.CALLBACK, Action.REOPEN, Status.ASSIGNED),
    (Status.CLOSED, Action.REOPEN, Status.ASSIGNED),
]


def test_the_table_is_exactly_the_documented_workflow() -> None:
    assert {(s, a): t for s, a, t in LEGAL} == TRANSITIONS


@pytest.mark.parametrize(("old", "action", "new"), LEGAL)
def test_every_legal_transition(old: Status, action: Action, new: Status) -> None:
    assert next_status(old, action, FULL) is new


ILLEGAL = [(s, a) for s in Status for a in Action if (s, a) not in TRANSITIONS]


@pytest.mark.parametrize(("old", "action"), ILLEGAL)
def test_every_illegal_transition_is_refused_with_a_reason(old: Status, action: Action) -> None:
    with pytest.raises(IllegalTransition) as err:
        next_status(old, action, FULL)
    assert err.value.code == "illegal_transition"
    assert old.value in err.value.message and "allowed now" in err.value.message
    assert "工单当前状态" in err.value.message_zh


@pytest.mark.parametrize(("old", "action", "params", "code"), [
    (Status.ACCEPTED, Action.ASSIGN, Params(), "assignee_required"),
    (Status.RESOLVED, Action.CALLBACK, Params(), "satisfaction_required"),
    (Status.RESOLVED, Action.CALLBACK, Params(satisfaction=6), "satisfaction_required"),
    (Status.RESOLVED, Action.CALLBACK, Params(satisfaction=0), "satisfaction_required"),
    (Status.IN_PROGRESS, Action.RESOLVE, Params(resolution="  "), "resolution_required"),
    (Status.CLOSED, Action.REOPEN, Params(), "reason_required"),
])
def test_guards_say_what_is_missing(old: Status, action: Action, params: Params, code: str) -> None:
    with pytest.raises(IllegalTransition) as err:
        next_status(old, action, params)
    assert err.value.code == code


def test_sla_due_times_follow_the_table() -> None:
    assert due_times(TicketType.COMPLAINT, Priority.URGENT, 1000.0) == (1000 + 900, 1000 + 4 * HOUR)
    assert due_times(TicketType.INQUIRY, Priority.LOW, 0.0) == (8 * HOUR, 96 * HOUR)
    assert len(SLA_TABLE) == len(TicketType) * len(Priority)
    order = [Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT]
    for tt in TicketType:
        slas = [SLA_TABLE[(tt, p)] for p in order]
        assert all(0 < s.response < s.resolution for s in slas)
        # a higher priority never gets a later deadline
        assert [s.resolution for s in slas] == sorted((s.resolution for s in slas), reverse=True)
        assert [s.response for s in slas] == sorted((s.response for s in slas), reverse=True)


def _ticket(**kw: object) -> TicketClock:
    base: dict[str, object] = dict(id=1, status=Status.ASSIGNED, created_at=0.0, response_due=HOUR,
                                   resolution_due=10 * HOUR, accepted_at=60.0, escalation_level=0)
    base.update(kw)
    return TicketClock(**base)  # type: ignore[arg-type]


def test_no_escalation_before_the_deadline() -> None:
    assert escalations_due([_ticket()], 10 * HOUR - 1) == []


def test_resolution_breach_escalates_to_lead_then_manager() -> None:
    t = _ticket()
    [e1] = escalations_due([t], 10 * HOUR)
    assert (e1.level, e1.reason, e1.breached_at) == (1, "resolution", 10 * HOUR)
    lvl1 = _ticket(escalation_level=1)
    assert escalations_due([lvl1], 10 * HOUR + MANAGER_AFTER * 10 * HOUR - 1) == []
    [e2] = escalations_due([lvl1], 10 * HOUR + MANAGER_AFTER * 10 * HOUR)
    assert e2.level == 2
    assert escalations_due([_ticket(escalation_level=2)], 100 * HOUR) == []


def test_unaccepted_ticket_escalates_at_the_response_deadline() -> None:
    [e] = escalations_due([_ticket(status=Status.NEW, accepted_at=None)], HOUR)
    assert (e.level, e.reason) == (1, "response")


def test_late_acceptance_still_counts_as_a_response_breach() -> None:
    [e] = escalations_due([_ticket(accepted_at=2 * HOUR)], 2 * HOUR)
    assert e.reason == "response"


def test_a_very_late_ticket_goes_straight_to_the_manager() -> None:
    [e] = escalations_due([_ticket()], 1000 * HOUR)
    assert e.level == 2


@pytest.mark.parametrize("status", [Status.RESOLVED, Status.CALLBACK, Status.CLOSED])
def test_done_tickets_never_escalate(status: Status) -> None:
    assert escalations_due([_ticket(status=status)], 1000 * HOUR) == []


def test_satisfaction_bounds_are_the_workflows_own_not_only_the_schemas() -> None:
    for score in (1, 5):
        assert next_status(Status.RESOLVED, Action.CALLBACK, Params(satisfaction=score)) is Status.CALLBACK
    for score in (0, -1, 6):
        with pytest.raises(IllegalTransition):
            next_status(Status.RESOLVED, Action.CALLBACK, Params(satisfaction=score))


def test_refusals_name_the_action_in_plain_english() -> None:
    refused = [(s, a) for s in Status for a in Action if (s, a) not in TRANSITIONS]
    assert refused
    for status, action in refused:
        with pytest.raises(IllegalTransition) as err:
            next_status(status, action, FULL)
        text = err.value.message
        assert "eed" not in text and "closeed" not in text, text
    with pytest.raises(IllegalTransition) as err:
        next_status(Status.CLOSED, Action.RESOLVE, FULL)
    assert "cannot be resolved" in err.value.message
