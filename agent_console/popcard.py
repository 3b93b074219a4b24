"""The screen pop: what an agent sees the moment a call is offered to them."""

from __future__ import annotations

from typing import Any

from acd.events import CallOffered

MAX_INTERACTIONS = 5


def build_pop(event: CallOffered, card: dict[str, Any] | None, error: str | None = None) -> dict[str, Any]:
    """Frame for the agent's console.

    ``card`` is what ``screen_pop_lookup`` returned, e.g.::

        {"customer": {"id": 7, "name": "张安娜", "vip": true, ...} | None,
         "open_tickets": [{"id": 3, "subject": "...", "status": "open"}, ...],
         "interactions": [{"at": 1.8e9, "kind": "call", "summary": "..."}, ...]}

    A missing customer makes the pop an "unknown caller" card with a create action.
    """
    card = card or {}
    customer = card.get("customer")
    if customer is not None and not isinstance(customer, dict):
        customer = None
    tickets = card.get("open_tickets") or []
    interactions = card.get("interactions") or card.get("last_interactions") or []
    return {
        "type": "screen_pop",
        "call_id": event.call_id,
        "agent": event.agent,
        "caller_num": event.caller_num,
        "caller_name": event.caller_name or (customer or {}).get("name") or "",
        "customer": customer,
        "known": customer is not None,
        "customer_id": (customer or {}).get("id", event.customer_id),
        "number": card.get("number") or event.caller_num,
        "region": card.get("region"),
        "open_tickets": list(tickets)[:20],
        "interactions": list(interactions)[:MAX_INTERACTIONS],
        "ivr_path": list(event.ivr_path),
        "skills": list(event.skills),
        "queue": event.queue,
        "waited_s": round(event.waited_s, 1),
        "offered_at": event.at,
        "lookup_error": error,
    }
