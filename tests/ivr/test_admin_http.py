"""The admin REST of the voice menus (ivr.http): a bad edit is refused with the lines and
reasons of ``hotline ivr check`` and changes nothing; a good one is written and in force."""

from __future__ import annotations

import re
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from hotline.clock import ManualClock
from ivr.cli import app as ivr_cli
from ivr.http import build_router
from ivr.reload import MenuHolder

DEFAULT = Path(__file__).resolve().parents[2] / "ivr" / "menus" / "default.yaml"
# Thursday 2026-10-01 10:00 in Shanghai: National Day, a holiday of the default calendar
HOLIDAY_10AM = datetime(2026, 10, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()
# Friday 2026-12-04 10:00: an ordinary working day
FRIDAY_10AM = datetime(2026, 12, 4, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()


@pytest.fixture
def menu_file(tmp_path: Path) -> Path:
    target = tmp_path / "menus.yaml"
    shutil.copy(DEFAULT, target)
    return target


@pytest.fixture
def holder(menu_file: Path) -> MenuHolder:
    return MenuHolder(menu_file)


def client(holder: MenuHolder, now: float = FRIDAY_10AM) -> TestClient:
    app = FastAPI()
    app.include_router(build_router(lambda: None, holder, ManualClock(now)))
    return TestClient(app)


def broken(text: str) -> str:
    """Two deliberate mistakes: a choice and a next to nodes that do not exist."""
    text = text.replace("choices: {1: sales, 2: support, 3: complaints, 4: ticket}",
                        "choices: {1: sales, 2: suport, 3: complaints, 4: ticket}")
    return text.replace("    language: zh\n    next: main\n", "    language: zh\n    next: mian\n", 1)


def cli_problems(tmp_path: Path, text: str) -> list[tuple[int, str]]:
    f = tmp_path / "edit.yaml"
    f.write_text(text, encoding="utf-8")
    r = CliRunner().invoke(ivr_cli, ["check", str(f)])
    assert r.exit_code == 1, r.output
    return [(int(m.group(1)), m.group(2)) for m in re.finditer(r":(\d+): error: (.*)", r.output)]


def test_a_bad_edit_is_refused_with_the_lines_ivr_check_gives_and_nothing_changes(holder, menu_file, tmp_path):
    before_text, before_menus = menu_file.read_text(encoding="utf-8"), holder.get()
    text = broken(before_text)
    expected = cli_problems(tmp_path, text)
    assert len(expected) == 2
    c = client(holder)
    for method, path in (("POST", "/api/admin/ivr/check"), ("PUT", "/api/admin/ivr/menu")):
        r = c.request(method, path, json={"text": text})
        assert r.status_code == 422, r.text
        assert [(d["line"], d["msg"]) for d in r.json()["detail"]] == expected
    assert menu_file.read_text(encoding="utf-8") == before_text  # the file is untouched
    assert holder.get() is before_menus  # the menus in force stay
    assert holder.check() is False  # and the watcher sees nothing new either


def test_a_good_edit_is_written_atomically_and_in_force_at_once(holder, menu_file):
    text = menu_file.read_text(encoding="utf-8").replace("timeout_s: 3\n", "timeout_s: 4\n", 1)
    r = client(holder).put("/api/admin/ivr/menu", json={"text": text})
    assert r.status_code == 200, r.text
    assert menu_file.read_text(encoding="utf-8") == text
    assert holder.get().nodes["language"].timeout_s == 4  # type: ignore[union-attr]
    assert r.json()["reloads"] == 1 and r.json()["rejected"] == []
    assert holder.check() is False  # published, not reloaded a second time by the watcher
    assert [p.name for p in menu_file.parent.iterdir()] == [menu_file.name]  # no temporary file left


def test_the_graph_has_every_node_and_the_edges_the_caller_can_take(holder):
    body = client(holder).get("/api/admin/ivr/menu").json()
    graph = body["graph"]
    assert graph["entries"]["ivr"] == "start"
    ids = {n["id"] for n in graph["nodes"]}
    assert {"start", "main", "sales", "_agent"} <= ids
    edges = {(e["source"], e["via"], e["target"]) for e in graph["edges"]}
    assert ("main", "choices.1", "sales") in edges and ("start", "else", "caller_language") in edges
    assert ("main", "fallback", "_agent") in edges  # the implicit fallback is shown too
    assert all(e["target"] in ids for e in graph["edges"])
    main = next(n for n in graph["nodes"] if n["id"] == "main")
    assert body["text"].splitlines()[main["line"] - 1].strip() == "main:"


def test_an_oversized_or_empty_text_is_a_422(holder):
    c = client(holder)
    assert c.put("/api/admin/ivr/menu", json={"text": ""}).status_code == 422
    assert c.put("/api/admin/ivr/menu", json={"text": "x" * (512 * 1024 + 1)}).status_code == 422


@pytest.mark.parametrize(("now", "open_now", "kind"), [(FRIDAY_10AM, True, "workday"),
                                                       (HOLIDAY_10AM, False, "holiday")])
def test_hours_show_open_now_and_the_next_days_with_holidays(holder, now, open_now, kind):
    page = client(holder, now).get("/api/admin/ivr/hours").json()
    office = next(h for h in page["hours"] if h["name"] == "office")
    assert office["open_now"] is open_now
    assert office["next_days"][0]["kind"] == kind
    assert office["weekly"]["mon-fri"] == ["09:00-18:00"]
    if kind == "holiday":
        assert office["next_days"][0]["ranges"] == [] and "国庆节" in office["next_days"][0]["holiday"]
    cn = next(c for c in page["calendars"] if c["name"] == "cn")
    assert {"from": "2026-10-01", "to": "2026-10-07", "name": "国庆节 National Day"} in cn["holidays"]
    assert holder.text().splitlines()[cn["line"] - 1].strip() == "cn:"


def test_a_holiday_added_and_removed_keeps_every_other_line_and_is_in_force(holder, menu_file):
    before = menu_file.read_text(encoding="utf-8")
    c = client(holder, FRIDAY_10AM)  # Friday 2026-12-04
    r = c.post("/api/admin/ivr/calendars/cn/holidays", json={"from": "2026-12-04", "name": "公司年会 Offsite"})
    assert r.status_code == 201, r.text
    office = next(h for h in r.json()["hours"] if h["name"] == "office")
    assert office["open_now"] is False and office["next_days"][0]["holiday"] == "公司年会 Offsite"
    after = menu_file.read_text(encoding="utf-8")
    added = [ln for ln in after.splitlines() if ln not in before.splitlines()]
    assert added == ['      - {from: 2026-12-04, name: "公司年会 Offsite"}']
    assert [ln for ln in after.splitlines() if ln != added[0]] == before.splitlines()  # comments and all
    cn = next(x for x in r.json()["calendars"] if x["name"] == "cn")
    r = c.delete(f"/api/admin/ivr/calendars/cn/holidays/{len(cn['holidays']) - 1}")
    assert r.status_code == 200, r.text
    assert menu_file.read_text(encoding="utf-8") == before
    assert holder.get().hours["office"].is_open(FRIDAY_10AM)


def test_holiday_edits_that_cannot_be_made_say_so_and_change_nothing(holder, menu_file):
    before = menu_file.read_text(encoding="utf-8")
    c = client(holder)
    r = c.post("/api/admin/ivr/calendars/nope/holidays", json={"from": "2026-12-04"})
    assert r.status_code == 409 and r.json()["detail"] == "There is no calendar 'nope' in the menu file."
    r = c.post("/api/admin/ivr/calendars/cn/holidays", json={"from": "2026-12-04", "to": "2026-12-01"})
    assert r.status_code == 422
    assert c.delete("/api/admin/ivr/calendars/cn/holidays/99").status_code == 409
    block = before.replace("      - {from: 2026-10-01, to: 2026-10-07, name: 国庆节 National Day}",
                           "      - from: 2026-10-01\n        to: 2026-10-07\n        name: 国庆节 National Day")
    holder.publish(block)
    r = c.post("/api/admin/ivr/calendars/cn/holidays", json={"from": "2026-12-04"})
    assert r.status_code == 409 and "menu editor" in r.json()["detail"]
    assert menu_file.read_text(encoding="utf-8") == block
