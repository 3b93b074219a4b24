"""Admin REST for the voice menus: read the menu file, check an edit, publish it; the
business hours and holidays the file defines. Mounted by the runtime::

    app.include_router(build_router(RequireRole("admin"), holder, clock, audit=audit))

``audit(actor, action, detail)`` is awaited after every published change (the console's
audit log, wired by the runtime).

A check answers the same lines and reasons as ``hotline ivr check``. A publish with
problems is a 422 whose ``detail`` lists them (``{"line": 12, "msg": reason, ...}``) and
leaves the file and the menus in force untouched (:meth:`MenuHolder.publish`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path
from pydantic import BaseModel, Field

from hotline.clock import Clock
from ivr.hours import DAY_NAMES
from ivr.loader import AGENT_NODE, MenuError, MenuSet, Problem, edges, parse_menus
from ivr.menu_edits import EditError, add_holiday, remove_holiday
from ivr.reload import MenuHolder
from ivr.yamlmarks import YamlError, line_for, load_with_lines

MAX_MENU_CHARS = 512 * 1024  # a menu file is a few hundred lines; this is a paste gone wrong
Audit = Callable[[str, str, str], Awaitable[None]]
CalendarName = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.-]{1,64}$")]
_REFUSED: dict[int | str, dict[str, Any]] = {422: {"description": "the text has problems (detail: line and "
                                                   "reason of each); nothing was published"}}


class MenuText(BaseModel):
    text: str = Field(..., min_length=1, max_length=MAX_MENU_CHARS)


class HolidayIn(BaseModel):
    from_: date = Field(alias="from")
    to: date | None = None
    name: str = Field("", max_length=100)


class ProblemOut(BaseModel):
    line: int
    reason: str


class GraphNode(BaseModel):
    id: str
    type: str
    line: int
    detail: str = ""  # the queue of a queue node, the service of a self-service node ...


class GraphEdge(BaseModel):
    source: str
    target: str
    via: str  # next, else, fallback, choices.1 ...


class Graph(BaseModel):
    entries: dict[str, str]
    nodes: list[GraphNode]
    edges: list[GraphEdge]


class CheckOut(BaseModel):
    ok: bool
    warnings: list[ProblemOut] = []
    graph: Graph


class MenuOut(BaseModel):
    path: str
    text: str
    nodes: int
    languages: list[str]
    reloads: int
    warnings: list[ProblemOut]
    graph: Graph
    rejected: list[ProblemOut] = []  # a file edit on disk the server refused (old menus in force)


class HoursOut(BaseModel):
    name: str
    line: int
    timezone: str
    calendar: str | None
    weekly: dict[str, list[str]]
    special: dict[str, list[str]]
    open_now: bool
    next_days: list[dict[str, Any]]  # {"day": "2026-10-01", "ranges": [], "kind": "holiday"}


class CalendarOut(BaseModel):
    name: str
    line: int
    holidays: list[dict[str, str]]
    workdays: list[str]


class HoursPage(BaseModel):
    hours: list[HoursOut]
    calendars: list[CalendarOut]


def _problems(items: tuple[Problem, ...] | list[Problem]) -> list[ProblemOut]:
    return [ProblemOut(line=p.line, reason=p.reason) for p in items]


def graph_of(menus: MenuSet) -> Graph:
    nodes, out_edges = [], []
    for nid, node in menus.nodes.items():
        detail = str(getattr(node, "queue", None) or getattr(node, "service", None) or
                     getattr(node, "number", None) or getattr(node, "test", None) or "")
        nodes.append(GraphNode(id=nid, type=node.type, line=menus.lines.get(nid, 0), detail=detail))
        out_edges += [GraphEdge(source=nid, target=t, via=via) for via, t in edges(node)]
    if menus.defaults.fallback is None:  # the implicit fallback, so the preview shows where it goes
        out_edges += [GraphEdge(source=nid, target=AGENT_NODE, via="fallback")
                      for nid, node in menus.nodes.items()
                      if "fallback" in type(node).model_fields and not getattr(node, "fallback", None)
                      and nid != AGENT_NODE]
    return Graph(entries=dict(menus.file.entries), nodes=nodes, edges=out_edges)


def _refusal(exc: MenuError) -> HTTPException:
    detail = [{"loc": ["body", "text"], "line": p.line, "msg": p.reason, "type": "menu_error"}
              for p in exc.problems]
    return HTTPException(422, detail=detail)


def hours_page(menus: MenuSet, text: str, now: float) -> HoursPage:
    try:
        _, lines = load_with_lines(text)
    except YamlError:
        lines = {}
    out = []
    for name, spec in menus.file.hours.items():
        h = menus.hours[name]
        today = h.local(now).date()
        days = []
        for i in range(7):
            d = today + timedelta(days=i)
            kind = "special" if d in h.special else (h.calendar.kind(d).value if h.calendar else
                                                     ("weekend" if d.weekday() >= 5 else "workday"))
            days.append({"day": d.isoformat(), "weekday": DAY_NAMES[d.weekday()], "kind": kind,
                         "holiday": h.calendar.holidays.get(d, "") if h.calendar else "",
                         "ranges": [f"{r.start:%H:%M}-{'24:00' if r.end is None else f'{r.end:%H:%M}'}"
                                    for r in h.ranges_on(d)]})
        out.append(HoursOut(name=name, line=line_for(("hours", name), lines), timezone=str(h.zone),
                            calendar=spec.calendar, weekly={k: list(v) for k, v in spec.weekly.items()},
                            special={d.isoformat(): list(v) for d, v in spec.special.items()},
                            open_now=h.is_open(now), next_days=days))
    cals = [CalendarOut(name=name, line=line_for(("calendars", name), lines),
                        holidays=[{"from": x.from_.isoformat(), "to": (x.to or x.from_).isoformat(),
                                   "name": x.name} for x in c.holidays],
                        workdays=[d.isoformat() for d in c.workdays])
            for name, c in menus.file.calendars.items()]
    return HoursPage(hours=out, calendars=cals)


def build_router(require_admin_dep: Any, holder: MenuHolder, clock: Clock, *,
                 audit: Audit | None = None) -> APIRouter:
    r = APIRouter(prefix="/api/admin/ivr", tags=["ivr admin"], dependencies=[Depends(require_admin_dep)])
    def admin_dep() -> Any:  # the signed-in admin (FastAPI runs require_admin_dep once per request)
        return Depends(require_admin_dep)

    async def audited(admin: Any, action: str, detail: str) -> None:
        if audit is not None:
            await audit(str(getattr(admin, "username", "?")), action, detail)

    def menu_out() -> MenuOut:
        menus = holder.get()
        rejected = _problems(holder.last_error.problems) if holder.last_error else []
        return MenuOut(path=str(holder.path), text=holder.text(), nodes=len(menus.file.nodes),
                       languages=list(menus.defaults.languages), reloads=holder.reloads,
                       warnings=_problems(menus.warnings), graph=graph_of(menus), rejected=rejected)

    @r.get("/menu", response_model=MenuOut)
    async def get_menu() -> MenuOut:
        """The menu file and the graph of the menus in force."""
        return menu_out()

    @r.post("/check", response_model=CheckOut, responses=_REFUSED)
    async def check(body: MenuText) -> CheckOut:
        """Validate a text without publishing it: the graph and warnings, or 422 with the problems."""
        try:
            menus = parse_menus(body.text, source="<edit>")
        except MenuError as exc:
            raise _refusal(exc) from exc
        return CheckOut(ok=True, warnings=_problems(menus.warnings), graph=graph_of(menus))

    @r.put("/menu", response_model=MenuOut, responses=_REFUSED)
    async def publish(body: MenuText, admin: Any = admin_dep()) -> MenuOut:
        """Validate and put the menus in force; with problems the old menus stay."""
        try:
            menus = holder.publish(body.text)
        except MenuError as exc:
            raise _refusal(exc) from exc
        await audited(admin, "ivr_publish", f"{len(menus.file.nodes)} nodes")
        return menu_out()

    async def edited(edit: Any, admin: Any, action: str, detail: str) -> HoursPage:
        try:
            holder.publish(edit(holder.text()))
        except EditError as exc:
            raise HTTPException(409, detail=str(exc)) from exc
        except MenuError as exc:
            raise _refusal(exc) from exc
        await audited(admin, action, detail)
        return hours_page(holder.get(), holder.text(), clock.now())

    @r.post("/calendars/{calendar}/holidays", response_model=HoursPage, status_code=201,
            responses={**_REFUSED, 409: {"description": "the file's layout does not allow this edit"}})
    async def add(body: HolidayIn, calendar: CalendarName, admin: Any = admin_dep()) -> HoursPage:
        """Add a holiday (one line at the end of the calendar's list, comments kept); published at once."""
        if body.to is not None and body.to < body.from_:
            raise HTTPException(422, detail="The last day of a holiday is before its first day.")
        return await edited(lambda text: add_holiday(text, calendar, body.from_, body.to, body.name), admin,
                            "ivr_holiday_add", f"{calendar} {body.from_}..{body.to or body.from_} {body.name}")

    @r.delete("/calendars/{calendar}/holidays/{index}", response_model=HoursPage,
              responses={**_REFUSED, 409: {"description": "the file's layout does not allow this edit"}})
    async def remove(calendar: CalendarName, index: Annotated[int, Path(ge=0, le=10_000)],
                     admin: Any = admin_dep()) -> HoursPage:
        """Remove the calendar's holiday number ``index`` (0-based, as listed); published at once."""
        return await edited(lambda text: remove_holiday(text, calendar, index), admin,
                            "ivr_holiday_remove", f"{calendar} #{index}")

    @r.get("/hours", response_model=HoursPage)
    async def hours() -> HoursPage:
        """Business hours and holiday calendars of the menus in force, with the next 7 days."""
        return hours_page(holder.get(), holder.text(), clock.now())

    return r
