"""The CRM router mounted in the console, behind the console's sessions, and the real
CRM lookup feeding the screen pop."""

from __future__ import annotations

import importlib.util
import shutil

import pytest

from tests.console.conftest import make_console
from tests.console.wsutil import recv, recv_until

pytestmark = pytest.mark.skipif(importlib.util.find_spec("crm.http") is None, reason="crm.http is not there yet")


def crm_lookup(engine):
    from crm.lookup import screen_pop_card
    from hotline.db import make_sessionmaker

    sessions = make_sessionmaker(engine)

    async def lookup(number: str) -> dict:
        async with sessions() as session:
            return await screen_pop_card(session, number)

    return lookup


@pytest.fixture
def crm_console(seeded_db, tmp_path):
    src, tokens = seeded_db
    shutil.copy(src, tmp_path / "crm.db")
    yield from make_console(tmp_path / "crm.db", tokens, lookup_factory=crm_lookup)


def test_crm_routes_use_the_console_session(crm_console):
    c = crm_console.client
    assert c.get("/crm/customers").status_code == 401
    assert c.get("/crm/customers", headers=crm_console.auth("alice")).status_code == 200


async def _offer(center, number):
    center.offer_call("1001", "sales", number)


def test_screen_pop_carries_the_crm_customer(crm_console):
    c, h = crm_console.client, crm_console.auth("sup")
    r = c.post("/crm/customers", json={"name": "张安娜", "phones": ["+86 138 0013 8000"], "vip_level": 3}, headers=h)
    assert r.status_code == 201, r.text
    center = crm_console.center
    crm_console.run(lambda: center.login("1001", "PJSIP/a"))
    crm_console.run(lambda: center.set_ready("1001"))
    with c.websocket_connect("/ws", headers=crm_console.auth("alice")) as ws:
        recv(ws)
        crm_console.run(lambda: _offer(center, "13800138000"))
        pop = recv_until(ws, "screen_pop")
    assert pop["known"] is True and pop["customer"]["name"] == "张安娜"
    assert pop["customer"]["vip_level"] == 3 and pop["number"] == "+8613800138000"
