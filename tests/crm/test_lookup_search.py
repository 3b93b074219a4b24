from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.customers import create_customer, log_interaction
from crm.lookup import find_by_phone, screen_pop_card
from crm.models import Customer, Ticket
from crm.schemas import ActionIn, CustomerIn, InteractionIn, TicketIn
from crm.search import CustomerQuery, SearchError, TicketQuery, search_customers, search_tickets
from crm.sla import TicketType
from crm.tickets import act, open_ticket
from crm.workflow import Action


@pytest.fixture
async def data(session: AsyncSession, clock) -> dict[str, int]:
    anna = await create_customer(session, CustomerIn(name="张安娜", phones=["13800138000", "010-12345678"],
                                                     tags=["vip"]), actor="a", now=clock.now())
    bob = await create_customer(session, CustomerIn(name="Bob 100%_done", phones=["+1 650 253 0000"]),
                                actor="a", now=clock.now())
    for i in range(7):
        clock.advance(60)
        await log_interaction(session, InteractionIn(number="+8613800138000", call_id=f"c{i}", agent="li",
                                                     queue="sales", started_at=clock.now()))
    t1 = await open_ticket(session, TicketIn(type=TicketType.COMPLAINT, title="投诉", customer_id=anna.id),
                           actor="a", now=clock.now())
    t2 = await open_ticket(session, TicketIn(type=TicketType.INQUIRY, title="咨询", customer_id=anna.id),
                           actor="a", now=clock.now())
    await act(session, t2.id, Action.ACCEPT, ActionIn(), actor="a", now=clock.now())
    await act(session, t2.id, Action.ASSIGN, ActionIn(assignee="li"), actor="a", now=clock.now())
    await session.commit()
    return {"anna": anna.id, "bob": bob.id, "t1": t1.id, "t2": t2.id}


@pytest.mark.parametrize("raw", ["13800138000", "+86 138 0013 8000", "008613800138000",
                                 "013800138000", "(010)12345678", "+86 10 1234 5678", "sip:8613800138000@x"])
async def test_find_by_phone_in_any_format(session: AsyncSession, data: dict[str, int], raw: str) -> None:
    c = await find_by_phone(session, raw)
    assert c is not None and c.id == data["anna"]


async def test_unknown_and_garbage_numbers_find_nobody(session: AsyncSession, data: dict[str, int]) -> None:
    assert await find_by_phone(session, "13900139000") is None
    assert await find_by_phone(session, "anonymous") is None
    assert await find_by_phone(session, "' OR 1=1 --") is None


async def test_screen_pop_card_for_a_known_caller(session: AsyncSession, data: dict[str, int]) -> None:
    card = await screen_pop_card(session, "+86 138 0013 8000")
    assert card["known"] is True and card["customer"]["name"] == "张安娜"
    assert card["region"]["zh"] == "北京市" and card["number"] == "+8613800138000"
    assert {t["id"] for t in card["open_tickets"]} == {data["t1"], data["t2"]}
    assert [i["call_id"] for i in card["interactions"]] == ["c6", "c5", "c4", "c3", "c2"]


async def test_screen_pop_card_for_an_unknown_caller(session: AsyncSession, data: dict[str, int]) -> None:
    card = await screen_pop_card(session, "0755-26881234")
    assert card == {"known": False, "number": "+8675526881234",
                    "region": {"zh": "广东省深圳市", "en": "Shenzhen, Guangdong", "country": "CN"},
                    "open_tickets": [], "interactions": []}
    assert (await screen_pop_card(session, "anonymous"))["number"] == "anonymous"


async def test_search_customers_by_partial_chinese_name_and_phone(session: AsyncSession, data: dict[str, int]) -> None:
    items, total = await search_customers(session, CustomerQuery(name="安娜"))
    assert total == 1 and items[0].id == data["anna"]
    items, total = await search_customers(session, CustomerQuery(phone="0016502530000"))
    assert [c.id for c in items] == [data["bob"]]
    items, total = await search_customers(session, CustomerQuery(tag="vip"))
    assert [c.id for c in items] == [data["anna"]]


async def test_like_wildcards_in_input_match_literally(session: AsyncSession, data: dict[str, int]) -> None:
    assert (await search_customers(session, CustomerQuery(name="%")))[1] == 1  # only "Bob 100%_done"
    assert (await search_customers(session, CustomerQuery(name="_")))[0][0].id == data["bob"]
    assert (await search_customers(session, CustomerQuery(name="0%_d")))[1] == 1
    assert (await search_customers(session, CustomerQuery(name="a%a")))[1] == 0


INJECTIONS = ["' OR '1'='1", "'; DROP TABLE crm_customers; --", "\" OR 1=1 --", "张' UNION SELECT * FROM crm_audit --",
              "\\", "%' --", "1; DELETE FROM crm_tickets"]


@pytest.mark.parametrize("evil", INJECTIONS)
async def test_sql_injection_in_search_is_harmless(session: AsyncSession, data: dict[str, int], evil: str) -> None:
    assert await search_customers(session, CustomerQuery(name=evil)) == ([], 0)
    assert (await search_tickets(session, TicketQuery(assignee=evil)))[1] == 0
    with pytest.raises(SearchError):
        await search_tickets(session, TicketQuery(number=evil))
    with pytest.raises(SearchError):
        await search_customers(session, CustomerQuery(phone=evil))
    assert (await session.execute(select(func.count()).select_from(Customer))).scalar_one() == 2
    assert (await session.execute(select(func.count()).select_from(Ticket))).scalar_one() == 2


async def test_oversized_and_out_of_range_inputs_are_refused(session: AsyncSession, data: dict[str, int]) -> None:
    for q in (CustomerQuery(name="张" * 101), CustomerQuery(page=0), CustomerQuery(page_size=101),
              CustomerQuery(phone="1" * 5000)):
        with pytest.raises(SearchError):
            await search_customers(session, q)


async def test_search_tickets_by_number_status_assignee_phone(session: AsyncSession, data: dict[str, int]) -> None:
    items, _ = await search_tickets(session, TicketQuery(number=f"T{data['t1']:07d}"))
    assert [t.id for t in items] == [data["t1"]]
    items, _ = await search_tickets(session, TicketQuery(status=["assigned"]))
    assert [t.id for t in items] == [data["t2"]]
    items, _ = await search_tickets(session, TicketQuery(assignee="li"))
    assert [t.id for t in items] == [data["t2"]]
    items, total = await search_tickets(session, TicketQuery(phone="010 1234 5678", page_size=1))
    assert total == 2 and len(items) == 1
    items2, _ = await search_tickets(session, TicketQuery(phone="010 1234 5678", page_size=1, page=2))
    assert {items[0].id, items2[0].id} == {data["t1"], data["t2"]}
    with pytest.raises(SearchError, match="unknown status"):
        await search_tickets(session, TicketQuery(status=["bogus"]))
