"""Every role lands on a page it may use; page URLs never answer raw JSON; errors in zh."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from agent_console import messages, nav
from tests.console.conftest import USERS, Console

REPO = Path(__file__).resolve().parents[2]
HTML = {"accept": "text/html,application/xhtml+xml"}
EXPECTED_HOME = {"admin": "/admin", "sup": "/supervisor", "manager": "/supervisor", "lead": "/supervisor",
                 "alice": "/agent", "bob": "/agent", "carol": "/agent", "qa": "/qa"}


def _cookie_login(console: Console, username: str) -> dict:
    console.client.cookies.clear()
    r = console.client.post("/api/auth/login", json={"username": username, "password": _password()})
    assert r.status_code == 200, r.text
    return r.json()


def _password() -> str:
    from tests.console import conftest
    return conftest.PASSWORD


@pytest.mark.parametrize("username", sorted(USERS))
def test_each_role_lands_on_a_page_it_may_open_and_sees_only_its_links(console: Console, username: str) -> None:
    body = _cookie_login(console, username)
    assert body["home"] == EXPECTED_HOME[username]
    r = console.client.get("/", headers=HTML, follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, body["home"])
    landing = console.client.get(body["home"], headers=HTML, follow_redirects=False)
    assert landing.status_code == 200, (username, landing.status_code, landing.headers.get("location"))
    pages = console.client.get("/api/auth/pages").json()
    assert pages["home"] == body["home"]
    for link in pages["pages"]:  # every offered link opens
        assert console.client.get(link["path"], headers=HTML, follow_redirects=False).status_code == 200
        assert link["label_zh"] and link["label_en"]
    offered = {p["path"] for p in pages["pages"]}
    for page in nav.PAGES:  # every page not offered bounces to the landing page, never a 403 page
        if page.path not in offered:
            r = console.client.get(page.path, headers=HTML, follow_redirects=False)
            assert (r.status_code, r.headers["location"]) == (303, body["home"])


def test_qa_is_not_sent_to_the_agent_console(console: Console) -> None:
    _cookie_login(console, "qa")
    r = console.client.get("/agent", headers=HTML, follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/qa")
    assert "/agent" not in {p["path"] for p in console.client.get("/api/auth/pages").json()["pages"]}


def test_an_unknown_page_url_is_a_page_and_an_unknown_api_url_is_json(console: Console) -> None:
    page = console.client.get("/no/such/page", headers=HTML)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "页面不存在" in page.text and "Page not found" in page.text
    api = console.client.get("/api/no-such-thing", headers=HTML)
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}
    assert console.client.get("/no/such/page").headers["content-type"].startswith("application/json")


def test_error_messages_follow_accept_language(console: Console) -> None:
    bad = {"username": "alice", "password": "wrong-password-1"}
    en = console.client.post("/api/auth/login", json=bad)
    zh = console.client.post("/api/auth/login", json=bad, headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert en.status_code == zh.status_code == 401
    assert en.json()["detail"].startswith("Wrong username or password")
    assert zh.json()["detail"] == "用户名或密码错误，请检查后重试。"
    invalid = console.client.post("/api/auth/login", json={"username": "alice"},
                                  headers={"Accept-Language": "zh"})
    assert invalid.status_code == 422
    assert [d["msg"] for d in invalid.json()["detail"]] == ["必填项"]
    assert invalid.json()["detail"][0]["loc"] == ["body", "password"]
    _cookie_login(console, "alice")
    r = console.client.post("/api/agent/hold", headers={"X-Hotline-CSRF": "1", "Accept-Language": "zh-CN"})
    assert r.status_code >= 400
    assert re.search(r"[\u4e00-\u9fff]", r.json()["detail"]), r.json()


def _english_messages() -> list[str]:
    """Literal refusals the agent, supervisor and login pages can meet (f-string fields filled)."""
    out = []
    files = [*(REPO / "acd" / "service").glob("*.py"), *(REPO / "agent_console").rglob("*.py")]
    for f in files:
        src = f.read_text(encoding="utf-8")
        for m in re.finditer(r"(?:ContactCenterError|HTTPException)\((?:[^,()]*,\s*)?(?:detail=)?((?:f?\"[^\"]*\"\s*)+)",
                             src):
            parts = re.findall(r"f?\"([^\"]*)\"", m.group(1))
            text = "".join(parts)
            if not text or " " not in text:
                continue
            text = re.sub(r"\{exc\}", "boom", text)
            text = re.sub(r"\{[^}]*!r\}", "'x1'", text)
            text = re.sub(r"\{[^}]*\}", "7", text)
            out.append(text)
    return out


def test_every_refusal_the_pages_can_meet_has_a_chinese_wording() -> None:
    found = _english_messages()
    assert len(found) > 25, found
    missing = [m for m in found if messages.to_chinese(m) == m]
    assert not missing, missing
    _NOT_YOURS = "Agent {agent} is not in your teams; you can only act on agents you lead."
    assert messages.to_chinese(_NOT_YOURS.format(agent="1001")).startswith("坐席 1001 不在您的班组内")
