"""Load a menu file: YAML → schema → cross-checks → :class:`MenuSet`.

Every problem is reported with its line (``MenuError.problems``); warnings (unreachable
nodes) do not stop the load. Checks beyond the schema: every node reference exists,
every hours/calendar name exists, every prompt has a text in every language (so
``hotline prompts build`` can render it: no silence), and no loop runs without input.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from ivr import schema as s
from ivr.hours import DAY_NAMES, Calendar, Hours, Range, parse_days, parse_range
from ivr.prompts import CATALOGUE, prompt_texts
from ivr.yamlmarks import YamlError, line_for, load_with_lines

AGENT_NODE = "_agent"  # the implicit fallback: a human in the default queue
LineOf = Callable[..., int]
PASS_THROUGH = (s.PlayNode, s.ConditionNode, s.SetLanguageNode, s.SetSkillsNode)


@dataclass(frozen=True, slots=True)
class Problem:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}" if self.line else self.reason


class MenuError(ValueError):
    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(f"{source}:{p.line}: {p.reason}" for p in problems))


@dataclass(frozen=True)
class MenuSet:
    """A validated, ready-to-run set of menus. Immutable: hot reload swaps the whole object."""

    file: s.MenuFile
    nodes: Mapping[str, s.Node]
    hours: Mapping[str, Hours]
    prompts: Mapping[str, Mapping[str, str]]
    source: str = "<memory>"
    warnings: tuple[Problem, ...] = ()
    lines: Mapping[str, int] = field(default_factory=dict)

    @property
    def defaults(self) -> s.Defaults:
        return self.file.defaults

    def entry(self, route: str) -> str:
        return self.file.entries.get(route, self.file.entries["ivr"])

    @property
    def fallback(self) -> str:
        return self.defaults.fallback or AGENT_NODE

    def fallback_for(self, node: s.Node) -> str:
        return getattr(node, "fallback", None) or self.fallback

    def zero_out_for(self, node: s.Node) -> str | None:
        if isinstance(node, s.SurveyNode) or getattr(node, "zero_out", None) is False:
            return None
        return self.defaults.zero_out or self.fallback


def load_menus(path: str | Path) -> MenuSet:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MenuError(str(p), [Problem(0, f"cannot read the menu file: {exc}")]) from exc
    return parse_menus(text, source=str(p))


def parse_menus(text: str, source: str = "<memory>") -> MenuSet:
    try:
        data, lines = load_with_lines(text)
    except YamlError as exc:
        raise MenuError(source, [Problem(exc.line, exc.reason)]) from exc
    if not isinstance(data, dict):
        raise MenuError(source, [Problem(1, "the menu file must be a mapping with entries: and nodes:")])
    try:
        mf = s.MenuFile.model_validate(data)
    except ValidationError as exc:
        problems = [Problem(line_for(e["loc"], lines), _reason(e)) for e in exc.errors()]
        raise MenuError(source, sorted(problems, key=lambda p: p.line)) from exc
    return _compile(mf, lines, source)


def _reason(err: object) -> str:
    e = dict(err)  # type: ignore[call-overload]
    where = ".".join(str(x) for x in e["loc"])
    msg = str(e["msg"]).removeprefix("Value error, ")
    if e["type"] == "missing":
        return f"{where}: this field is required"
    if e["type"] == "extra_forbidden":
        return f"{where}: unknown field (check the spelling)"
    if e["type"] == "union_tag_invalid":
        return f"{where}: unknown node type; use one of {msg.split('expected ')[-1]}"
    return f"{where}: {msg}"


def _compile(mf: s.MenuFile, lines: dict[tuple[str | int, ...], int], source: str) -> MenuSet:
    problems: list[Problem] = []
    nodes: dict[str, s.Node] = dict(mf.nodes)
    if mf.defaults.fallback is None:
        nodes.setdefault(AGENT_NODE, s.QueueNode(type="queue", queue=mf.defaults.queue,
                                                 prompt=("transfer_agent",)))

    def ln(*path: str | int) -> int:
        return line_for(path, lines)

    for route, target in mf.entries.items():
        if target not in nodes:
            problems.append(Problem(ln("entries", route), f"entry {route!r} names an unknown node {target!r}"))
    for key in ("fallback", "zero_out"):
        target = getattr(mf.defaults, key)
        if target is not None and target not in nodes:
            problems.append(Problem(ln("defaults", key), f"defaults.{key} names an unknown node {target!r}"))
    for nid, node in mf.nodes.items():
        for label, target in _references(node):
            if target not in nodes:
                problems.append(Problem(ln("nodes", nid, *label), f"node {nid!r}: {'.'.join(map(str, label))} "
                                        f"names an unknown node {target!r}"))
        if isinstance(node, s.ConditionNode) and node.hours and node.hours not in mf.hours:
            problems.append(Problem(ln("nodes", nid, "hours"), f"node {nid!r}: no hours named {node.hours!r}"))
    hours, hour_problems = _build_hours(mf, ln)
    problems += hour_problems
    texts = prompt_texts(mf.prompts)
    for where, pid in _prompt_uses(mf):
        for lang in mf.defaults.languages:
            if not texts.get(pid, {}).get(lang):
                problems.append(Problem(ln(*where), f"prompt {pid!r} has no {lang} text; add it under "
                                        f"prompts: or record {lang}/{pid}.wav and add its text"))
    problems += _loops(mf, nodes, ln)
    if problems:
        raise MenuError(source, sorted(problems, key=lambda p: p.line))
    warnings = [Problem(ln("nodes", nid), f"node {nid!r} cannot be reached from any entry")
                for nid in mf.nodes if nid not in _reachable(mf, nodes)]
    return MenuSet(mf, nodes, hours, texts, source, tuple(warnings),
                   {nid: ln("nodes", nid) for nid in mf.nodes})


def successors(node: s.Node) -> list[str]:
    return [t for _, t in _references(node)]


def edges(node: s.Node) -> list[tuple[str, str]]:
    """``(how, target)`` of every reference: ``("next", "main")``, ``("choices.1", "sales")``."""
    return [(".".join(map(str, label)), t) for label, t in _references(node)]


def _references(node: s.Node) -> Iterator[tuple[tuple[str | int, ...], str]]:
    for attr in ("next", "then", "fallback"):
        target = getattr(node, attr, None)
        if isinstance(target, str):
            yield (attr,), target
    if isinstance(node, s.ConditionNode):
        yield ("else",), node.else_
    if isinstance(node, s.MenuNode):
        for digit, target in node.choices.items():
            yield ("choices", digit), target


def _reachable(mf: s.MenuFile, nodes: Mapping[str, s.Node]) -> set[str]:
    todo = list(mf.entries.values())
    todo += [t for t in (mf.defaults.fallback, mf.defaults.zero_out, AGENT_NODE) if t]
    seen: set[str] = set()
    while todo:
        nid = todo.pop()
        if nid in seen or nid not in nodes:
            continue
        seen.add(nid)
        todo.extend(successors(nodes[nid]))
    return seen


def _loops(mf: s.MenuFile, nodes: Mapping[str, s.Node], ln: LineOf) -> list[Problem]:
    """A cycle through nodes that never wait for the caller would spin forever."""
    problems: list[Problem] = []
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done

    def visit(nid: str, stack: list[str]) -> None:
        state[nid] = 1
        for nxt in successors(nodes[nid]):
            if nxt not in nodes or not isinstance(nodes[nxt], PASS_THROUGH):
                continue
            if state.get(nxt) == 1:
                cycle = [*stack[stack.index(nxt):], nxt]
                problems.append(Problem(ln("nodes", nxt), "these nodes loop without waiting for the "
                                        f"caller: {' -> '.join(cycle)}; put a menu in the loop"))
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[nid] = 2

    for nid, node in nodes.items():
        if isinstance(node, PASS_THROUGH) and nid not in state:
            visit(nid, [nid])
    return problems


def _prompt_uses(mf: s.MenuFile) -> Iterator[tuple[tuple[str | int, ...], str]]:
    for key in ("timeout_prompt", "invalid_prompt"):
        for pid in getattr(mf.defaults, key):
            yield ("defaults", key), pid
    for nid, node in mf.nodes.items():
        for attr in ("prompt", "timeout_prompt", "invalid_prompt", "thanks_prompt", "confirm_prompt",
                     "enter_prompt", "not_found_prompt", "status_prompt"):
            for pid in getattr(node, attr, None) or ():
                yield ("nodes", nid, attr), pid
        if isinstance(node, s.SurveyNode):
            for i, q in enumerate(node.questions):
                for pid in q.prompt:
                    yield ("nodes", nid, "questions", i, "prompt"), pid
    for pid in CATALOGUE:  # prompts the interpreter plays by itself (ticket states, transfer)
        if pid.startswith("ticket_st_") or pid in ("transfer_agent", "cb_intro", "goodbye"):
            yield (), pid


def _build_hours(mf: s.MenuFile, ln: LineOf) -> tuple[dict[str, Hours], list[Problem]]:
    problems: list[Problem] = []
    calendars: dict[str, Calendar] = {}
    for name, spec in mf.calendars.items():
        holidays: dict[date, str] = {}
        for i, h in enumerate(spec.holidays):
            end = h.to or h.from_
            if end < h.from_ or (end - h.from_).days > 366:
                problems.append(Problem(ln("calendars", name, "holidays", i), f"holiday {h.name or h.from_}: "
                                        "'to' must be on or after 'from' and within a year"))
                continue
            d = h.from_
            while d <= end:
                holidays[d] = h.name
                d += timedelta(days=1)
        calendars[name] = Calendar(name, holidays, frozenset(spec.workdays))
    hours: dict[str, Hours] = {}
    for name, hs in mf.hours.items():
        try:
            weekly: dict[int, tuple[Range, ...]] = {}
            for days, ranges in hs.weekly.items():
                for day in parse_days(days):
                    weekly[day] = tuple(parse_range(r) for r in ranges)
            special = {d: tuple(parse_range(r) for r in ranges if r != "closed")
                       for d, ranges in hs.special.items()}
        except ValueError as exc:
            problems.append(Problem(ln("hours", name), f"hours {name!r}: {exc}"))
            continue
        if hs.calendar and hs.calendar not in calendars:
            problems.append(Problem(ln("hours", name, "calendar"), f"hours {name!r}: no calendar named {hs.calendar!r}"))
            continue
        try:
            zone = ZoneInfo(s.check_zone(hs.timezone) if hs.timezone else mf.timezone)
        except ValueError as exc:
            problems.append(Problem(ln("hours", name, "timezone"), f"hours {name!r}: {exc}"))
            continue
        hours[name] = Hours(name, zone, weekly, calendars.get(hs.calendar or ""), special,
                            DAY_NAMES.index(hs.makeup_as))
    return hours, problems
