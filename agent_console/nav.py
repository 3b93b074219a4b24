"""Which pages a role may use, where each role lands, and the links the pages show.

One table (:data:`PAGES`) decides all three, so a role never lands on a page that refuses
it and the navigation never offers a page the server would bounce. A feature page (QA,
reports, campaigns) is one more row here.
"""

from __future__ import annotations

from dataclasses import dataclass

from agent_console.scope import MONITOR_ROLES

ROLES = ("agent", "team_lead", "supervisor", "qa", "admin")


@dataclass(frozen=True, slots=True)
class Page:
    path: str
    roles: frozenset[str]
    label_en: str
    label_zh: str
    needs_agent_id: bool = False  # the page drives an ACD agent: the user must have one


PAGES: tuple[Page, ...] = (
    Page("/agent", frozenset({"agent", "team_lead"}), "Agent console", "坐席工作台", needs_agent_id=True),
    Page("/supervisor", frozenset(MONITOR_ROLES), "Supervisor monitor", "班长监控台"),
    Page("/reports", frozenset({"supervisor", "admin"}), "Reports", "报表"),
    Page("/outbound", frozenset({"supervisor", "admin"}), "Outbound campaigns", "外呼活动"),
    Page("/qa", frozenset({"qa", "team_lead", "supervisor", "admin"}), "Quality assurance", "质检"),
    Page("/admin", frozenset({"admin"}), "Administration", "系统管理"),
    Page("/my-evaluations", frozenset({"agent", "team_lead"}), "My evaluations", "我的质检", needs_agent_id=True),
    Page("/home", frozenset(ROLES), "My pages", "我的页面"),
)
# Where each role lands after sign-in: the first of its pages it may use, else /home.
LANDING: dict[str, tuple[str, ...]] = {
    "agent": ("/agent",), "team_lead": ("/supervisor", "/agent"), "supervisor": ("/supervisor",),
    "admin": ("/admin",), "qa": ("/qa",),
}


def may_use(page: Page, role: str, agent_id: str | None) -> bool:
    return role in page.roles and (not page.needs_agent_id or bool(agent_id))


def page_for(path: str) -> Page | None:
    return next((p for p in PAGES if p.path == path), None)


def pages_for(role: str, agent_id: str | None) -> list[Page]:
    return [p for p in PAGES if may_use(p, role, agent_id)]


def landing_for(role: str, agent_id: str | None) -> str:
    allowed = {p.path for p in pages_for(role, agent_id)}
    return next((path for path in LANDING.get(role, ()) if path in allowed), "/home")
