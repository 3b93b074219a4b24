"""One call through the whole backend: simulated Asterisk -> FastAGI IVR (DTMF) -> ACD
over AMI -> console websockets, with consoles that logged in over HTTP.

The agent's console gets the CRM card (张安娜, her open ticket) while the agent's phone is
still ringing; the phone answers; the agent blind-transfers to a colleague (who gets the
pop) and wraps up with a disposition; the supervisor's websocket saw every state change
in order; the call-event log has the transfer and the wrap-up.
"""

from __future__ import annotations

from typing import Any

import pytest
from e2e_stack import ANNA, ANNA_TICKET, Stack, start_stack, wait_until

from pbx.sim import CallerScript
from pbx.sim.channels import UP


def _state(agent: str, state: str) -> Any:
    return lambda f: f["type"] == "agent_state" and f["agent"] == agent and f.get("state") == state


async def _agent(stack: Stack, user: str, *, ready: bool) -> tuple[str, Any]:
    token = await stack.login(user)
    console = await stack.console(token)
    assert (await stack.post(token, "/api/agent/login")).status_code == 200
    if ready:
        assert (await stack.post(token, "/api/agent/ready")).status_code == 200
    return token, console


async def run_call_flow(stack: Stack) -> None:
    sup = await stack.console(await stack.login("supervisor"))
    token, agent = await _agent(stack, "agent1001", ready=True)
    token2, agent2 = await _agent(stack, "agent1002", ready=False)
    await agent.wait_for(_state("a1001", "ready"))

    # What the agent's phone was doing at the moment each pop frame arrived (None: no leg yet).
    phone_at_pop: list[int | None] = []

    def look_at_phone(frame: dict[str, Any]) -> None:
        if frame["type"] == "screen_pop":
            legs = [c for c in stack.sim.channels.values() if c.name.startswith("PJSIP/agent1001-")]
            phone_at_pop.append(legs[0].state if legs else None)

    agent.on_frame.append(look_at_phone)
    await stack.call(CallerScript(caller_num=ANNA, caller_name="张安娜", dtmf=["1"], patience_s=300,
                                  talk_time_s=None))

    pop = await agent.wait_for(lambda f: f["type"] == "screen_pop", timeout=15)
    assert pop["agent"] == "a1001" and pop["known"] is True
    assert pop["customer"]["name"] == "张安娜" and pop["customer"]["id"] == stack.customer_id
    assert [t["title"] for t in pop["open_tickets"]] == [ANNA_TICKET]
    assert pop["queue"] == "sales" and pop["skills"] == ["sales"]
    assert pop["ivr_path"][-2:] == ["main", "sales"]  # the caller pressed 1 in the main menu
    # At offer time: the pop leaves with CallOffered, before the Originate (acd.service.offers),
    # so the agent's phone is not up yet (its leg may not even exist: no leg is None).
    assert phone_at_pop and phone_at_pop[0] != UP

    await agent.wait_for(_state("a1001", "on_call"), timeout=15)
    # the pop came before the call was connected, on the same socket
    assert agent.index(lambda f: f["type"] == "screen_pop") < agent.index(_state("a1001", "on_call"))
    call_id = pop["call_id"]
    connect = [r for r in await stack.log_rows(call_id, until="CONNECT") if r.kind == "CONNECT"]
    assert [(r.agent, r.queue) for r in connect] == [("a1001", "sales")]
    assert pop["offered_at"] <= connect[0].ts

    r = await stack.post(token, "/api/agent/call/transfer", {"kind": "agent", "target": "a1002"})
    assert r.status_code == 200, r.text
    await agent.wait_for(_state("a1001", "wrap_up"))
    pop2 = await agent2.wait_for(lambda f: f["type"] == "screen_pop", timeout=10)
    assert (pop2["agent"], pop2["call_id"], pop2["customer"]["name"]) == ("a1002", call_id, "张安娜")
    # the caller now talks to the second agent's phone
    await wait_until(lambda: any(c.name.startswith("PJSIP/agent1002-") and c.bridge is not None
                                 for c in stack.sim.channels.values()))

    codes = (await stack.http.get("/api/agent/codes", headers={"Authorization": f"Bearer {token}"})).json()
    disposition = codes["dispositions"][0]["code"]
    r = await stack.post(token, "/api/agent/wrap-up", {"disposition": disposition, "notes": "转给王强 / to Wang"})
    assert r.status_code == 200, r.text
    await agent.wait_for(lambda f: _state("a1001", "ready")(f) and f["previous"] == "wrap_up")
    await sup.wait_for(lambda f: _state("a1001", "ready")(f) and f["previous"] == "wrap_up")

    rows = await stack.log_rows(call_id, until="WRAPUP")
    kinds = [r.kind for r in rows]
    transfer = [r for r in rows if r.kind == "BLINDTRANSFER"]
    assert len(transfer) == 1 and transfer[0].agent == "a1001"
    assert transfer[0].data["extension"] == "1002"
    wrap = [r for r in rows if r.kind == "WRAPUP"]
    assert [(w.agent, w.data["disposition"], w.data["notes"]) for w in wrap] == [
        ("a1001", disposition, "转给王强 / to Wang")]
    assert kinds.index("ENTERQUEUE") < kinds.index("CONNECT") < kinds.index("BLINDTRANSFER") < kinds.index("WRAPUP")

    # The wrap-up reached the CRM: one interaction with the disposition and notes (issue 15).
    await stack.rt.eventlog.flush()
    await stack.rt.interactions.run_once()
    from sqlalchemy import select

    from crm.models import Interaction
    async with stack.rt.sessions() as s:
        its = (await s.scalars(select(Interaction).where(Interaction.call_id == call_id))).all()
    assert [(i.agent, i.disposition, i.notes) for i in its] == [("a1001", disposition, "转给王强 / to Wang")]
    assert its[0].answered_at is not None and its[0].ended_at == transfer[0].ts

    # The colleague who took the transfer is busy with it: on_call on both consoles.
    await agent2.wait_for(_state("a1002", "on_call"))
    await sup.wait_for(_state("a1002", "on_call"))
    # Every state change of both agents reached the supervisor, in the order the agents saw them.
    for console, agent_id in ((agent, "a1001"), (agent2, "a1002")):
        assert sup.states(agent_id) == console.states(agent_id), agent_id
    seen = sup.states("a1001")
    assert seen[seen.index("ready"):] == ["ready", "ringing", "on_call", "wrap_up", "ready"] or \
        seen[seen.index("ready"):] == ["ready", "reserved", "ringing", "on_call", "wrap_up", "ready"], seen
    assert sup.states("a1002")[-2:] == ["not_ready", "on_call"]


