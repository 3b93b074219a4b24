"""Who may do what in the CRM: one table, read top to bottom. Pure.

Besides the role table, agents are scoped: they may change only tickets that are theirs
(assigned to them, or opened by them and not yet assigned) and customers that are theirs,
their team's, or nobody's.
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum
from typing import Protocol

from crm.workflow import Action


class Role(StrEnum):
    AGENT = "agent"
    TEAM_LEAD = "team_lead"
    SUPERVISOR = "supervisor"
    QA = "qa"
    ADMIN = "admin"


class Perm(StrEnum):
    READ = "read"  # customers, tickets, interactions, screen pop
    CREATE = "create"  # customers, tickets, interactions
    EDIT = "edit"  # change fields; accept, start, resolve, call back
    ASSIGN = "assign"  # 交办 / reassign
    ESCALATE = "escalate"  # manual 督办, run the escalation sweep
    CLOSE = "close"  # close and reopen
    FLAG = "flag"  # blacklist, VIP level, owner of a customer
    IMPORT = "import"
    EXPORT = "export"
    CONFIGURE = "configure"  # departments, categories


R = Role
_ALL = frozenset(Role)
_WORKERS = frozenset({R.AGENT, R.TEAM_LEAD, R.SUPERVISOR, R.ADMIN})
_LEADS = frozenset({R.TEAM_LEAD, R.SUPERVISOR, R.ADMIN})
_MANAGERS = frozenset({R.SUPERVISOR, R.ADMIN})

# perm         agent  team_lead  supervisor  qa  admin
# read           ✓       ✓          ✓        ✓    ✓
# create         ✓       ✓          ✓        -    ✓
# edit           ✓*      ✓          ✓        -    ✓     (* agents: their own only)
# assign         -       ✓          ✓        -    ✓
# escalate       -       ✓          ✓        -    ✓
# close          -       ✓          ✓        -    ✓
# flag           -       ✓          ✓        -    ✓
# import         -       -          ✓        -    ✓
# export         -       -          ✓        -    ✓
# configure      -       -          ✓        -    ✓
ROLE_TABLE: dict[Perm, frozenset[Role]] = {
    Perm.READ: _ALL,
    Perm.CREATE: _WORKERS,
    Perm.EDIT: _WORKERS,
    Perm.ASSIGN: _LEADS,
    Perm.ESCALATE: _LEADS,
    Perm.CLOSE: _LEADS,
    Perm.FLAG: _LEADS,
    Perm.IMPORT: _MANAGERS,
    Perm.EXPORT: _MANAGERS,
    Perm.CONFIGURE: _MANAGERS,
}

ACTION_PERM: dict[Action, Perm] = {
    Action.ACCEPT: Perm.EDIT,
    Action.ASSIGN: Perm.ASSIGN,
    Action.START: Perm.EDIT,
    Action.RESOLVE: Perm.EDIT,
    Action.CALLBACK: Perm.EDIT,
    Action.CLOSE: Perm.CLOSE,
    Action.REOPEN: Perm.CLOSE,
}

FLAG_FIELDS = frozenset({"blacklisted", "vip_level", "owner_agent_id", "owner_team_id"})


class UserLike(Protocol):
    """What the CRM needs to know about the signed-in user (the console provides it)."""

    @property
    def id(self) -> int: ...
    @property
    def username(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def team_ids(self) -> frozenset[int]: ...


class Denied(PermissionError):
    def __init__(self, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh


def allowed(role: str, perm: Perm) -> bool:
    try:
        return Role(role) in ROLE_TABLE[perm]
    except ValueError:
        return False  # an unknown role may do nothing


def require(user: UserLike, perm: Perm) -> None:
    if not allowed(user.role, perm):
        raise Denied(f"your role ({user.role}) may not {perm.value} here; ask a supervisor",
                     f"您的角色（{user.role}）无权执行“{perm.value}”，请联系主管")


def require_ticket(user: UserLike, perm: Perm, *, assignee: str | None, created_by: str) -> None:
    require(user, perm)
    if user.role == Role.AGENT and not (assignee == user.username
                                        or (assignee is None and created_by == user.username)):
        raise Denied("agents may change only their own tickets; ask your team lead to reassign it",
                     "坐席只能处理自己的工单，请联系组长改派")


def require_customer(user: UserLike, perm: Perm, *, owner_agent_id: int | None,
                     owner_team_id: int | None, fields: Collection[str] = ()) -> None:
    require(user, perm)
    if FLAG_FIELDS.intersection(fields):
        require(user, Perm.FLAG)
    if user.role != Role.AGENT:
        return
    mine = owner_agent_id == user.id or (owner_team_id is not None and owner_team_id in user.team_ids)
    if not mine and (owner_agent_id is not None or owner_team_id is not None):
        raise Denied("this customer belongs to another agent or team; ask its owner or your lead",
                     "该客户属于其他坐席或班组，请联系负责人或组长")
