"""Contact lists from CSV, by the CRM import's rules: UTF-8 (with or without BOM) or
GBK/GB18030 detected by ``crm.csvio.decode``; every bad row reported as (row, column,
reason) with ``row`` the file's line number; good rows kept. One example file::

    电话,姓名,订单号
    13800138000,张三,A-1001

The number column is ``number`` (or 电话 / 手机 / 号码 / phone), ``name`` (姓名) is optional,
any other column is kept in ``extra`` for the agent's screen and the script.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.csvio import MAX_FILE_BYTES, CsvFileError, RowError, decode
from outbound.compliance import DncList, normalise
from outbound.models import OutboundCampaign, OutboundDnc, OutboundRecord

HEADER_ALIASES = {"电话": "number", "手机": "number", "号码": "number", "phone": "number",
                  "mobile": "number", "姓名": "name", "客户": "name"}


@dataclass(frozen=True)
class Contact:
    row: int
    number: str
    name: str | None
    extra: dict[str, str]


@dataclass
class ListReport:
    encoding: str
    rows: int = 0
    imported: int = 0
    contacts: list[Contact] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {"encoding": self.encoding, "rows": self.rows, "imported": self.imported,
                "rejected": len({e.row for e in self.errors}),
                "errors": [{"row": e.row, "column": e.column, "reason": e.reason}
                           for e in self.errors]}


def read_contacts(data: bytes) -> ListReport:
    """Pure part of the import: parse and validate; duplicates inside the file are errors."""
    if len(data) > MAX_FILE_BYTES:
        raise CsvFileError(f"the file is larger than {MAX_FILE_BYTES // 2**20} MB; split it")
    encoding, lines, bad = decode(data)
    reader = csv.reader(lines)
    try:
        header = [HEADER_ALIASES.get(h.strip().lower(), h.strip().lower()) for h in next(reader)]
    except StopIteration:
        raise CsvFileError("the file is empty; the first line must name the columns") from None
    if "number" not in header:
        raise CsvFileError("no 'number' (电话) column in the header; add one to the first line")
    report = ListReport(encoding)
    seen: dict[str, int] = {}
    start = reader.line_num + 1
    for values in reader:
        row, end = start, reader.line_num
        start = end + 1
        if not any(v.strip() for v in values):
            continue
        report.rows += 1
        if any(no in bad for no in range(row, end + 1)):
            report.errors.append(RowError(row, "*", f"bytes that are not valid {encoding}; "
                                                   "save the file as UTF-8"))
            continue
        if len(values) != len(header):
            report.errors.append(RowError(row, "*", f"{len(values)} values but the header has "
                                                   f"{len(header)} columns"))
            continue
        rec = {k: v.strip() for k, v in zip(header, values, strict=True)}
        try:
            number = normalise(rec["number"])
        except ValueError as e:
            report.errors.append(RowError(row, "number", str(e)))
            continue
        if number in seen:
            report.errors.append(RowError(row, "number", f"{number} is already on row {seen[number]} "
                                                         "of this file"))
            continue
        seen[number] = row
        extra = {k: v for k, v in rec.items() if k not in ("number", "name") and v}
        report.contacts.append(Contact(row, number, rec.get("name") or None, extra))
    return report


async def import_contacts(session: AsyncSession, campaign_id: int, data: bytes) -> ListReport:
    """Adds the file's good rows to the campaign as pending records; a number already in
    the campaign is reported on its row and not added twice."""
    report = read_contacts(data)
    existing = set((await session.execute(select(OutboundRecord.number).where(
        OutboundRecord.campaign_id == campaign_id))).scalars())
    for c in report.contacts:
        if c.number in existing:
            report.errors.append(RowError(c.row, "number", f"{c.number} is already in this campaign"))
            continue
        session.add(OutboundRecord(campaign_id=campaign_id, number=c.number, name=c.name,
                                   extra=json.dumps(c.extra, ensure_ascii=False) if c.extra else None,
                                   status="pending", attempts=0))
        report.imported += 1
    report.errors.sort(key=lambda e: e.row)
    await session.flush()
    return report


async def campaign_dnc(session: AsyncSession, campaign: OutboundCampaign) -> DncList:
    """The do-not-call numbers that apply to ``campaign``: the global ones and its own."""
    dnc = DncList()
    for d in (await session.execute(select(OutboundDnc).where(
            (OutboundDnc.campaign_id.is_(None)) | (OutboundDnc.campaign_id == campaign.id)))).scalars():
        dnc.add(d.number, None if d.campaign_id is None else campaign.name)
    return dnc
