"""Tracker events -> call_events rows, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from hotline.clock import ManualClock
from hotline.db import CallEvent
from hotline.eventlog import CallEventLog
from hotline.events import EventBus
from pbx.ami.codec import AmiDecoder
from pbx.calllog import CallLogWriter
from pbx.tracker import CallTracker
from pbx.transcripts import ami_files, received_stream


def _feed(tracker: CallTracker, data: bytes) -> None:
    for msg in AmiDecoder().feed(data):
        tracker.feed(msg)


async def test_02a_rows_per_call(engine, transcripts_dir):
    (path,) = [p for p in ami_files(transcripts_dir) if p.name.startswith("ami-02a")]
    data = received_stream(path)
    # the IVR would have set our call id on the caller: inject that VarSet after Newchannel
    marker = b"Event: DTMFBegin"
    at = data.index(marker)
    varset = (b"Event: VarSet\r\nPrivilege: dialplan,all\r\nTimestamp: 1795354546.0\r\n"
              b"Channel: PJSIP/hotline-trunk-00000002\r\nUniqueid: 1795354545.3\r\n"
              b"Linkedid: 1795354545.3\r\nVariable: HOTLINE_CALL_ID\r\nValue: C-42\r\n\r\n")
    data = data[:at] + varset + data[at:]
    bus, clock = EventBus(), ManualClock()
    tracker = CallTracker(bus, clock)
    log = CallEventLog(engine, clock)
    CallLogWriter(bus, log, tracker)
    _feed(tracker, data)
    await log.flush()
    async with engine.connect() as conn:
        rows = (await conn.execute(select(CallEvent).order_by(CallEvent.id))).all()
    kinds = [r.kind for r in rows]
    assert kinds[0] == "CHAN_START" and kinds[-1] == "CALL_END"
    for kind in ("ANSWER", "DIAL", "DIAL_END", "ORIGINATE", "BRIDGE", "MERGE", "RECORDING", "HANGUP"):
        assert kind in kinds, kind
    merged_at = next(r.ts for r in rows if r.kind == "MERGE")
    assert {r.call_id for r in rows if r.ts >= merged_at} == {"C-42"}  # the agent leg too
    assert {r.call_id for r in rows if r.uniqueid == "1795354545.3" and r.ts >= 1795354546.0} == {"C-42"}
    hangups = {r.uniqueid: r.data["cause"] for r in rows if r.kind == "HANGUP"}
    assert hangups == {"1795354545.3": 16, "1795354549.4": 16}
    end = rows[-1]
    assert end.data["legs"] == ["1795354545.3", "1795354549.4"] and end.data["cause"] == 16
    first_agent = next(r for r in rows if r.uniqueid == "1795354549.4")
    assert first_agent.call_id == "1795354549.4"  # before BridgeEnter: its own linkedid
