"""The invariants tying the service's tables to each other and to the router, checked.

The collaborators each own their tables (``CallBook`` by call id, caller uniqueid, agent
leg and agent; the router's agent and call records; transfers' consultations; conference
legs). Between two events (every handler runs to completion before the next), these hold:

1. a call found by its caller uniqueid is the call of that id, with that uniqueid;
2. a leg maps to a call that lists the leg, and every leg a live call lists maps back to it;
3. a call found by its agent is that agent's (``call.agent``);
4. a call ringing a leg names the agent rung and lists the leg;
5. every call the router knows (waiting or offered) is a live call of the book;
6. an offer the router made (call record with ``agent``) is the book's: same agent, a leg
   being rung, and the agent's record reserved or ringing for that call;
7. an agent the router holds reserved or ringing for a call has that call's offer;
8. a consultation or a conference leg belongs to a live call or a logged-in agent.

:func:`violations` returns what does not hold, one sentence each (empty: all hold). The
ACD's tests check it after every scenario (tests/acd_service/conftest.py) and a
hypothesis test drives random scenarios through it (tests/acd_service/test_invariants.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from acd.core.states import OFFERED_STATES, State

if TYPE_CHECKING:
    from acd.service.service import AcdService


def violations(service: AcdService) -> list[str]:
    book, router = service.book, service.router
    out: list[str] = []
    for uid, call in book.by_uniqueid.items():
        if book.by_id.get(call.call_id) is not call or call.uniqueid != uid:
            out.append(f"1: uniqueid {uid} maps to call {call.call_id}, which the book does not hold under it")
    for leg, call in book.by_leg.items():
        if leg not in call.legs:
            out.append(f"2: leg {leg} maps to call {call.call_id}, which does not list it")
    for call in book.by_id.values():
        for leg in call.legs:
            if book.by_leg.get(leg) is not call:
                out.append(f"2: call {call.call_id} lists leg {leg}, which does not map back to it")
        if call.leg is not None and (call.agent is None or call.leg not in call.legs):
            out.append(f"4: call {call.call_id} rings leg {call.leg} for agent {call.agent} without listing it")
    for agent, call in book.by_agent.items():
        if call.agent != agent:
            out.append(f"3: agent {agent} maps to call {call.call_id}, whose agent is {call.agent}")
    for cid, rec in router.calls.items():
        live = book.get(cid)
        if live is None:
            out.append(f"5: the router knows call {cid}, the book does not")
            continue
        if rec.agent is not None:
            arec = router.agents.get(rec.agent)
            if live.agent != rec.agent or live.leg is None:
                out.append(f"6: the router offered {cid} to {rec.agent}; the book rings "
                           f"{live.agent} on leg {live.leg}")
            if arec is None or arec.call_id != cid or arec.state not in OFFERED_STATES:
                out.append(f"6: the router offered {cid} to {rec.agent}, whose record is "
                           f"{arec.state.value if arec else 'missing'} for {arec.call_id if arec else None}")
    for aid, arec in router.agents.items():
        if arec.state in OFFERED_STATES:
            offered = router.calls.get(arec.call_id or "")
            if offered is None or offered.agent != aid:
                out.append(f"7: agent {aid} is {arec.state.value} for {arec.call_id}, which is not offered to it")
    for agent in service.transfers.consult:
        a = router.agents.get(agent)
        if a is None or a.state is State.LOGGED_OUT:
            out.append(f"8: agent {agent} consults while logged out")
    for leg, (cid, _target) in service.conferences.conf_legs.items():
        if book.get(cid) is None and not any(cid == c.call_id for c in book.by_agent.values()):
            out.append(f"8: conference leg {leg} belongs to call {cid}, which is gone")
    return out
