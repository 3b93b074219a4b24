"""The ACD's :class:`acd.ports.Recorder`: names the file in the store and indexes it.

Index rows go through the shared write-behind (one transaction with the ACD's agent
states, see ``hotline.writebehind``), so starting a recording costs the call path no
database round trip.
"""

from __future__ import annotations

from acd.ports import RecordingStart, leg_files
from hotline.writebehind import WriteBehind
from recordings.models import Recording
from recordings.store import RecordingStore


class StoreRecorder:
    def __init__(self, store: RecordingStore, rows: WriteBehind) -> None:
        self.store = store
        self.rows = rows

    def begin(self, start: RecordingStart) -> str:
        rel = self.store.name_for(start.call_id, start.uniqueid, start.started_at)
        full = self.store.resolve(rel)
        full.parent.mkdir(parents=True, exist_ok=True)
        agent, caller = leg_files(rel)
        self.rows.append(Recording, {
            "call_id": start.call_id, "uniqueid": start.uniqueid, "agent": start.agent,
            "queue": start.queue, "path": rel, "started_at": start.started_at,
            "policy": start.policy, "legs": {"layout": "legs", "agent": agent, "caller": caller}})
        return str(full)
