from __future__ import annotations

from typing import Any

import httpx
import pytest
from crm_users import ADMIN, AGENT, AGENT2, LEAD, QA, SUPERVISOR, as_user

from crm.policy import ROLE_TABLE, Perm, Role


async def _customer(client: httpx.AsyncClient, **kw: Any) -> dict[str, Any]:
    body = {"name": "张安娜", "phones": ["138 0013 8000"], **kw}
    r = await client.post("/crm/customers", json=body, headers=SUPERVISOR)
    assert r.status_code == 201, r.text
    return r.json()


async def _ticket(client: httpx.AsyncClient, headers: dict[str, str] = AGENT, **kw: Any) -> dict[str, Any]:
    r = await client.post("/crm/tickets", json={"type": "complaint", "title": "退款未到账", **kw}, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


async def test_unauthenticated_requests_are_refused(client: httpx.AsyncClient) -> None:
    assert (await client.get("/crm/customers")).status_code == 401


async def test_customer_crud_normalises_phones_and_audits(client: httpx.AsyncClient) -> None:
    c = await _customer(client, email="a@x.cn", tags=["vip"])
    assert [p["e164"] for p in c["phones"]] == ["+8613800138000"]
    assert c["phones"][0]["region_zh"] == "北京市"
    r = await client.patch(f"/crm/customers/{c['id']}", json={"address": "北京市朝阳区",
                                                               "phones": ["13800138000", "010-12345678"]},
                           headers=LEAD)
    assert r.status_code == 200 and len(r.json()["phones"]) == 2
    audit = (await client.get(f"/crm/customers/{c['id']}/audit", headers=QA)).json()
    assert [(a["action"], a["field"], a["actor"]) for a in audit] == [
        ("create", None, "zhao"), ("edit", "address", "wang"), ("edit", "phones", "wang")]
    found = (await client.get("/crm/customers", params={"phone": "+86 10 1234 5678"}, headers=AGENT)).json()
    assert found["total"] == 1 and found["items"][0]["id"] == c["id"]


async def test_bad_phone_and_duplicate_number_are_clear_errors(client: httpx.AsyncClient) -> None:
    r = await client.post("/crm/customers", json={"name": "x", "phones": ["12345"]}, headers=AGENT)
    assert r.status_code == 422 and "is not a phone number" in r.text
    await _customer(client)
    r = await client.post("/crm/customers", json={"name": "y", "phones": ["+8613800138000"]}, headers=AGENT)
    assert r.status_code == 409 and "already belongs to customer" in r.json()["detail"]["message"]


async def test_lookup_returns_the_screen_pop_card(client: httpx.AsyncClient) -> None:
    c = await _customer(client)
    await _ticket(client, customer_id=c["id"])
    card = (await client.get("/crm/lookup", params={"number": "008613800138000"}, headers=AGENT)).json()
    assert card["known"] and card["customer"]["id"] == c["id"] and len(card["open_tickets"]) == 1


async def test_ticket_workflow_over_rest_with_notifications(client: httpx.AsyncClient, notified: list) -> None:
    d = (await client.post("/crm/departments", json={"name": "财务部", "lead": "cfo_lead"}, headers=ADMIN)).json()
    t = await _ticket(client)
    tid = t["id"]
    assert t["number"] == f"T{tid:07d}" and t["allowed_actions"] == ["accept"]
    assert (await client.post(f"/crm/tickets/{tid}/accept", headers=AGENT)).json()["status"] == "accepted"
    r = await client.post(f"/crm/tickets/{tid}/assign", json={"department_id": d["id"], "assignee": "li"},
                          headers=LEAD)
    assert r.status_code == 200 and r.json()["status"] == "assigned"
    assert notified[-1][0] == "li" and notified[-1][1]["type"] == "crm.ticket.updated"
    for action, body in [("start", None), ("resolve", {"resolution": "已退款"}), ("callback", {"satisfaction": 4})]:
        r = await client.post(f"/crm/tickets/{tid}/{action}", json=body, headers=AGENT)
        assert r.status_code == 200, r.text
    r = await client.post(f"/crm/tickets/{tid}/close", headers=AGENT)
    assert r.status_code == 403 and r.json()["detail"]["message_zh"]
    detail = (await client.post(f"/crm/tickets/{tid}/close", headers=LEAD)).json()
    assert detail["status"] == "closed" and detail["satisfaction"] == 4
    assert [a["new"] for a in detail["audit"] if a["field"] == "status"] == [
        "new", "accepted", "assigned", "in_progress", "resolved", "callback", "closed"]


async def test_illegal_transition_answers_409_with_reason(client: httpx.AsyncClient) -> None:
    t = await _ticket(client)
    r = await client.post(f"/crm/tickets/{t['id']}/start", headers=LEAD)
    assert r.status_code == 409
    detail = r.json()["detail"]
    assert detail["code"] == "illegal_transition" and "allowed now: accept" in detail["message"]
    r = await client.post(f"/crm/tickets/{t['id']}/fly", headers=LEAD)
    assert r.status_code == 422


async def test_agents_may_only_touch_their_own_tickets(client: httpx.AsyncClient) -> None:
    t = await _ticket(client, headers=AGENT)
    assert (await client.post(f"/crm/tickets/{t['id']}/accept", headers=AGENT2)).status_code == 403
    assert (await client.patch(f"/crm/tickets/{t['id']}", json={"title": "x"}, headers=AGENT2)).status_code == 403
    assert (await client.patch(f"/crm/tickets/{t['id']}", json={"title": "新标题"}, headers=AGENT)).status_code == 200


async def test_agents_may_not_blacklist_or_edit_other_teams_customers(client: httpx.AsyncClient) -> None:
    c = await _customer(client, owner_team_id=1)
    assert (await client.patch(f"/crm/customers/{c['id']}", json={"blacklisted": True},
                               headers=AGENT)).status_code == 403
    assert (await client.patch(f"/crm/customers/{c['id']}", json={"notes": "x"}, headers=AGENT2)).status_code == 403
    assert (await client.patch(f"/crm/customers/{c['id']}", json={"notes": "x"}, headers=AGENT)).status_code == 200
    assert (await client.patch(f"/crm/customers/{c['id']}", json={"blacklisted": True},
                               headers=LEAD)).status_code == 200


def _allowed(perm: Perm) -> list[str]:
    return sorted(r.value for r in ROLE_TABLE[perm])


ROUTES = [  # (method, url, body, permission)
    ("GET", "/crm/customers", None, Perm.READ),
    ("GET", "/crm/tickets", None, Perm.READ),
    ("POST", "/crm/customers", {"name": "新客户"}, Perm.CREATE),
    ("POST", "/crm/tickets", {"type": "inquiry", "title": "问"}, Perm.CREATE),
    ("POST", "/crm/import/customers", None, Perm.IMPORT),
    ("GET", "/crm/export/customers.csv", None, Perm.EXPORT),
    ("POST", "/crm/departments", {"name": "部门"}, Perm.CONFIGURE),
    ("POST", "/crm/escalations/run", None, Perm.ESCALATE),
]


@pytest.mark.parametrize("role", [r.value for r in Role])
@pytest.mark.parametrize(("method", "url", "body", "perm"), ROUTES, ids=[r[1] + ":" + r[3] for r in ROUTES])
async def test_role_table_on_routes(client: httpx.AsyncClient, role: str, method: str, url: str,
                                    body: Any, perm: Perm) -> None:
    headers = as_user(40, f"u_{role}", role)
    files = {"file": ("c.csv", b"name,phones\n", "text/csv")} if "import" in url else None
    r = await client.request(method, url, json=body, files=files, headers=headers)
    if role in _allowed(perm):
        assert r.status_code in (200, 201), r.text
    else:
        assert r.status_code == 403, r.text
        assert r.json()["detail"]["code"] == "forbidden"


async def test_unknown_role_may_do_nothing(client: httpx.AsyncClient) -> None:
    assert (await client.get("/crm/customers", headers=as_user(9, "x", "hacker"))).status_code == 403


@pytest.mark.parametrize("params", [
    {"name": "' OR 1=1 --"}, {"name": "'; DROP TABLE crm_customers; --"}, {"phone": "1' OR '1'='1"},
    {"name": "%"}, {"tag": "\" OR \"\"=\""},
])
async def test_injection_through_the_api_is_harmless(client: httpx.AsyncClient, params: dict) -> None:
    await _customer(client)
    r = await client.get("/crm/customers", params=params, headers=AGENT)
    assert r.status_code in (200, 422)
    if r.status_code == 200:
        assert r.json()["total"] == 0
    assert (await client.get("/crm/customers", headers=AGENT)).json()["total"] == 1


@pytest.mark.parametrize(("url", "params"), [
    ("/crm/customers", {"name": "张" * 101}), ("/crm/customers", {"phone": "1" * 65}),
    ("/crm/customers", {"page_size": 1000}), ("/crm/customers", {"page": 0}),
    ("/crm/tickets", {"number": "T" + "9" * 50}), ("/crm/tickets", {"status": "bogus"}),
    ("/crm/tickets", {"assignee": "a" * 65}), ("/crm/lookup", {"number": "1" * 10_000}),
    ("/crm/customers/99999999999999999999999", {}),
])
async def test_oversized_inputs_answer_422(client: httpx.AsyncClient, url: str, params: dict) -> None:
    assert (await client.get(url, params=params, headers=AGENT)).status_code == 422


async def test_oversized_body_fields_answer_422(client: httpx.AsyncClient) -> None:
    r = await client.post("/crm/customers", json={"name": "x" * 201}, headers=AGENT)
    assert r.status_code == 422
    r = await client.post("/crm/customers", json={"name": "x", "phones": ["13800138000"] * 11}, headers=AGENT)
    assert r.status_code == 422


async def test_import_and_export_over_http(client: httpx.AsyncClient) -> None:
    csv_bytes = "name,phones\n张安娜,13800138000\n坏号码,123\n".encode("gbk")
    r = await client.post("/crm/import/customers", files={"file": ("c.csv", csv_bytes)},
                          params={"dry_run": "true"}, headers=ADMIN)
    assert r.json()["imported"] == 1 and r.json()["dry_run"] is True
    r = await client.post("/crm/import/customers", files={"file": ("c.csv", csv_bytes)}, headers=ADMIN)
    report = r.json()
    assert report["encoding"] == "gb18030" and report["imported"] == 1
    assert report["errors"] == [{"row": 3, "column": "phones", "reason": report["errors"][0]["reason"]}]
    out = await client.get("/crm/export/customers.csv", headers=SUPERVISOR)
    assert out.status_code == 200 and "张安娜,+8613800138000" in out.content.decode("utf-8-sig")


async def test_manual_escalation_notifies_the_named_person(client: httpx.AsyncClient, notified: list) -> None:
    t = await _ticket(client)
    assert (await client.post(f"/crm/tickets/{t['id']}/escalate", json={"to": "boss"}, headers=AGENT)).status_code == 403
    r = await client.post(f"/crm/tickets/{t['id']}/escalate", json={"to": "boss", "note": "客户第三次来电"},
                          headers=LEAD)
    assert r.json()["escalation_level"] == 1 and notified[-1][0] == "boss"


async def test_pages_are_served_and_unknown_pages_are_404(client: httpx.AsyncClient) -> None:
    for page in ("customer", "tickets", "ticket", "crm.js"):
        r = await client.get(f"/crm/ui/{page}")
        assert r.status_code == 200 and len(r.content) > 200
    assert (await client.get("/crm/ui/..%2Fmodels.py")).status_code == 404


async def test_category_tree_and_ticket_opened_from_an_interaction(client: httpx.AsyncClient) -> None:
    root = (await client.post("/crm/categories", json={"name_zh": "物流", "name_en": "Logistics"},
                              headers=ADMIN)).json()
    leaf = await client.post("/crm/categories", json={"parent_id": root["id"], "name_zh": "丢件",
                                                      "name_en": "Lost parcel"}, headers=ADMIN)
    assert leaf.status_code == 201 and leaf.json()["parent_id"] == root["id"]
    orphan = await client.post("/crm/categories", json={"parent_id": 999, "name_zh": "x", "name_en": "x"},
                               headers=ADMIN)
    assert orphan.status_code == 404
    c = await _customer(client)
    it = await client.post("/crm/interactions", json={
        "call_id": "1700000000.42", "number": "+86 138 0013 8000", "agent": "li", "queue": "complaints",
        "direction": "in", "started_at": 1.0, "answered_at": 5.0, "ended_at": 65.0,
        "disposition": "ticket", "recording_ref": "2026/11/22/1700000000.42.wav"}, headers=AGENT)
    assert it.status_code == 201 and it.json()["customer_id"] == c["id"]
    t = await _ticket(client, interaction_id=it.json()["id"], category_id=leaf.json()["id"])
    assert t["customer_id"] == c["id"] and t["category_id"] == leaf.json()["id"]
    calls = (await client.get(f"/crm/customers/{c['id']}/interactions", headers=QA)).json()
    assert calls[0]["call_id"] == "1700000000.42" and calls[0]["recording_ref"].endswith(".wav")
    r = await client.post("/crm/tickets", json={"type": "complaint", "title": "x", "interaction_id": 424242},
                          headers=AGENT)
    assert r.status_code == 404 and "no interaction" in r.json()["detail"]["message"]


async def test_outbound_callback_is_an_interaction(client: httpx.AsyncClient) -> None:
    await _customer(client)
    r = await client.post("/crm/interactions", json={"number": "13800138000", "direction": "out",
                                                     "kind": "callback", "agent": "li", "started_at": 9.0},
                          headers=AGENT)
    assert r.status_code == 201 and r.json()["kind"] == "callback" and r.json()["number"] == "+8613800138000"
    card = (await client.get("/crm/lookup", params={"number": "13800138000"}, headers=AGENT)).json()
    assert card["interactions"][0]["kind"] == "callback"
