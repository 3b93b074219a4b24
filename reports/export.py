"""CSV and XLSX files of the reports, with zh or en headers.

A sheet is a title, a list of column keys and rows of dicts; headers come from
:data:`HEADERS` in the chosen language (the key itself where none is known). CSV is UTF-8
with a BOM so Excel on a Chinese Windows opens it right; XLSX is written with openpyxl,
one worksheet per sheet, numbers as numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook

HEADERS: dict[str, tuple[str, str]] = {
    "period": ("时段", "Period"), "key": ("对象", "Key"), "hour": ("小时", "Hour"),
    "calls": ("呼叫数", "Calls"), "lost": ("呼损数", "Lost"), "lost_rate": ("呼损率", "Lost rate"),
    "peak": ("高峰", "Peak"), "queue": ("队列", "Queue"), "fate": ("结局", "Fate"),
    "zh": ("中文", "Chinese"), "en": ("英文", "English"), "share": ("占比", "Share"),
    "node": ("IVR 节点", "IVR node"), "bucket": ("等待", "Wait"), "cause": ("原因", "Cause"),
    "call_id": ("呼叫 ID", "Call id"), "local_time": ("时间", "Time"), "caller": ("主叫", "Caller"),
    "region_zh": ("地区", "Region (zh)"), "region_en": ("地区 (英文)", "Region"),
    "fate_zh": ("结局", "Fate (zh)"), "fate_en": ("结局 (英文)", "Fate"), "wait": ("等待 (秒)", "Wait (s)"),
    "agents_logged_in": ("签入坐席", "Agents logged in"), "agents_paused": ("小休坐席", "On break"),
    "agents_busy": ("忙碌坐席", "Busy"), "agents_free": ("空闲坐席", "Free"),
    "day": ("日期", "Day"), "lost_callers": ("呼损来电人数", "Lost callers"),
    "recovered": ("已挽回", "Recovered"), "unreachable": ("无号码", "No number"),
    "rate": ("挽回率", "Recovery rate"), "median_delay_s": ("挽回时长中位数 (秒)", "Median delay (s)"),
    "number": ("号码", "Number"), "attempts": ("呼损次数", "Lost calls"), "vip_level": ("VIP", "VIP"),
    "assignee": ("分配给", "Assigned to"), "last_call_id": ("最近呼叫", "Last call"),
    "reason": ("原因", "Reason"), "start": ("开始", "Start"),
    "offered": ("呼入量", "Offered"), "answered": ("接通量", "Answered"),
    "abandoned": ("放弃量", "Abandoned"), "answer_rate": ("接通率", "Answer rate"),
    "abandon_rate": ("放弃率", "Abandon rate"), "asa": ("平均应答速度 (秒)", "ASA (s)"),
    "longest_wait": ("最长等待 (秒)", "Longest wait (s)"), "aht": ("平均处理时长 (秒)", "AHT (s)"),
    "att": ("平均通话 (秒)", "Average talk (s)"), "transfer_rate": ("转接率", "Transfer rate"),
    "repeat_rate": ("重复来电率", "Repeat-call rate"), "service_level": ("服务水平", "Service level"),
    "formula": ("公式", "Formula"), "figure": ("指标", "Figure"), "rank": ("名次", "Rank"),
    "value": ("数值", "Value"), "slot": ("时段", "Interval"), "forecast": ("预测话务量", "Forecast calls"),
    "erlang_c": ("Erlang C 坐席", "Erlang C agents"), "erlang_a": ("Erlang A 坐席", "Erlang A agents"),
    "required": ("需排班 (含缺勤率)", "Required (with shrinkage)"), "logged_in": ("签入坐席", "Logged in"),
    "gap": ("差额", "Gap"), "actual": ("实际话务量", "Actual calls"),
    "what_if_agents": ("模拟坐席数", "What-if agents"), "what_if_sl": ("模拟服务水平", "What-if SL"),
    "what_if_abandon": ("模拟放弃率", "What-if abandon rate"), "type": ("呼叫类型", "Call type"),
}


@dataclass(frozen=True, slots=True)
class Sheet:
    title: str
    columns: Sequence[str]
    rows: Sequence[Mapping[str, Any]]


def header(key: str, lang: str) -> str:
    zh, en = HEADERS.get(key, (key, key))
    return zh if lang == "zh" else en


def _cell(v: Any) -> Any:
    if isinstance(v, float):
        return round(v, 4)
    if isinstance(v, bool):
        return "yes" if v else ""
    return "" if v is None else v


def to_csv(sheet: Sheet, lang: str = "en") -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([header(c, lang) for c in sheet.columns])
    for r in sheet.rows:
        w.writerow([_cell(r.get(c)) for c in sheet.columns])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(sheets: Iterable[Sheet], lang: str = "en") -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for s in sheets:
        ws = wb.create_sheet(s.title[:31])
        ws.append([header(c, lang) for c in s.columns])
        for r in s.rows:
            ws.append([_cell(r.get(c)) for c in s.columns])
        for i, c in enumerate(s.columns, start=1):
            ws.column_dimensions[ws.cell(1, i).column_letter].width = max(10, len(header(c, lang)) + 4)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
