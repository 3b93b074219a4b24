"""Every admin change is in the audit log with who, when, what and the before / after, and
the admin lists it (``GET /api/admin/audit``): users, teams, queues, agents and their skills,
skills, reason and disposition codes, the weekly business hours, holidays, IVR publish. A
refused change writes no row. The routers are mounted with the runtime's hooks
(agent_console.admin_audit)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from acd.admin.router import build_router as build_acd_admin
from agent_console.admin_audit import acd_audit, menu_audit
from agent_console.deps import RequireRole, get_session
from hotline.db import make_sessionmaker
from ivr.http import build_router as build_ivr_admin
from ivr.reload import MenuHolder

DEFAULT = Path(__file__).resolve().parents[2] / "ivr" / "menus" / "default.yaml"
QUEUE = {"label_en": "Sales", "label_zh": "销售", "skills": ["sales"], "wrap_up_s": 10}
AGENT = {"name": "Alice", "endpoint": "PJSIP/agent1001", "skills": {"sales": 5}, "queues": {"sales": {}}}


@pytest.fixture
def admin(console, tmp_path):
    shutil.copy(DEFAULT, tmp_path / "menus.yaml")
    holder = MenuHolder(tmp_path / "menus.yaml")
    console.app.include_router(build_acd_admin(RequireRole("admin"), get_session, audit=acd_audit(console.clock)))
    console.app.include_router(build_ivr_admin(RequireRole("admin"), holder, console.clock,
                                               audit=menu_audit(make_sessionmaker(console.engine), console.clock,
                                                                str(holder.path))))
    console.holder = holder  # type: ignore[attr-defined]
    return console


def call(c, method: str, path: str, body=None, user: str = "admin", lang: str = "en"):
    return c.client.request(method, path, json=body, headers={**c.auth(user), "Accept-Language": lang})


def log(c, action: str = "") -> list[dict]:
    r = call(c, "GET", f"/api/admin/audit?limit=1000&action={action}")
    assert r.status_code == 200, r.text
    return r.json()[::-1]  # oldest first


def test_acd_changes_are_audited_with_the_admin_and_before_after(admin) -> None:
    c = admin
    assert call(c, "PUT", "/api/admin/acd/queues/sales", QUEUE).status_code == 200
    c.clock.advance(5)
    assert call(c, "PUT", "/api/admin/acd/queues/sales", {**QUEUE, "wrap_up_s": 30}).status_code == 200
    assert call(c, "PUT", "/api/admin/acd/agents/1001", AGENT).status_code == 200
    assert call(c, "PUT", "/api/admin/acd/agents/1001", {**AGENT, "skills": {"sales": 9}}).status_code == 200
    assert call(c, "PUT", "/api/admin/acd/skills/sales", {"label_en": "Sales", "label_zh": "销售"}).status_code == 200
    assert call(c, "PUT", "/api/admin/acd/reason-codes/lunch", {"label_en": "Lunch", "label_zh": "午餐"}).status_code == 200
    assert call(c, "PUT", "/api/admin/acd/reason-codes/lunch", {"label_en": "Meal", "label_zh": "用餐"}).status_code == 200
    assert call(c, "PUT", "/api/admin/acd/disposition-codes/sold",
                {"label_en": "Sold", "label_zh": "成交"}).status_code == 200
    assert call(c, "DELETE", "/api/admin/acd/disposition-codes/sold").status_code == 204
    assert call(c, "DELETE", "/api/admin/acd/queues/sales").status_code == 204
    # refused: nothing written
    assert call(c, "PUT", "/api/admin/acd/agents/1002", {**AGENT, "skills": {"sales": 11}}).status_code == 422
    assert call(c, "DELETE", "/api/admin/acd/queues/nope").status_code == 404
    assert call(c, "PUT", "/api/admin/acd/queues/x", QUEUE, user="sup").status_code == 403

    rows = log(c, "acd_")
    assert [(r["actor"], r["action"], r["target"]) for r in rows] == [
        ("admin", "acd_queue_save", "sales"), ("admin", "acd_queue_save", "sales"),
        ("admin", "acd_agent_save", "1001"), ("admin", "acd_agent_save", "1001"),
        ("admin", "acd_skill_save", "sales"), ("admin", "acd_reason_code_save", "lunch"),
        ("admin", "acd_reason_code_save", "lunch"), ("admin", "acd_disposition_code_save", "sold"),
        ("admin", "acd_disposition_code_delete", "sold"), ("admin", "acd_queue_delete", "sales")]
    first, second = rows[0], rows[1]
    assert first["data"]["before"] is None and first["data"]["after"]["wrap_up_s"] == 10
    assert second["data"]["before"]["wrap_up_s"] == 10 and second["data"]["after"]["wrap_up_s"] == 30
    assert second["ts"] == first["ts"] + 5  # the console's clock
    assert rows[3]["data"]["before"]["skills"] == {"sales": 5} and rows[3]["data"]["after"]["skills"] == {"sales": 9}
    assert rows[6]["data"] == {"before": {"label_en": "Lunch", "label_zh": "午餐"},
                               "after": {"label_en": "Meal", "label_zh": "用餐"}}
    assert rows[8]["data"] == {"before": {"label_en": "Sold", "label_zh": "成交"}, "after": None}
    assert rows[9]["data"]["before"]["wrap_up_s"] == 30 and rows[9]["data"]["after"] is None
    assert call(c, "GET", "/api/admin/audit", user="sup").status_code == 403


def test_console_user_and_team_changes_are_audited(admin) -> None:
    c = admin
    r = call(c, "POST", "/api/admin/users", {"username": "dave", "password": "dave-pass-2026", "role": "agent"})
    assert r.status_code == 201, r.text
    uid = r.json()["id"]
    assert call(c, "PATCH", f"/api/admin/users/{uid}", {"role": "qa"}).status_code == 200
    r = call(c, "POST", "/api/admin/teams", {"name": "Night", "level": "team_lead"})
    assert r.status_code == 201, r.text
    assert call(c, "POST", f"/api/admin/teams/{r.json()['id']}/members", {"user_id": uid}).status_code == 200
    rows = [(x["action"], x["target"], x["from_value"], x["to_value"]) for x in log(c)
            if x["action"].startswith(("user_", "team_"))]
    assert rows == [("user_create", "dave", None, "agent"), ("user_set_role", "dave", "agent", "qa"),
                    ("team_create", "Night", None, "None"), ("team_add_member", "dave", None, "Night")]


def test_weekly_hours_holidays_and_menu_publish_are_audited(admin) -> None:
    c = admin
    weekly = {"mon": ["09:00-12:00", "13:00-18:00"], "sat": ["10:00-12:00"]}
    r = call(c, "PUT", "/api/admin/ivr/hours/office/weekly", {"weekly": weekly})
    assert r.status_code == 200, r.text
    office = next(h for h in r.json()["hours"] if h["name"] == "office")
    assert office["days"] == weekly
    assert 'mon: ["09:00-12:00", "13:00-18:00"]' in c.holder.text()
    assert call(c, "POST", "/api/admin/ivr/calendars/cn/holidays", {"from": "2026-12-24", "name": "x"}).status_code == 201
    assert call(c, "PUT", "/api/admin/ivr/menu", {"text": c.holder.text().replace("\n", "\n\n", 1)}).status_code == 200
    rows = log(c, "ivr_")
    assert [(x["actor"], x["action"]) for x in rows] == [
        ("admin", "ivr_hours_weekly"), ("admin", "ivr_holiday_add"), ("admin", "ivr_publish")]
    hours = rows[0]["data"]
    assert hours["before"] == {d: ["09:00-18:00"] for d in ("mon", "tue", "wed", "thu", "fri")} | {"sat": ["09:00-12:00"]}
    assert hours["after"] == weekly
    assert '+      mon: ["09:00-12:00", "13:00-18:00"]' in hours["diff"] and '-      mon-fri: "09:00-18:00"' in hours["diff"]
    assert "- {from: 2026-12-24, name: \"x\"}" in rows[1]["data"]["diff"]
    changed = [ln for ln in rows[2]["data"]["diff"].splitlines() if ln[:1] in "+-" and ln[:3] not in ("+++", "---")]
    assert changed == ["+"]  # the one blank line added


@pytest.mark.parametrize("lang,overlap,impossible", [
    ("en", "'13:00-18:00' overlaps '09:00-13:30' on the same day; join them or move one.",
     "'25:00-26:00' has an impossible time of day"),
    ("zh-CN", "'13:00-18:00' 与同一天的 '09:00-13:30' 重叠，请合并或调整其中一段。",
     "'25:00-26:00' 含有不存在的时刻（小时 0–24，分钟 0–59）")])
def test_a_bad_weekly_form_is_refused_per_day_and_range_in_the_ui_language(admin, lang, overlap, impossible) -> None:
    c = admin
    before = c.holder.text()
    r = call(c, "PUT", "/api/admin/ivr/hours/office/weekly",
             {"weekly": {"mon": ["09:00-13:30", "13:00-18:00"], "tue": ["25:00-26:00"]}}, lang=lang)
    assert r.status_code == 422
    assert [(d["day"], d["index"], d["msg"]) for d in r.json()["detail"]] == [("mon", 1, overlap), ("tue", 0, impossible)]
    assert c.holder.text() == before and log(c, "ivr_") == []
    r = call(c, "PUT", "/api/admin/ivr/hours/nope/weekly", {"weekly": {}}, lang=lang)
    assert r.status_code == 404
