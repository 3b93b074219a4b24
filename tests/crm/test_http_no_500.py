"""No 500 from the CRM API: a PATCH may leave a field out but may not set a required one
to null (422 naming the field; nullable fields can still be cleared); a clashing
department name is a 409."""

from __future__ import annotations

import httpx
import pytest
from crm_users import AGENT, SUPERVISOR


async def _ticket(client: httpx.AsyncClient) -> dict:
    r = await client.post("/crm/tickets", json={"type": "complaint", "title": "退款未到账",
                                                "description": "x"}, headers=AGENT)
    assert r.status_code == 201, r.text
    return r.json()


async def _customer(client: httpx.AsyncClient) -> dict:
    r = await client.post("/crm/customers", json={"name": "张安娜", "phones": ["13800138000"],
                                                  "email": "a@x.cn"}, headers=SUPERVISOR)
    assert r.status_code == 201, r.text
    return r.json()


@pytest.mark.parametrize("field", ["priority", "title"])
async def test_null_for_a_required_ticket_field_is_a_422_naming_it(client: httpx.AsyncClient, field: str) -> None:
    t = await _ticket(client)
    r = await client.patch(f"/crm/tickets/{t['id']}", json={field: None}, headers=AGENT)
    assert r.status_code == 422, r.text
    assert [d["loc"][-1] for d in r.json()["detail"]] == [field]
    after = (await client.get(f"/crm/tickets/{t['id']}", headers=AGENT)).json()
    assert after[field] == t[field]  # nothing lost


async def test_nullable_ticket_fields_can_still_be_cleared(client: httpx.AsyncClient) -> None:
    t = await _ticket(client)
    r = await client.patch(f"/crm/tickets/{t['id']}", json={"description": None}, headers=AGENT)
    assert r.status_code == 200, r.text
    assert r.json()["description"] is None


@pytest.mark.parametrize("field", ["name", "vip_level", "tags", "blacklisted", "phones"])
async def test_null_for_a_required_customer_field_is_a_422_naming_it(client: httpx.AsyncClient,
                                                                     field: str) -> None:
    c = await _customer(client)
    r = await client.patch(f"/crm/customers/{c['id']}", json={field: None}, headers=SUPERVISOR)
    assert r.status_code == 422, r.text
    assert [d["loc"][-1] for d in r.json()["detail"]] == [field]


async def test_nullable_customer_fields_can_still_be_cleared(client: httpx.AsyncClient) -> None:
    c = await _customer(client)
    r = await client.patch(f"/crm/customers/{c['id']}", json={"email": None}, headers=SUPERVISOR)
    assert r.status_code == 200, r.text
    assert r.json()["email"] is None


async def test_a_second_department_with_the_same_name_is_a_409(client: httpx.AsyncClient) -> None:
    from crm_users import ADMIN

    assert (await client.post("/crm/departments", json={"name": "财务部"}, headers=ADMIN)).status_code == 201
    r = await client.post("/crm/departments", json={"name": "财务部", "lead": "x"}, headers=ADMIN)
    assert r.status_code == 409 and "exists already" in r.json()["detail"]["message"]
    assert len((await client.get("/crm/departments", headers=ADMIN)).json()) == 1


@pytest.mark.parametrize("url,body", [
    ("/crm/interactions", {"started_at": 1.8e9, "agent_id": 2**70}),
    ("/crm/interactions", {"started_at": 1.8e9, "customer_id": 2**63}),
    ("/crm/tickets", {"type": "inquiry", "title": "x", "category_id": 2**40}),
    ("/crm/customers", {"name": "x", "owner_team_id": -5}),
])
async def test_ids_beyond_their_column_are_a_422_naming_the_field(client: httpx.AsyncClient, url: str,
                                                                  body: dict) -> None:
    r = await client.post(url, json=body, headers=SUPERVISOR)
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"][-1] in body
