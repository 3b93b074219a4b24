"""CSV import of customers and export of customers, tickets and interactions.

Files may be UTF-8 (with or without BOM) or GBK/GB18030 (what Excel on a Chinese Windows
writes); the encoding is detected. Import validates every row with the same rules as the
REST API, reports each bad row as (row, column, reason) and keeps the good ones. ``row`` is
the line number in the file (the header is line 1), so a user can find it in an editor.
Export writes the very columns import reads, so export -> import is lossless.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from pydantic import ValidationError
from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm import phones as ph
from crm.audit import record
from crm.models import Customer, CustomerPhone
from crm.schemas import CustomerIn

CUSTOMER_COLUMNS = ["name", "phones", "email", "address", "segment", "vip_level", "tags",
                    "blacklisted", "notes", "owner_agent_id", "owner_team_id"]
HEADER_ALIASES = {"姓名": "name", "电话": "phones", "手机": "phones", "phone": "phones",
                  "邮箱": "email", "地址": "address", "客户等级": "segment", "vip": "vip_level",
                  "标签": "tags", "黑名单": "blacklisted", "备注": "notes"}
LIST_SEP = ";"
MAX_FILE_BYTES = 200 * 1024 * 1024
_TRUE = {"1", "true", "yes", "y", "是", "t"}
_FALSE = {"", "0", "false", "no", "n", "否", "f"}

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class RowError:
    row: int
    column: str
    reason: str


@dataclass
class ImportReport:
    encoding: str
    rows: int = 0  # records (a record may span lines; blank lines are none)
    lines: int = 0  # data lines read: what the progress bar counts
    imported: int = 0
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"encoding": self.encoding, "rows": self.rows, "lines": self.lines, "imported": self.imported,
                "dry_run": self.dry_run, "rejected": len({e.row for e in self.errors}),
                "errors": [{"row": e.row, "column": e.column, "reason": e.reason}
                           for e in self.errors]}


class CsvFileError(ValueError):
    """The file as a whole cannot be imported (no header, no name column, too big)."""


def header_columns(names: list[str], aliases: dict[str, str]) -> list[str]:
    """The first line's column names, each lower-cased and read through ``aliases``
    (``电话`` -> ``phones``). Two names for the same column (``number,number`` or
    ``电话,number``) are a :class:`CsvFileError`: which one holds the data is a guess.
    Blank names (trailing commas) are not checked."""
    header = [aliases.get(h.strip().lower(), h.strip().lower()) for h in names]
    for col in dict.fromkeys(header):
        same = [n.strip() for n, h in zip(names, header, strict=True) if h == col]
        if col and len(same) > 1:
            raise CsvFileError(f"the header names the {col!r} column {len(same)} times "
                               f"({', '.join(repr(n) for n in same)}); keep one of them")
    return header


def decode(data: bytes) -> tuple[str, list[str], set[int]]:
    """(encoding, lines, numbers of undecodable lines). A line that fits neither the
    file's encoding is kept as replacement characters and reported, not dropped silently."""
    if data.startswith(b"\xef\xbb\xbf"):
        data, encoding = data[3:], "utf-8-sig"
    else:
        encoding = ""
    raw_lines = data.splitlines(keepends=True)
    if not encoding:
        # Only lines with non-ASCII bytes tell the encodings apart; the majority decides.
        wide = [ln for ln in raw_lines if not ln.isascii()]
        utf8_ok = sum(1 for ln in wide if _decodes(ln, "utf-8"))
        encoding = "utf-8" if utf8_ok * 2 >= len(wide) else "gb18030"
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    lines: list[str] = []
    bad: set[int] = set()
    for no, ln in enumerate(raw_lines, start=1):
        try:
            lines.append(ln.decode(codec))
        except UnicodeDecodeError:
            bad.add(no)
            lines.append(ln.decode(codec, errors="replace"))
    return encoding, lines, bad


def _decodes(line: bytes, codec: str) -> bool:
    try:
        line.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def _split(value: str) -> list[str]:
    for sep in ",，；、|/":
        value = value.replace(sep, LIST_SEP)
    return [v.strip() for v in value.split(LIST_SEP) if v.strip()]


