"""Test users for the CRM routes (an ``X-Test-User`` header stands in for the console's auth)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Header, HTTPException


@dataclass(frozen=True)
class HeaderUser:
    id: int
    username: str
    role: str
    team_ids: frozenset[int] = frozenset()


async def header_user(x_test_user: Annotated[str | None, Header()] = None) -> HeaderUser:
    """``X-Test-User: 7:li:agent:1,2`` -> user 7 'li', role agent, teams {1, 2}."""
    if not x_test_user:
        raise HTTPException(401, "sign in")
    uid, name, role, *teams = x_test_user.split(":")
    team_ids = frozenset(int(t) for t in teams[0].split(",") if t) if teams else frozenset()
    return HeaderUser(int(uid), name, role, team_ids)


def as_user(uid: int, name: str, role: str, teams: str = "") -> dict[str, str]:
    return {"X-Test-User": f"{uid}:{name}:{role}:{teams}"}


AGENT = as_user(7, "li", "agent", "1")
AGENT2 = as_user(8, "wu", "agent", "2")
LEAD = as_user(3, "wang", "team_lead", "1")
SUPERVISOR = as_user(2, "zhao", "supervisor")
QA = as_user(5, "qian", "qa")
ADMIN = as_user(1, "root", "admin")
