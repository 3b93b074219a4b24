"""A hand-made day in the call-event log, with every figure of it worked out by hand in
the tests that use it (tests/reports/test_kpi.py, test_lost.py)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hotline.eventlog import CallEventLog

TZ = ZoneInfo("Asia/Shanghai")
DAY = "2026-12-05"


def at(hh: int, mm: int, ss: float = 0.0, day: str = DAY) -> float:
    d = dt.date.fromisoformat(day)
    return dt.datetime(d.year, d.month, d.day, hh, mm, tzinfo=TZ).timestamp() + ss


def answered(log: CallEventLog, cid: str, t: float, queue: str, caller: str | None, agent: str,
             wait: float, talk: float, hold: float = 0.0, wrap: float = 0.0,
             transfer: bool = False) -> None:
    log.log(cid, "ENTERQUEUE", ts=t, queue=queue, data={"callerid": caller or "", "position": 1})
    log.log(cid, "CONNECT", ts=t + wait, queue=queue, agent=agent, data={"holdtime": int(wait)})
    end = t + wait + talk + hold
    kind = "BLINDTRANSFER" if transfer else "COMPLETECALLER"
    log.log(cid, kind, ts=end, queue=queue, agent=agent,
            data={"calltime": int(talk), "hold_s": hold, "holdtime": int(wait)})
    if wrap:
        log.log(cid, "WRAPUP", ts=end + wrap, queue=queue, agent=agent,
                data={"disposition": "solved"})


def abandoned(log: CallEventLog, cid: str, t: float, queue: str, caller: str | None,
              wait: float) -> None:
    log.log(cid, "ENTERQUEUE", ts=t, queue=queue, data={"callerid": caller or "", "position": 1})
    log.log(cid, "ABANDON", ts=t + wait, queue=queue, data={"waittime": int(wait), "position": 1})


def ivr_abandon(log: CallEventLog, cid: str, t: float, node: str = "main") -> None:
    log.log(cid, "IVR_NODE", ts=t, data={"node": node})
    log.log(cid, "IVR_HANGUP", ts=t + 4, data={"node": node})


def write_day(log: CallEventLog) -> None:
    """c1..c6 between 09:00 and 09:15 (the KPI day of test_kpi)."""
    t = at(9, 0)
    answered(log, "c1", t, "support", "13912345678", "a1", wait=10, talk=100, hold=10, wrap=20)
    answered(log, "c2", t + 60, "support", "+862168880000", "a2", wait=30, talk=200,
             transfer=True)
    abandoned(log, "c3", t + 120, "support", "+8613800138000", wait=3)
    abandoned(log, "c4", t + 300, "support", "+8613800138000", wait=40)
    answered(log, "c5", t + 400, "sales", "13912340000", "a1", wait=25, talk=60)
    ivr_abandon(log, "c6", t + 500)
