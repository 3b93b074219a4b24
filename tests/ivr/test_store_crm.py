"""Work items, survey answers (SQLite and PostgreSQL), the crm adapter and the funnel report."""

from __future__ import annotations

import pytest

from crm.models import Customer, CustomerPhone, Ticket
from crm.reader import CrmReader
from hotline.db import make_sessionmaker
from ivr.crm_directory import CrmDirectory
from ivr.directory import UNKNOWN_CALLER
from ivr.funnel import funnel, funnel_table
from ivr.store import IvrStore


async def test_work_items_listed_oldest_first_until_done(engine):
    store = IvrStore(engine)
    vm = await store.add_work_item(kind="voicemail", call_id="c1", caller_num="13800138000",
                                   caller_name="张安娜", number="13800138000", queue="general",
                                   created_at=200.0, path="/rec/voicemail/vm-c1", duration_s=4.2)
    await store.add_work_item(kind="callback", call_id="c2", caller_num="13900139000",
                              number="13911112222", queue="sales", created_at=100.0)
    items = await store.list_work_items()
    assert [(i.kind, i.number) for i in items] == [("callback", "13911112222"), ("voicemail", "13800138000")]
    assert items[1].caller_name == "张安娜" and items[1].path == "/rec/voicemail/vm-c1"
    assert [i.call_id for i in await store.list_work_items(queue="sales")] == ["c2"]
    assert await store.mark_done(vm, by="1001", at=300.0)
    assert not await store.mark_done(vm, by="1002", at=301.0)  # already done
    assert [i.call_id for i in await store.list_work_items()] == ["c2"]
    assert len(await store.list_work_items(open_only=False)) == 2
    with pytest.raises(ValueError, match="voicemail or callback"):
        await store.add_work_item(kind="fax", call_id="c3", caller_num="1", number="1", queue="q", created_at=1.0)


async def test_survey_scores_per_agent(engine):
    store = IvrStore(engine)
    for call, score in (("c1", 5), ("c2", 2)):
        await store.add_survey_answer(call_id=call, agent="1001", question="agent", score=score, answered_at=1.0)
    assert await store.agent_scores("1001") == {"agent": (3.5, 2)}
    with pytest.raises(ValueError, match="1 to 5"):
        await store.add_survey_answer(call_id="c3", agent="1001", question="agent", score=6, answered_at=1.0)


async def test_crm_directory_reads_customers_and_tickets(sqlite_engine):
    sm = make_sessionmaker(sqlite_engine)
    async with sm() as s, s.begin():
        c = Customer(name="张安娜", vip_level=2, tags=["lang:en"], blacklisted=False, created_at=1.0, updated_at=1.0)
        s.add(c)
        await s.flush()
        s.add(CustomerPhone(customer_id=c.id, e164="+8613800138000"))
        t = Ticket(type="complaint", priority="high", status="assigned", title="噪音", created_by="1001",
                   customer_id=c.id, created_at=1.0, updated_at=1.0, response_due=2.0, resolution_due=3.0,
                   escalation_level=1)
        s.add(t)
        await s.flush()
        tid = t.id
    d = CrmDirectory(CrmReader(sqlite_engine))
    info = await d.lookup_caller("13800138000")
    assert (info.customer_id, info.vip, info.known, info.has_open_ticket, info.language) == (c.id, True, True, True, "en")
    assert await d.lookup_caller("13700000000") == UNKNOWN_CALLER
    status = await d.ticket_status(f"{tid:07d}")
    assert status is not None and status.status == "escalated"
    assert await d.ticket_status("99999") is None


def test_funnel_counts_entries_branches_and_abandons():
    def ev(call, kind, node, **data):
        return {"call_id": call, "kind": kind, "data": {"node": node, **data}}

    rows = [
        ev("a", "IVR_NODE", "main"), ev("a", "IVR_DIGIT", "main", digits="1"), ev("a", "IVR_NODE", "sales"),
        ev("a", "IVR_EXIT", "sales", to="queue"),
        ev("b", "IVR_NODE", "main"), ev("b", "IVR_TIMEOUT", "main"), ev("b", "IVR_HANGUP", "main"),
        ev("c", "IVR_NODE", "main"), ev("c", "IVR_INVALID", "main"), ev("c", "IVR_NODE", "_agent"),
        ev("c", "IVR_EXIT", "_agent", to="queue"),
        {"call_id": "a", "kind": "ENTERQUEUE", "data": {}},
    ]
    stats = funnel(rows)
    assert stats["main"].entered == 3 and stats["main"].abandoned == 1
    assert stats["main"].timeouts == 1 and stats["main"].invalid == 1
    assert dict(stats["main"].branches) == {"-> sales": 1, "-> _agent": 1}
    assert dict(stats["sales"].branches) == {"exit:queue": 1}
    assert funnel_table(stats)[0]["node"] == "main"
