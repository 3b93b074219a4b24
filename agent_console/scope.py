"""Who may see whom. Pure: works on plain rows, no database access.

A team lead (of any rank: manager, supervisor, team lead, group lead) sees the
members of every team they lead and of every team below it in the tree. The roles
``supervisor`` and ``admin`` see everyone; an ``agent`` sees only themself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from acd.ports import CenterSnapshot

ALL_SEEING_ROLES = frozenset({"supervisor", "admin"})
MONITOR_ROLES = ("team_lead", "supervisor", "admin")


@dataclass(frozen=True, slots=True)
class Scope:
    """``agents is None`` means every agent; otherwise the ACD agent ids visible."""

    agents: frozenset[str] | None
    queues: frozenset[str] | None = None

    @property
    def everything(self) -> bool:
        return self.agents is None

    def sees_agent(self, agent: str) -> bool:
        return self.agents is None or agent in self.agents

    def sees_queue(self, queue: str) -> bool:
        return self.queues is None or queue in self.queues


def subtree(team_ids: Iterable[int], parents: dict[int, int | None]) -> set[int]:
    """The given teams and all their descendants. Tolerates cycles in bad data."""
    children: dict[int, list[int]] = {}
    for team, parent in parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(team)
    seen: set[int] = set()
    stack = list(team_ids)
    while stack:
        t = stack.pop()
        if t in seen:
            continue
        seen.add(t)
        stack.extend(children.get(t, ()))
    return seen


@dataclass(frozen=True, slots=True)
class TeamNode:
    """A team of the tree with the ACD agents of its whole subtree (its own members and
    those of every team below); an agent in two teams is in both nodes."""

    id: int
    name: str
    level: str
    parent_id: int | None
    agents: frozenset[str]


def team_nodes(teams: Iterable[tuple[int, str, str, int | None]],
               members: Iterable[tuple[int, str]]) -> list[TeamNode]:
    """``teams``: (id, name, level, parent id); ``members``: (team id, ACD agent id).
    The nodes in the order given, each with its subtree's agents."""
    teams = list(teams)
    parents = {t[0]: t[3] for t in teams}
    own: dict[int, set[str]] = {}
    for tid, agent in members:
        own.setdefault(tid, set()).add(agent)
    return [TeamNode(tid, name, level, parent,
                     frozenset(a for t in subtree([tid], parents) for a in own.get(t, ())))
            for tid, name, level, parent in teams]


def visible_user_ids(
    leader_id: int,
    leaders: dict[int, int | None],
    parents: dict[int, int | None],
    members: Iterable[tuple[int, int]],
) -> set[int]:
    """Users in the subtree of teams led by ``leader_id``.

    ``leaders``: team id -> leader user id; ``parents``: team id -> parent team id;
    ``members``: (team id, user id) pairs. Leaders of sub-teams are included too.
    """
    led = [t for t, lead in leaders.items() if lead == leader_id]
    teams = subtree(led, parents)
    users = {u for t, u in members if t in teams}
    users.update(lead for t, lead in leaders.items() if t in teams and lead is not None)
    users.discard(leader_id)
    return users


def queues_of(agents: frozenset[str], agent_queues: dict[str, tuple[str, ...]]) -> frozenset[str]:
    """A team lead's queues: every queue one of their agents serves."""
    return frozenset(q for a in agents for q in agent_queues.get(a, ()))


def scope_queues(scope: Scope, snap: CenterSnapshot) -> Scope:
    """Fill in the queues a limited scope covers (those its agents serve)."""
    if scope.agents is None:
        return scope
    agent_queues = {a.agent: a.queues for a in snap.agents}
    return Scope(agents=scope.agents, queues=queues_of(scope.agents, agent_queues))
