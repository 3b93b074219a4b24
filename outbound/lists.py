"""Contact lists from CSV, by the CRM import's rules: UTF-8 (with or without BOM) or
GBK/GB18030 detected by ``crm.csvio.decode``; every bad row reported as (row, column,
reason) with ``row`` the file's line number; good rows kept. One example file::

    电话,姓名,订单号
    13800138000,张三,A-1001

The number column is ``number`` (or 电话 / 手机 / 号码 / phone), ``name`` (姓名) is optional,
any other column is kept in ``extra`` for the agent's screen and the script. A number on the
global or the campaign's do-not-call list is reported on its row and left out, as the list
builders of ``outbound.sources`` leave it out.

Do-not-call files (``import_dnc``) are read by the same rules; their header is optional (a
file that starts with a number is a plain column of numbers), and ``export_dnc`` writes
what ``import_dnc`` reads.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.csvio import MAX_FILE_BYTES, CsvFileError, RowError, decode, header_columns
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


def read_contacts(data: bytes, *, header_optional: bool = False) -> ListReport:
    """Pure part of the import: parse and validate; duplicates inside the file are errors.
    ``header_optional``: a first line whose first value is a phone number is data, and the
    file is a column of numbers (the do-not-call files)."""
    if len(data) > MAX_FILE_BYTES:
        raise CsvFileError(f"the file is larger than {MAX_FILE_BYTES // 2**20} MB; split it")
    encoding, lines, bad = decode(data)
    reader = csv.reader(lines)
    try:
        first = next(reader)
    except StopIteration:
        raise CsvFileError("the file is empty; the first line must name the columns") from None
    except csv.Error as e:
        raise CsvFileError(f"the first line is not CSV ({e}); save the file as CSV") from None
    pending: list[tuple[int, int, list[str]]] = []  # (row, last line, values) read ahead
    headerless = header_optional and bool(first) and _is_number(first[0])
    if headerless:  # a column of numbers: the first value of each row is the number
        header = ["number"]
        pending.append((1, reader.line_num, first))
    else:
        header = header_columns(first, HEADER_ALIASES)
    if "number" not in header:
        raise CsvFileError("no 'number' (电话) column in the header; add one to the first line")
    report = ListReport(encoding)
    seen: dict[str, int] = {}
    start = reader.line_num + 1

    def rows() -> Iterator[tuple[int, int, list[str] | str]]:
        """(row, last line, values or why the row is not CSV); the reader goes on after a bad row."""
        nonlocal start
        yield from pending
        while True:
            try:
                values: list[str] | str = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                values = str(e)
            row, end = start, reader.line_num
            start = end + 1
            yield row, end, values

    for row, end, values in rows():
        if isinstance(values, str):
            report.rows += 1
            report.errors.append(RowError(row, "*", f"not readable as CSV ({values})"))
            continue
        if not any(v.strip() for v in values):
            continue
        report.rows += 1
        if any(no in bad for no in range(row, end + 1)):
            report.errors.append(RowError(row, "*", f"bytes that are not valid {encoding}; "
                                                   "save the file as UTF-8"))
            continue
        if headerless:
            values = values[:1]
        elif len(values) != len(header):
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


def _is_number(value: str) -> bool:
    try:
        normalise(value)
    except ValueError:
        return False
    return True


async def import_contacts(session: AsyncSession, campaign: OutboundCampaign, data: bytes) -> ListReport:
    """Adds the file's good rows to the campaign as pending records; a number already in
    the campaign, or on a do-not-call list that applies to it, is reported on its row and
    not added."""
    report = read_contacts(data)
    existing = set((await session.execute(select(OutboundRecord.number).where(
        OutboundRecord.campaign_id == campaign.id))).scalars())
    dnc = await campaign_dnc(session, campaign)
    for c in report.contacts:
        refusal = dnc.refusal(c.number, campaign.name)
        if c.number in existing or refusal is not None:
            reason = refusal.detail if refusal else f"{c.number} is already in this campaign"
            report.errors.append(RowError(c.row, "number", reason))
            continue
        existing.add(c.number)
        session.add(OutboundRecord(campaign_id=campaign.id, number=c.number, name=c.name,
                                   extra=json.dumps(c.extra, ensure_ascii=False) if c.extra else None,
                                   status="pending", attempts=0))
        report.imported += 1
    report.errors.sort(key=lambda e: e.row)
    await session.flush()
    return report


def _dnc_where(campaign: OutboundCampaign | None) -> Any:
    return OutboundDnc.campaign_id.is_(None) if campaign is None else OutboundDnc.campaign_id == campaign.id


def dnc_list_name(campaign: OutboundCampaign | None) -> str:
    return "the global do-not-call list" if campaign is None else f"campaign {campaign.name}'s do-not-call list"


async def import_dnc(session: AsyncSession, campaign: OutboundCampaign | None, data: bytes,
                     now: float) -> ListReport:
    """Adds the file's numbers to the global (``campaign`` None) or the campaign's own
    do-not-call list; a number already on that list is reported on its row, not added twice."""
    report = read_contacts(data, header_optional=True)
    existing = set((await session.execute(select(OutboundDnc.number).where(_dnc_where(campaign)))).scalars())
    for c in report.contacts:
        if c.number in existing:
            report.errors.append(RowError(c.row, "number", f"{c.number} is already on {dnc_list_name(campaign)}"))
            continue
        existing.add(c.number)
        session.add(OutboundDnc(campaign_id=None if campaign is None else campaign.id, number=c.number,
                                added_at=now))
        report.imported += 1
    report.errors.sort(key=lambda e: e.row)
    await session.flush()
    return report


async def export_dnc(session: AsyncSession, campaign: OutboundCampaign | None, zone: ZoneInfo) -> str:
    """The global or the campaign's own do-not-call list as CSV (``import_dnc`` reads it back):
    ``number,added_at`` with the day and time added in ``zone``."""
    rows = (await session.execute(select(OutboundDnc.number, OutboundDnc.added_at).where(
        _dnc_where(campaign)).order_by(OutboundDnc.number))).all()
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["number", "added_at"])
    for number, added in rows:
        w.writerow([number, dt.datetime.fromtimestamp(added, zone).strftime("%Y-%m-%d %H:%M")])
    return buf.getvalue()


@dataclass(frozen=True)
class ListSummary:
    """A campaign's list: records by status, and how many of the pending ones a do-not-call
    list now refuses (``dialable`` = pending and not refused; calling hours are checked at
    dial time). ``dnc_global`` / ``dnc_campaign``: the size of each list."""

    campaign: str
    records: int
    pending: int
    dialing: int
    done: int
    refused: int
    on_dnc: int
    dialable: int
    dnc_global: int
    dnc_campaign: int


async def list_summary(session: AsyncSession, campaign: OutboundCampaign) -> ListSummary:
    by_status = dict((await session.execute(select(OutboundRecord.status, func.count()).where(
        OutboundRecord.campaign_id == campaign.id).group_by(OutboundRecord.status))).all())
    pending = (await session.execute(select(OutboundRecord.number).where(
        OutboundRecord.campaign_id == campaign.id, OutboundRecord.status == "pending"))).scalars().all()
    dnc = await campaign_dnc(session, campaign)
    blocked = sum(1 for n in pending if dnc.refusal(n, campaign.name) is not None)
    return ListSummary(campaign=campaign.name, records=sum(by_status.values()), pending=len(pending),
                       dialing=by_status.get("dialing", 0), done=by_status.get("done", 0),
                       refused=by_status.get("refused", 0), on_dnc=blocked, dialable=len(pending) - blocked,
                       dnc_global=len(dnc.global_numbers), dnc_campaign=len(dnc.campaigns.get(campaign.name, ())))


async def campaign_dnc(session: AsyncSession, campaign: OutboundCampaign) -> DncList:
    """The do-not-call numbers that apply to ``campaign``: the global ones and its own."""
    dnc = DncList()
    for d in (await session.execute(select(OutboundDnc).where(
            (OutboundDnc.campaign_id.is_(None)) | (OutboundDnc.campaign_id == campaign.id)))).scalars():
        dnc.add(d.number, None if d.campaign_id is None else campaign.name)
    return dnc
