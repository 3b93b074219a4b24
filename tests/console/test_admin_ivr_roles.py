"""The voice-menu admin routes, mounted as the runtime mounts them, are the admin's only;
a refusal of a menu edit is worded in the UI's language, with its line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agent_console import store
from agent_console.deps import RequireRole
from hotline.db import make_sessionmaker
from ivr.http import build_router
from ivr.reload import MenuHolder
from tests.console.conftest import USERS
from tests.console.test_auth import audit_rows

DEFAULT = Path(__file__).resolve().parents[2] / "ivr" / "menus" / "default.yaml"


@pytest.fixture
def menus(console, tmp_path):
    shutil.copy(DEFAULT, tmp_path / "menus.yaml")
    holder = MenuHolder(tmp_path / "menus.yaml")
    async def audit(actor: str, action: str, detail: str) -> None:  # as the runtime wires it
        async with make_sessionmaker(console.engine)() as session:
            await store.audit(session, now=console.clock.now(), actor=actor, action=action,
                              target=str(holder.path), to_value=detail)
            await session.commit()

    console.app.include_router(build_router(RequireRole("admin"), holder, console.clock, audit=audit))
    return holder


@pytest.mark.parametrize("path", ["/api/admin/ivr/menu", "/api/admin/ivr/hours"])
def test_only_the_admin_reads_the_menus(console, menus, path):
    console.client.cookies.clear()
    assert console.client.get(path).status_code == 401
    for username, (role, *_rest) in USERS.items():
        r = console.client.get(path, headers=console.auth(username))
        assert r.status_code == (200 if role == "admin" else 403), (username, r.status_code)


def test_a_refused_menu_edit_is_worded_in_chinese_with_its_line(console, menus):
    text = menus.text().replace("choices: {1: sales, 2: support, 3: complaints, 4: ticket}",
                                "choices: {1: sales, 2: suport, 3: complaints, 4: ticket}")
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "suport" in ln)
    for lang, msg in (("zh-CN", "节点 'main'：choices.2 指向不存在的节点 'suport'"),
                      ("en", "node 'main': choices.2 names an unknown node 'suport'")):
        r = console.client.put("/api/admin/ivr/menu", json={"text": text},
                               headers={**console.auth("admin"), "Accept-Language": lang})
        assert r.status_code == 422
        assert [(d["line"], d["msg"]) for d in r.json()["detail"]] == [(line, msg)]
    r = console.client.put("/api/admin/ivr/menu", json={"text": text}, headers=console.auth("alice"))
    assert r.status_code == 403


def test_published_menu_changes_are_audited_with_the_admin(console, menus):
    r = console.client.put("/api/admin/ivr/menu", json={"text": menus.text()}, headers=console.auth("admin"))
    assert r.status_code == 200
    r = console.client.post("/api/admin/ivr/calendars/cn/holidays", json={"from": "2026-12-24", "name": "x"},
                            headers=console.auth("admin"))
    assert r.status_code == 201
    rows = [(a.actor, a.action) for a in audit_rows(console) if a.action.startswith("ivr_")]
    assert rows == [("admin", "ivr_publish"), ("admin", "ivr_holiday_add")]
