"""An agent's wrap-up of a campaign call: one of the campaign's own disposition codes (not
the centre's), stored on the record, an optional callback-later, and
:class:`outbound.service.RecordDisposed` on the bus (the dialer dials the record again
then). The console's ``/api/agent/outbound/wrap-up`` and the demo's simulated agents both
wrap up through :func:`wrap_up_record`.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from acd.ports import ContactCenter
from hotline.events import EventBus
from outbound.models import OutboundCampaign, OutboundRecord
from outbound.service import RecordDisposed, parse_call_id


def codes_of(camp: OutboundCampaign) -> list[str]:
    """The campaign's disposition codes, in their configured order."""
    return camp.dispositions.split(";")


async def campaign_call(session: AsyncSession, call_id: str) -> tuple[OutboundCampaign, OutboundRecord] | None:
    """The campaign and record of a campaign call (``ob-<campaign>-<record>-<n>``), else None."""
    if not call_id.startswith("ob-"):
        return None
    names = (await session.execute(select(OutboundCampaign.name))).scalars().all()
    parsed = parse_call_id(call_id, names)
    if parsed is None:
        return None
    camp = (await session.execute(select(OutboundCampaign).where(
        OutboundCampaign.name == parsed[0]))).scalar_one_or_none()
    rec = await session.get(OutboundRecord, int(parsed[1]))
    if camp is None or rec is None or rec.campaign_id != camp.id:
        return None
    return camp, rec


async def wrap_up_record(session: AsyncSession, center: ContactCenter, bus: EventBus, agent: str,
                         camp: OutboundCampaign, rec: OutboundRecord, disposition: str, notes: str = "",
                         ticket_ref: str | None = None, callback_at: float | None = None) -> None:
    """Finish ``agent``'s wrap-up with ``disposition``, one of the campaign's codes (the ACD
    refuses any other with a ``ContactCenterError``); ``callback_at`` (epoch, checked by the
    caller against the calling hours) puts the record back in the list, due then."""
    await center.wrap_up(agent, disposition, notes, ticket_ref, codes=codes_of(camp))
    rec.disposition = disposition
    if callback_at is not None:
        rec.status, rec.next_at = "pending", callback_at
    await session.commit()
    bus.publish(RecordDisposed(camp.name, str(rec.id), disposition, callback_at))
