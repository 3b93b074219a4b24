"""Small edits of a menu file's text that keep everything else, comments included: add or
remove one holiday of a calendar. Pure (text in, text out).

A holiday is one line in the flow style the default file uses::

    calendars:
      cn:
        holidays:
          - {from: 2026-10-01, to: 2026-10-07, name: 国庆节 National Day}

The edited text is parsed again and must hold exactly the intended change; a file laid out
otherwise (block-style holidays, ``holidays: []``) is refused with a sentence saying to edit
it in the menu editor instead, so an edit never lands somewhere it was not meant to.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from ivr.yamlmarks import YamlError, load_with_lines


class EditError(ValueError):
    """The edit cannot be made on this text; the message says what to do."""


def _holidays(text: str, calendar: str) -> tuple[list[Any], dict[tuple[str | int, ...], int], list[str]]:
    try:
        data, lines = load_with_lines(text)
    except YamlError as exc:
        raise EditError(f"The menu file is not valid YAML ({exc}); fix it in the menu editor first.") from exc
    cal = (data or {}).get("calendars", {}).get(calendar) if isinstance(data, dict) else None
    if not isinstance(cal, dict):
        raise EditError(f"There is no calendar {calendar!r} in the menu file.")
    items = cal.get("holidays") or []
    return items, lines, text.splitlines(keepends=True)


def _one_line(lines: list[str], i: int) -> bool:
    line = lines[i].strip()
    return line.startswith("- {") and line.split("#")[0].rstrip().endswith("}")


def _check(text: str, calendar: str, expected: list[Any]) -> str:
    got, _, _ = _holidays(text, calendar)
    if got != expected:
        raise EditError("This calendar's holidays are not one line each; edit them in the menu editor.")
    return text


def add_holiday(text: str, calendar: str, first: date, last: date | None, name: str) -> str:
    """``text`` with one more holiday at the end of ``calendar``'s list."""
    items, where, lines = _holidays(text, calendar)
    if not items:
        raise EditError(f"Calendar {calendar!r} has no holiday yet; add the first one in the menu editor.")
    anchor = where[("calendars", calendar, "holidays", len(items) - 1)] - 1
    if not _one_line(lines, anchor):
        raise EditError("This calendar's holidays are not one line each; edit them in the menu editor.")
    indent = lines[anchor][: len(lines[anchor]) - len(lines[anchor].lstrip())]
    to = f", to: {last.isoformat()}" if last and last != first else ""
    new = {"from": first, **({"to": last} if to else {}), "name": name}
    entry = f"{indent}- {{from: {first.isoformat()}{to}, name: {json.dumps(name, ensure_ascii=False)}}}\n"
    if not lines[anchor].endswith("\n"):
        lines[anchor] += "\n"
    lines.insert(anchor + 1, entry)
    return _check("".join(lines), calendar, [*items, new])


def remove_holiday(text: str, calendar: str, index: int) -> str:
    """``text`` without the ``index``-th holiday (0-based) of ``calendar``."""
    items, where, lines = _holidays(text, calendar)
    if not 0 <= index < len(items):
        raise EditError(f"Calendar {calendar!r} has no holiday number {index + 1}.")
    at = where[("calendars", calendar, "holidays", index)] - 1
    if not _one_line(lines, at) or len(items) == 1:
        raise EditError("This holiday is not on a line of its own (or is the last one); "
                        "edit it in the menu editor.")
    del lines[at]
    return _check("".join(lines), calendar, items[:index] + items[index + 1:])