def _int(value: str, column: str, errors: list[RowError], row: int) -> int | None:
    value = value.strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        errors.append(RowError(row, column, f"{value[:20]!r} is not a whole number"))
        return None


def _row_to_customer(rec: dict[str, str], row: int) -> tuple[CustomerIn | None, list[RowError]]:
    errors: list[RowError] = []
    name = rec.get("name", "").strip()
    if not name:
        return None, [RowError(row, "name", "the name is missing")]
    black = rec.get("blacklisted", "").strip().lower()
    if black not in _TRUE | _FALSE:
        errors.append(RowError(row, "blacklisted", f"{black[:20]!r} is not yes/no (1/0, 是/否)"))
    vip = _int(rec.get("vip_level", ""), "vip_level", errors, row)
    data = {"name": name, "phones": _split(rec.get("phones", "")),
            "email": rec.get("email", "").strip() or None,
            "address": rec.get("address", "").strip() or None,
            "segment": rec.get("segment", "").strip() or None, "vip_level": vip or 0,
            "tags": _split(rec.get("tags", "")), "blacklisted": black in _TRUE,
            "notes": rec.get("notes", "") or None,
            "owner_agent_id": _int(rec.get("owner_agent_id", ""), "owner_agent_id", errors, row),
            "owner_team_id": _int(rec.get("owner_team_id", ""), "owner_team_id", errors, row)}
    if errors:
        return None, errors
    try:
        return CustomerIn.model_validate(data), []
    except ValidationError as exc:
        for err in exc.errors():
            col = str(err["loc"][0]) if err["loc"] else "?"
            msg = str(err["msg"]).removeprefix("Value error, ")
            if col == "phones" and len(err["loc"]) > 1 and not msg.startswith("'"):
                msg = f"phone {err['loc'][1]}: {msg}"
            errors.append(RowError(row, col, msg))
        return None, errors


@dataclass(frozen=True, slots=True)
class Parsed:
    """One CSV record: the customer, or the errors that stopped it."""

    row: int
    customer: CustomerIn | None
    errors: tuple[RowError, ...] = ()


def read_customers(data: bytes) -> tuple[str, int, Iterator[Parsed]]:
    """Pure part of the import, streamed: (encoding, number of data lines, records).
    Duplicates inside the file are reported here; duplicates in the database later."""
    if len(data) > MAX_FILE_BYTES:
        raise CsvFileError(f"the file is larger than {MAX_FILE_BYTES // 2**20} MB; split it")
    encoding, lines, bad = decode(data)
    reader = csv.reader(lines)
    try:
        header = header_columns(next(reader), HEADER_ALIASES)
    except StopIteration:
        raise CsvFileError("the file is empty; the first line must name the columns") from None
    if "name" not in header:
        raise CsvFileError(f"no 'name' column in the header; expected {','.join(CUSTOMER_COLUMNS)}")

    def records() -> Iterator[Parsed]:
        seen: dict[str, int] = {}
        start = reader.line_num + 1
        for values in reader:
            row, end = start, reader.line_num
            start = end + 1
            if not any(v.strip() for v in values):
                continue
            if any(no in bad for no in range(row, end + 1)):
                yield Parsed(row, None, (RowError(
                    row, "*", f"bytes that are not valid {encoding}; save the file as UTF-8"),))
                continue
            if len(values) != len(header):
                yield Parsed(row, None, (RowError(
                    row, "*", f"{len(values)} values but the header has {len(header)} columns"),))
                continue
            customer, errs = _row_to_customer(dict(zip(header, values, strict=True)), row)
            if customer is None:
                yield Parsed(row, None, tuple(errs))
                continue
            dup = next((e for e in customer.phones if e in seen), None)
            if dup is not None:
                yield Parsed(row, None, (RowError(
                    row, "phones", f"{dup} is already on row {seen[dup]} of this file"),))
                continue
            for e in customer.phones:
                seen[e] = row
            yield Parsed(row, customer)

    return encoding, max(len(lines) - 1, 0), records()


