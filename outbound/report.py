"""The campaign report: its figures, counts by status / last result / disposition, and one
row per record. The CLI (``hotline outbound report``) and the console (JSON, CSV download)
both print this one report.

CSV columns (``CSV_COLUMNS``)::

    number,name,status,attempts,last_result,disposition,next_at
    +8613800138000,张三,pending,1,busy,,2026-12-07 10:30
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from outbound.models import OutboundRecord
from outbound.service import CampaignFigures, campaign_row, figures

CSV_COLUMNS = ("number", "name", "status", "attempts", "last_result", "disposition", "next_at")


@dataclass(frozen=True)
class RecordRow:
    number: str
    name: str | None
    status: str
    attempts: int
    last_result: str | None
    disposition: str | None
    next_at: float | None


@dataclass(frozen=True)
class CampaignReport:
    """``next_at`` of the rows: epoch seconds; the CSV writes them in ``zone``."""

    figures: CampaignFigures
    by_status: dict[str, int]
    by_result: dict[str, int]
    by_disposition: dict[str, int]
    records: list[RecordRow]

    def as_dict(self) -> dict[str, Any]:
        return {"figures": self.figures.as_dict(), "by_status": self.by_status, "by_result": self.by_result,
                "by_disposition": self.by_disposition, "records": [r.__dict__ for r in self.records]}

    def to_csv(self, zone: str) -> str:
        """The record rows (no BOM: the caller adds it for a download Excel opens)."""
        tz = ZoneInfo(zone)
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(CSV_COLUMNS)
        for r in self.records:
            due = "" if r.next_at is None else dt.datetime.fromtimestamp(r.next_at, tz).strftime("%Y-%m-%d %H:%M")
            w.writerow([r.number, r.name or "", r.status, r.attempts, r.last_result or "",
                        r.disposition or "", due])
        return buf.getvalue()


async def campaign_report(engine: AsyncEngine, name: str, now: float) -> CampaignReport:
    """CampaignError if there is no campaign ``name``."""
    async with async_sessionmaker(engine)() as s:
        row = await campaign_row(s, name)
        recs = (await s.execute(select(OutboundRecord).where(
            OutboundRecord.campaign_id == row.id).order_by(OutboundRecord.id))).scalars().all()
    (fig,) = await figures(engine, None, now, name)
    # a due time only for a record still to dial later: 0 / None is "now", and a record done
    # or refused keeps the time of its last retry plan, which no longer means anything
    rows = [RecordRow(r.number, r.name, r.status, r.attempts, r.last_result, r.disposition,
                      r.next_at if r.status == "pending" and r.next_at else None)
            for r in recs]
    return CampaignReport(
        figures=fig, by_status=dict(Counter(r.status for r in rows)),
        by_result=dict(Counter(r.last_result for r in rows if r.last_result)),
        by_disposition=dict(Counter(r.disposition for r in rows if r.disposition)), records=rows)
