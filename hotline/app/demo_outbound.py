"""The demo's outbound: one progressive 回访 campaign running alongside the inbound traffic.

Its queue ``huifang`` is worked by the callback group (回访组, the demo's third agent, who
takes no inbound call) and, blended, by every other agent in a lower membership tier: they
get a campaign call only when none of their inbound queues has a caller waiting. The
simulated callees answer, are busy, ring out or are answering machines with the
probabilities of :data:`CALLEES`. Idempotent: a second run finds the campaign and keeps it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from acd.admin.schemas import MembershipIn
from acd.ports import ContactCenter
from hotline.events import EventBus
from outbound.campaign import CampaignConfig, Mode
from outbound.compliance import normalise
from outbound.models import OutboundCampaign, OutboundRecord
from outbound.service import write_config
from outbound.wrapup import campaign_call, codes_of, wrap_up_record
from pbx.sim.config import CalleeModel

CAMPAIGN = "demo-huifang"
QUEUE = "huifang"
QUEUE_DOC = dict(label_en="Callback (回访)", label_zh="回访", skills=["general"])
CALLBACK_GROUP = 2  # the index of the demo agent who works the campaign only
RECORDS = 60
CALLEES = CalleeModel(p_answer=0.6, p_machine=0.1, p_busy=0.15, answer_delay_s=(3.0, 8.0),
                      talk_time_s=(20.0, 60.0))


def memberships(i: int, inbound: dict[str, MembershipIn]) -> dict[str, MembershipIn]:
    """Agent ``i``'s queues: the callback group works the campaign only; the others get it
    in a lower tier than their inbound queues (inbound first)."""
    if i == CALLBACK_GROUP:
        return {QUEUE: MembershipIn(weight=1.0)}
    return {**inbound, QUEUE: MembershipIn(weight=1.0, priority=-1)}


async def seed_campaign(sessions: async_sessionmaker[AsyncSession], numbers: list[str],
                        names: dict[str, str] | None = None) -> None:
    """The running campaign with the last ``RECORDS`` demo customers as its list (with their
    CRM names, ``names`` by number as given)."""
    cfg = CampaignConfig(CAMPAIGN, Mode.PROGRESSIVE, QUEUE, "4008001234", hours="00:00-23:59",
                         dispositions=("done", "callback", "refused", "wrong_number"),
                         script="您好，这里是客服中心回访……")
    async with sessions() as s, s.begin():
        if (await s.execute(select(OutboundCampaign.id).where(OutboundCampaign.name == CAMPAIGN))).first():
            return
        camp = OutboundCampaign(name=cfg.name, state="running", created_at=time.time())
        write_config(camp, cfg)
        s.add(camp)
        await s.flush()
        for number in numbers[-RECORDS:]:
            s.add(OutboundRecord(campaign_id=camp.id, number=normalise(number), status="pending", attempts=0,
                                 name=(names or {}).get(number)))


class CampaignWrapUps:
    """The simulated agents' wrap-up of a campaign call, the console's way
    (:func:`outbound.wrapup.wrap_up_record`): one of the campaign's codes, on its record."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], center: ContactCenter,
                 bus: EventBus) -> None:
        self.sessions = sessions
        self.center = center
        self.bus = bus

    async def __call__(self, agent: str, call_id: str, choose: Callable[[Sequence[str]], str]) -> bool:
        async with self.sessions() as session:
            found = await campaign_call(session, call_id)
            if found is None:
                return False
            camp, rec = found
            await wrap_up_record(session, self.center, self.bus, agent, camp, rec, choose(codes_of(camp)))
            return True