async def test_agent_gets_the_pop_while_ringing_answers_transfers_and_wraps_up(stack: Stack) -> None:
    await run_call_flow(stack)


async def test_unknown_caller_through_the_language_menu_gets_an_unknown_caller_pop(stack: Stack) -> None:
    token, agent = await _agent(stack, "agent1001", ready=True)
    await stack.call(CallerScript(caller_num="18612345678", caller_name="", dtmf=["2", "1"], patience_s=300,
                                  talk_time_s=2.0, lang="zh"))
    pop = await agent.wait_for(lambda f: f["type"] == "screen_pop", timeout=15)
    assert pop["known"] is False and pop["customer"] is None and pop["caller_num"] == "18612345678"
    assert pop["number"] == "+8618612345678"
    assert ["language", "lang_en", "main", "sales"] == pop["ivr_path"][-4:]
    await agent.wait_for(_state("a1001", "on_call"), timeout=15)
    await agent.wait_for(_state("a1001", "wrap_up"), timeout=15)  # the caller hung up after talking
    r = await stack.post(token, "/api/agent/wrap-up", {"disposition": "resolved"})
    assert r.status_code == 200, r.text
    await agent.wait_for(lambda f: _state("a1001", "ready")(f) and f["previous"] == "wrap_up")


@pytest.mark.slow
@pytest.mark.postgres
async def test_the_same_call_flow_on_postgresql(postgres_url: str, tmp_path) -> None:
    import uuid

    import asyncpg

    name = f"hotline_e2e_{uuid.uuid4().hex[:8]}"
    plain = postgres_url.replace("postgresql+asyncpg://", "postgresql://")
    admin = await asyncpg.connect(plain)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        stack = await start_stack(tmp_path, postgres_url.rsplit("/", 1)[0] + f"/{name}")
        try:
            await run_call_flow(stack)
        finally:
            await stack.stop()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
