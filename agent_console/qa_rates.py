"""QA rates over the organisation: per agent, group, team or the whole centre, the
leaderboard of one level of the team tree, an agent's trend, the CSV export. Read by the
QA routes and by ``hotline qa rates``.

Groups and teams are nodes of the console's team tree (``store.team_tree``, the tree the
reports' KPI leaderboards follow): ``group`` is the level ``group_lead`` (小组), ``team``
the level ``team_lead`` (班组). A node's figures are those of every agent of its subtree;
an agent in two teams counts in both. A limited scope (a team lead) sees the nodes whose
agents it sees, all of them: a node half outside the scope is left out rather than shown
with half its figures.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agent_console.scope import Scope, TeamNode
from agent_console.store import team_tree
from qa import evaluations as evs
from qa.models import QaEvaluation
from qa.scoring import Rates, Scored, rates

BY = ("agent", "group", "team", "centre")
LEVEL_OF = {"group": "group_lead", "team": "team_lead"}
LEVELS = ("agent", "group_lead", "team_lead", "supervisor", "manager")
CSV_COLUMNS = ("group", "period", "evaluations", "average_score", "fatal_failed", "fatal_evaluated",
               "fatal_item_rate", "non_fatal_failed", "non_fatal_evaluated", "non_fatal_item_rate",
               "fatal_evaluation_rate")
NO_AGENT = "(no agent)"


async def scored_in_scope(session: AsyncSession, scope: Scope, from_: float | None, to: float | None,
                          agent: str | None = None) -> tuple[list[QaEvaluation], dict[int, Scored]]:
    """Scored evaluations (scored at in [from_, to)) of the agents ``scope`` sees."""
    q = select(QaEvaluation).where(QaEvaluation.status.in_(sorted(evs.SCORED_STATES)))
    if from_ is not None:
        q = q.where(QaEvaluation.scored_at >= from_)
    if to is not None:
        q = q.where(QaEvaluation.scored_at < to)
    if agent is not None:
        q = q.where(QaEvaluation.agent == agent)
    rows = [e for e in (await session.execute(q.order_by(QaEvaluation.id))).scalars()
            if scope.agents is None or (e.agent and scope.sees_agent(e.agent))]
    return rows, await evs.scored_of(session, rows)


def visible_nodes(nodes: Iterable[TeamNode], scope: Scope, level: str) -> list[TeamNode]:
    return [n for n in nodes if n.level == level and n.agents
            and (scope.agents is None or n.agents <= scope.agents)]


def groups_by_agent(nodes: Iterable[TeamNode]) -> dict[str, list[str]]:
    """Agent -> the names of the nodes whose subtree holds them."""
    out: dict[str, list[str]] = {}
    for n in nodes:
        for a in n.agents:
            out.setdefault(a, []).append(n.name)
    return out


async def rate_rows(session: AsyncSession, scope: Scope, by: str, period: str,
                    from_: float | None = None, to: float | None = None) -> list[evs.RateRow]:
    if by not in BY:
        raise ValueError(f"Group by one of {', '.join(BY)}, not {by!r}.")
    if period not in evs.PERIODS:
        raise ValueError(f"The period is one of {', '.join(evs.PERIODS)}, not {period!r}.")
    rows, scored = await scored_in_scope(session, scope, from_, to)
    member_of: dict[str, list[str]] = {}
    if by in LEVEL_OF:
        member_of = groups_by_agent(visible_nodes(await team_tree(session), scope, LEVEL_OF[by]))

    def groups_of(agent: str | None) -> list[str]:
        if by == "centre":
            return ["centre"]
        if by == "agent":
            return [agent or NO_AGENT]
        return member_of.get(agent or "", [])  # not in a visible node of the level: in none

    return evs.rate_table(((e.agent, e.scored_at or 0.0, scored[e.id]) for e in rows), period, groups_of)


@dataclass(frozen=True, slots=True)
class BoardRow:
    rank: int | None
    key: str
    level: str
    parent: str | None
    agents: int
    rates: Rates


async def leaderboard(session: AsyncSession, scope: Scope, level: str, rank_by: str,
                      from_: float | None = None, to: float | None = None) -> list[BoardRow]:
    """Agents, or the teams of one level of the tree (each over its whole subtree), ranked."""
    if level not in LEVELS:
        raise ValueError(f"The level is one of {', '.join(LEVELS)}, not {level!r}.")
    rows, scored = await scored_in_scope(session, scope, from_, to)
    per_agent: dict[str, list[Scored]] = {}
    for e in rows:
        if e.agent:
            per_agent.setdefault(e.agent, []).append(scored[e.id])
    tree = await team_tree(session)
    names = {n.id: n.name for n in tree}
    keyed: list[tuple[str, Rates]] = []
    meta: dict[str, tuple[str | None, int]] = {}
    if level == "agent":
        for a, s in per_agent.items():
            keyed.append((a, rates(s)))
            meta[a] = (None, 1)
    else:
        for n in visible_nodes(tree, scope, level):
            keyed.append((n.name, rates(x for a in sorted(n.agents) for x in per_agent.get(a, ()))))
            meta[n.name] = (names.get(n.parent_id) if n.parent_id is not None else None, len(n.agents))
    return [BoardRow(rank, key, level, meta[key][0], meta[key][1], r)
            for rank, key, r in evs.ranked(keyed, rank_by)]


def to_csv(rows: Sequence[evs.RateRow], formulas: dict[str, str]) -> str:
    """UTF-8 with BOM (spreadsheet programs then read 张安娜 right); formulas last."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_COLUMNS)
    for r in rows:
        vals = {"group": r.group, "period": r.period, "evaluations": r.rates.evaluations,
                **{c: getattr(r.rates, c) for c in CSV_COLUMNS[3:]}}
        w.writerow(["" if (v := vals[c]) is None else (f"{v:.6f}" if isinstance(v, float) else v)
                    for c in CSV_COLUMNS])
    for k, f in formulas.items():
        w.writerow([f"# {k} = {f}"])
    return "\ufeff" + buf.getvalue()
