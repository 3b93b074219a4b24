"""Asterisk's own CDRs (``report_cdrs``): live from AMI ``Cdr`` events, or imported from
cdr_csv's ``Master.csv`` for the past. :mod:`reports.reconcile` matches them with our calls.

One row per CDR. ``source`` says where it came from (``ami`` | ``csv``); the same CDR
seen both ways is stored once (key: uniqueid, start, dstchannel — an agent leg's two
CDRs share the uniqueid but not the start or the party B). Times are epoch seconds:
Asterisk writes its *local* time with whole seconds (``2026-11-22 13:57:49``), so the
Asterisk server's time zone must be given. A CDR has no Linkedid on AMI; Master.csv has
one only with ``newcdrcolumns = yes``.

Master.csv columns (cdr_csv, in this order): accountcode, src, dst, dcontext, clid,
channel, dstchannel, lastapp, lastdata, start, answer, end, duration, billsec,
disposition, amaflags, then uniqueid (``loguniqueid = yes``), userfield
(``loguserfield = yes``), then peeraccount, linkedid, sequence (``newcdrcolumns = yes``).
A row without a uniqueid cannot be matched to anything, so 16-column files are refused.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Float, Index, Integer, String, insert, select, tuple_
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base, BigId
from hotline.events import EventBus
from hotline.writebehind import WriteBehind
from pbx.ami.parse import CDR_FIELDS
from pbx.events import CdrRecorded

COLUMNS = ("accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel", "lastapp",
           "lastdata", "start", "answer", "end", "duration", "billsec", "disposition", "amaflags")
_WIDTHS = {17: ("uniqueid",), 18: ("uniqueid", "userfield"),
           21: ("uniqueid", "userfield", "peeraccount", "linkedid", "sequence")}
log = logging.getLogger("hotline.reports")
DISPOSITIONS = frozenset({"ANSWERED", "NO ANSWER", "BUSY", "FAILED", "CONGESTION"})


class CdrRow(Base):
    __tablename__ = "report_cdrs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    uniqueid: Mapped[str] = mapped_column(String(64), nullable=False)
    linkedid: Mapped[str | None] = mapped_column(String(64))
    src: Mapped[str] = mapped_column(String(80), nullable=False, default="")
    dst: Mapped[str] = mapped_column(String(80), nullable=False, default="")
    start: Mapped[float] = mapped_column(Float, nullable=False)
    answer: Mapped[float | None] = mapped_column(Float)
    end: Mapped[float] = mapped_column(Float, nullable=False)
    duration: Mapped[int] = mapped_column(Integer, nullable=False)
    billsec: Mapped[int] = mapped_column(Integer, nullable=False)
    disposition: Mapped[str] = mapped_column(String(16), nullable=False)
    channel: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    dstchannel: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    lastapp: Mapped[str] = mapped_column(String(80), nullable=False, default="")
    lastdata: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    source: Mapped[str] = mapped_column(String(8), nullable=False)

    __table_args__ = (
        Index("ix_report_cdrs_start", "start"),
        Index("ix_report_cdrs_uniqueid", "uniqueid"),
    )


class CdrError(ValueError):
    """A CDR that cannot be read; the message says which field and why."""


@dataclass(frozen=True, slots=True)
class Cdr:
    uniqueid: str
    linkedid: str | None
    src: str
    dst: str
    start: float
    answer: float | None
    end: float
    duration: int
    billsec: int
    disposition: str
    channel: str
    dstchannel: str
    lastapp: str
    lastdata: str  # an agent leg's Bridge() target: the caller's channel (ami-13)
    source: str  # "ami" | "csv"

    @property
    def key(self) -> tuple[str, float, str]:
        return (self.uniqueid, self.start, self.dstchannel)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _time(text: str, name: str, tz: ZoneInfo, *, optional: bool = False) -> float | None:
    if not text and optional:
        return None
    try:
        return dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=tz).timestamp()
    except ValueError:
        raise CdrError(f"{name} {text!r} is not a time like 2026-11-22 13:57:49") from None


def _seconds(text: str, name: str) -> int:
    if not text.isdigit():
        raise CdrError(f"{name} {text!r} is not a whole number of seconds")
    return int(text)


def from_columns(col: Mapping[str, str], source: str, tz: str = "UTC") -> Cdr:
    """A CDR from Master.csv column names (``src``, ``start``, ...) to strings."""
    zone = ZoneInfo(tz)
    uniqueid = col.get("uniqueid", "").strip()
    if not uniqueid:
        raise CdrError("uniqueid is empty; without it the CDR matches nothing")
    disposition = col.get("disposition", "")
    if disposition not in DISPOSITIONS:
        raise CdrError(f"disposition {disposition!r} is not one of {', '.join(sorted(DISPOSITIONS))}")
    start = _time(col.get("start", ""), "start", zone)
    end = _time(col.get("end", ""), "end", zone)
    assert start is not None and end is not None
    if end < start:
        raise CdrError(f"end {col['end']!r} is before start {col['start']!r}")
    return Cdr(uniqueid=uniqueid, linkedid=col.get("linkedid") or None, src=col.get("src", ""),
               dst=col.get("dst", ""), start=start,
               answer=_time(col.get("answer", ""), "answer", zone, optional=True), end=end,
               duration=_seconds(col.get("duration", ""), "duration"),
               billsec=_seconds(col.get("billsec", ""), "billsec"), disposition=disposition,
               channel=col.get("channel", ""), dstchannel=col.get("dstchannel", ""),
               lastapp=col.get("lastapp", ""), lastdata=col.get("lastdata", "")[:255],
               source=source)


def parse_cdr_event(fields: Mapping[str, str], tz: str = "UTC") -> Cdr:
    """An AMI ``Event: Cdr`` (its fields by name) as a :class:`Cdr` (raises CdrError).

    ``Source: 13800138000`` / ``Channel: PJSIP/hotline-trunk-0000005d`` /
    ``StartTime: 2026-11-22 13:57:49`` / ``Duration: 10`` / ``UniqueID: 1795355869.119``.
    """
    return from_columns({column: fields.get(name, "") for name, column in CDR_FIELDS}, "ami", tz)


@dataclass(frozen=True, slots=True)
class CsvProblem:
    line: int
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class CsvImport:
    cdrs: tuple[Cdr, ...]
    problems: tuple[CsvProblem, ...]
    lines: int

    def as_dict(self) -> dict[str, Any]:
        return {"lines": self.lines, "cdrs": len(self.cdrs),
                "problems": [p.as_dict() for p in self.problems]}


def read_master_csv(data: bytes, tz: str = "UTC") -> CsvImport:
    """Read a cdr_csv Master.csv. Every good row is kept; every bad one is reported with
    its line number (1-based) and why. Example line (``loguniqueid``, ``loguserfield``;
    cdr_csv doubles the quotes of the caller id), wrapped here::

        "","13800138000","s","hotline-wait","\"张安娜\" <13800138000>",
        "PJSIP/hotline-trunk-0000005d","","MusicOnHold","default,600","2026-11-22 13:57:49",
        "2026-11-22 13:57:49","2026-11-22 13:58:00",10,10,"ANSWERED","DOCUMENTATION",
        "1795355869.119",""

    (``\"`` above stands for the doubled quote ``""``.)
    """
    cdrs: list[Cdr] = []
    problems: list[CsvProblem] = []
    lines = data.splitlines()
    for n, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(CsvProblem(n, "not UTF-8 text"))
            continue
        try:
            [values] = list(csv.reader([text], strict=True))
        except (csv.Error, ValueError) as exc:
            problems.append(CsvProblem(n, f"not a CSV line: {exc}"))
            continue
        extra = _WIDTHS.get(len(values))
        if extra is None:
            problems.append(CsvProblem(n, f"{len(values)} columns; expected 17, 18 or 21 "
                                          "(cdr.conf [csv] loguniqueid = yes)"))
            continue
        try:
            cdrs.append(from_columns(dict(zip(COLUMNS + extra, values, strict=True)), "csv", tz))
        except CdrError as exc:
            problems.append(CsvProblem(n, str(exc)))
    return CsvImport(tuple(cdrs), tuple(problems), len(lines))


def _row(cdr: Cdr) -> dict[str, Any]:
    return cdr.as_dict()


async def store_cdrs(engine: AsyncEngine, cdrs: Iterable[Cdr], chunk: int = 500) -> int:
    """Insert the CDRs not stored yet (by :attr:`Cdr.key`); the number inserted."""
    todo = {c.key: c for c in cdrs}
    inserted = 0
    keys = list(todo)
    async with engine.begin() as conn:
        for i in range(0, len(keys), chunk):
            part = keys[i:i + chunk]
            q = select(CdrRow.uniqueid, CdrRow.start, CdrRow.dstchannel).where(
                tuple_(CdrRow.uniqueid, CdrRow.start, CdrRow.dstchannel).in_(part))
            seen = {tuple(r) for r in (await conn.execute(q)).all()}
            rows = [_row(todo[k]) for k in part if k not in seen]
            if rows:
                await conn.execute(insert(CdrRow), rows)
                inserted += len(rows)
    return inserted


async def load_cdrs(engine: AsyncEngine, since: float, until: float) -> list[Cdr]:
    """The stored CDRs that start in ``[since, until)``, one per key, oldest first."""
    q = select(*[getattr(CdrRow, k) for k in _FIELDS]).where(
        CdrRow.start >= since, CdrRow.start < until).order_by(CdrRow.start, CdrRow.id)
    async with engine.connect() as conn:
        rows = (await conn.execute(q)).all()
    out: dict[tuple[str, float, str], Cdr] = {}
    for r in rows:
        cdr = Cdr(**dict(zip(_FIELDS, r, strict=True)))
        out.setdefault(cdr.key, cdr)
    return list(out.values())


_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Cdr))


class CdrWriter:
    """Bus subscriber: every :class:`CdrRecorded` becomes a ``report_cdrs`` row
    (``source='ami'``), written behind. ``tz``: the Asterisk server's time zone. A CDR
    that cannot be read is logged with the reason and counted in ``problems``."""

    def __init__(self, bus: EventBus, rows: WriteBehind, tz: str = "UTC") -> None:
        self.rows = rows
        self.tz = tz
        self.problems = 0
        self._unsubscribe = bus.subscribe(CdrRecorded, self._recorded)

    def close(self) -> None:
        self._unsubscribe()

    def _recorded(self, e: CdrRecorded) -> None:
        columns = {f.name: getattr(e, f.name) for f in fields(e) if f.name != "at"}
        try:
            cdr = from_columns(columns, "ami", self.tz)
        except CdrError as exc:
            self.problems += 1
            log.warning("Cdr of %s (%s) not stored: %s", e.channel, e.uniqueid or "no uniqueid", exc)
            return
        self.rows.append(CdrRow, _row(cdr))