def parse_customers(data: bytes) -> tuple[str, list[tuple[int, CustomerIn]], list[RowError]]:
    """The whole file at once: (encoding, good rows with line numbers, errors)."""
    encoding, _, records = read_customers(data)
    good: list[tuple[int, CustomerIn]] = []
    errors: list[RowError] = []
    for p in records:
        if p.customer is not None:
            good.append((p.row, p.customer))
        errors.extend(p.errors)
    return encoding, good, errors


async def import_customers(session: AsyncSession, data: bytes, *, actor: str, now: float,
                           dry_run: bool = False, batch_size: int = 2000,
                           progress: Progress | None = None) -> ImportReport:
    """Import the good rows in batches as the file is read (one executemany per table per
    batch, committed per batch); ``dry_run`` checks everything, database duplicates
    included, and writes nothing. ``progress(lines_done, lines_total)``."""
    encoding, total, records = read_customers(data)
    report = ImportReport(encoding=encoding, dry_run=dry_run)
    batch: list[Parsed] = []
    rows_seen = 0

    async def flush(final: bool) -> None:
        keep = await _not_in_db(session, batch, report)
        if keep and not dry_run:
            await _insert(session, keep, now)
            await session.commit()
        report.imported += len(keep)
        batch.clear()
        if progress:
            progress(total if final else min(last_row - 1, total), total)

    last_row = 1
    for p in records:
        rows_seen += 1
        last_row = p.row
        report.errors.extend(p.errors)
        if p.customer is not None:
            batch.append(p)
        if len(batch) >= batch_size:
            await flush(final=False)
    await flush(final=True)
    report.rows, report.lines = rows_seen, total
    report.errors.sort(key=lambda e: (e.row, e.column))
    if not dry_run and report.imported:
        record(session, entity="customer", entity_id=0, actor=actor, at=now, action="import",
               note=f"{report.imported} customers imported, {len(report.errors)} errors")
        await session.commit()
    return report


async def _not_in_db(session: AsyncSession, batch: list[Parsed], report: ImportReport) -> list[CustomerIn]:
    numbers = [e for p in batch if p.customer for e in p.customer.phones]
    taken: set[str] = set()
    for j in range(0, len(numbers), 5000):  # well under SQLite and asyncpg bind limits
        rows = await session.execute(select(CustomerPhone.e164).where(
            CustomerPhone.e164.in_(numbers[j:j + 5000])))
        taken.update(rows.scalars())
    keep: list[CustomerIn] = []
    for p in batch:
        assert p.customer is not None
        dup = next((e for e in p.customer.phones if e in taken), None)
        if dup is None:
            keep.append(p.customer)
        else:
            report.errors.append(RowError(
                p.row, "phones", f"{dup} already belongs to a customer in the database"))
    return keep


async def _insert(session: AsyncSession, customers: list[CustomerIn], now: float) -> None:
    rows = [{**c.model_dump(exclude={"phones"}), "created_at": now, "updated_at": now}
            for c in customers]
    # Core statements on the tables: executemany (batched VALUES) without ORM bookkeeping.
    customers_t, phones_t = cast(Table, Customer.__table__), cast(Table, CustomerPhone.__table__)
    ids = (await session.execute(
        insert(customers_t).returning(customers_t.c.id, sort_by_parameter_order=True), rows)
    ).scalars().all()
    phone_rows = []
    for cid, c in zip(ids, customers, strict=True):
        for e in c.phones:
            i = ph.info_e164(e)
            phone_rows.append({"customer_id": cid, "e164": e, "kind": i.kind, "country": i.country,
                               "region_zh": i.region_zh, "region_en": i.region_en})
    if phone_rows:
        await session.execute(insert(phones_t), phone_rows)


def csv_line(values: list[Any]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(["" if v is None else v for v in values])
    return buf.getvalue()


def customer_row(c: Customer) -> list[Any]:
    return [c.name, LIST_SEP.join(p.e164 for p in c.phones), c.email, c.address, c.segment,
            c.vip_level, LIST_SEP.join(c.tags), 1 if c.blacklisted else 0, c.notes,
            c.owner_agent_id, c.owner_team_id]
