"""Demo data: queues, agents, console users and CRM customers. Idempotent (a second
run finds what the first created and adds nothing)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from acd.admin.schemas import AgentIn, MembershipIn, QueueIn
from acd.admin.store import save_agent, save_queue
from agent_console.models import Team, TeamMember, User
from agent_console.store import create_user, user_by_name
from crm.customers import create_customer
from crm.lookup import find_by_phone
from crm.schemas import CustomerIn
from hotline.app import demo_outbound

DEMO_PASSWORD = "demo-pass-2026"
QUEUES: dict[str, dict[str, Any]] = {
    "general": dict(label_en="General", label_zh="综合", skills=["general"]),
    "sales": dict(label_en="Sales", label_zh="销售", skills=["sales"], announce_every_s=30),
    "support": dict(label_en="Support", label_zh="技术支持", skills=["support"], min_proficiency=2,
                    relaxations=[{"after_s": 30, "min_proficiency": 1},
                                 {"after_s": 90, "alternative": ["general"]}]),
    "complaints": dict(label_en="Complaints", label_zh="投诉", skills=["complaints"],
                       recording={"mode": "all"}),
    "vip": dict(label_en="VIP", label_zh="贵宾", skills=["vip"],
                relaxations=[{"after_s": 20, "alternative": ["general"]}]),
}
_SKILLSETS = [
    {"general": 8, "sales": 9, "vip": 7},
    {"general": 7, "support": 9, "complaints": 6},
    {"general": 6, "sales": 5, "support": 4},
    {"general": 9, "complaints": 9, "vip": 8},
    {"general": 5, "support": 7},
    {"general": 7, "sales": 8, "complaints": 5},
]
_NAMES_ZH = ["王芳", "李强", "张伟", "刘敏", "陈杰", "杨丽", "赵磊", "黄婷", "周勇", "吴静"]
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华"


# Console users who are not agents: username -> (role, display name, sim phone endpoint).
# The supervisor and the team leads have phones so listen / whisper / barge ring somewhere.
MONITORS: dict[str, tuple[str, str, str | None]] = {
    "supervisor": ("supervisor", "孙主管 Supervisor", "sup9001"),
    "team_lead": ("team_lead", "李组长 Team lead A", "lead9002"),
    "team_lead_b": ("team_lead", "周组长 Team lead B", "lead9003"),
    "qa": ("qa", "钱质检 QA", None),
    "admin": ("admin", "Admin", None),
}
# Console teams: name -> (leader, level, parent); team-a / team-b are the ACD's team names.
TEAMS: dict[str, tuple[str, str, str | None]] = {
    "centre": ("supervisor", "supervisor", None),
    "team-a": ("team_lead", "team_lead", "centre"),
    "team-b": ("team_lead_b", "team_lead", "centre"),
}


def acd_team(i: int) -> str:
    return "team-a" if i % 2 else "team-b"


def monitor_phones() -> list[str]:
    """The sim phone endpoints of the demo's supervisor and team leads."""
    return [ext for _, _, ext in MONITORS.values() if ext]


@dataclass(frozen=True, slots=True)
class DemoAgent:
    agent_id: str
    extension: str
    name: str


def demo_agents(count: int) -> list[DemoAgent]:
    return [DemoAgent(f"a{1001 + i}", str(1001 + i), _NAMES_ZH[i % len(_NAMES_ZH)])
            for i in range(count)]


def demo_customer_numbers(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return ["13800138000"] + [f"139{rng.randrange(10**8):08d}" for _ in range(count - 1)]


async def seed(sessions: async_sessionmaker[AsyncSession], *, agents: int, customers: int,
               now: float) -> list[DemoAgent]:
    team = demo_agents(agents)
    async with sessions() as session, session.begin():
        for name, q in {**QUEUES, demo_outbound.QUEUE: demo_outbound.QUEUE_DOC}.items():
            await save_queue(session, name, QueueIn.model_validate({"wrap_up_s": 10, **q}), now)
        for i, a in enumerate(team):
            skills = _SKILLSETS[i % len(_SKILLSETS)]
            await save_agent(session, a.agent_id, AgentIn(
                name=a.name, endpoint=f"PJSIP/agent{a.extension}", skills=skills,
                languages=["zh", "en"] if i % 3 else ["zh"], teams=[acd_team(i)],
                queues=demo_outbound.memberships(i, {q: MembershipIn(weight=1.0) for q in QUEUES
                                                     if QUEUES[q]["skills"][0] in skills})))
    async with sessions() as session, session.begin():
        for a in team:
            if await user_by_name(session, f"agent{a.extension}") is None:
                await create_user(session, username=f"agent{a.extension}", password=DEMO_PASSWORD,
                                  role="agent", now=now, display_name=a.name, agent_id=a.agent_id,
                                  extension=a.extension)
        for username, (role, display, ext) in MONITORS.items():
            user = await user_by_name(session, username)
            if user is None:
                await create_user(session, username=username, password=DEMO_PASSWORD, role=role,
                                  now=now, display_name=display, language="zh",
                                  extension=f"PJSIP/{ext}" if ext else None)
            elif ext and not user.extension:  # a database from an older demo
                user.extension = f"PJSIP/{ext}"
    async with sessions() as session, session.begin():
        await _seed_teams(session, team)
    rng = random.Random(3)
    names: dict[str, str] = {}
    async with sessions() as session, session.begin():
        for i, number in enumerate(demo_customer_numbers(customers)):
            name = "张安娜" if i == 0 else rng.choice(_SURNAMES) + rng.choice(_GIVEN) + rng.choice(_GIVEN)
            if (known := await find_by_phone(session, number)) is not None:
                names[number] = known.name
                continue
            names[number] = name
            await create_customer(session, CustomerIn(
                name=name, phones=[number], vip_level=2 if i % 17 == 0 else 0,
                segment="retail", tags=["demo"]), actor="demo", now=now)
    await demo_outbound.seed_campaign(sessions, demo_customer_numbers(customers), names)
    return team


async def _seed_teams(session: AsyncSession, team: list[DemoAgent]) -> None:
    """Console teams that match the ACD's (``team-a`` / ``team-b``) under one centre, each led
    by its demo team lead, so a team lead sees exactly their agents."""
    by_name = {t.name: t for t in (await session.execute(select(Team))).scalars()}
    users = {u.username: u for u in (await session.execute(select(User))).scalars()}
    for name, (leader, level, parent) in TEAMS.items():
        t = by_name.get(name)
        if t is None:
            t = Team(name=name, level=level, leader_id=users[leader].id,
                     parent_id=by_name[parent].id if parent else None)
            session.add(t)
            await session.flush()
            by_name[name] = t
    have = {(m.team_id, m.user_id) for m in (await session.execute(select(TeamMember))).scalars()}
    for i, a in enumerate(team):
        user = users.get(f"agent{a.extension}")
        t = by_name[acd_team(i)]
        if user is not None and (t.id, user.id) not in have:
            session.add(TeamMember(team_id=t.id, user_id=user.id))


def demo_menu(source: Path, target: Path) -> Path:
    """The default menus, open around the clock (a demo at 3 a.m. should still route)."""
    doc = yaml.safe_load(source.read_text(encoding="utf-8"))
    for hours in doc.get("hours", {}).values():
        hours.pop("calendar", None)
        hours.pop("special", None)
        hours["weekly"] = {"mon-sun": "00:00-24:00"}
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target
