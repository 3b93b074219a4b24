"""The reports as sheets (tables of dicts), shared by the CLI, the HTTP routes and the
scheduled files, so every output shows the same figures."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reports.export import Sheet
from reports.kpi import KPIS, KpiRow, formulas
from reports.lost import LostReport

KPI_COLUMNS = ["period", "key"] + [k.key for k in KPIS] + ["service_level"]


def lost_sheets(rep: LostReport) -> list[Sheet]:
    d = rep.as_dict()
    return [
        Sheet("by_hour", ["hour", "calls", "lost", "lost_rate", "peak"], d["by_hour"]),
        Sheet("by_fate", ["fate", "zh", "en", "lost", "share"], d["by_fate"]),
        Sheet("by_queue", ["queue", "lost", "share"], d["by_queue"]),
        Sheet("by_region", ["zh", "en", "lost", "share"], d["by_region"]),
        Sheet("by_node", ["node", "lost", "share"], d["by_node"]),
        Sheet("by_wait", ["bucket", "lost"], d["by_wait"]),
        Sheet("by_cause", ["cause", "zh", "en", "lost"], d["by_cause"]),
        Sheet("calls", ["call_id", "local_time", "caller", "region_zh", "region_en", "queue",
                        "fate", "fate_zh", "wait", "node", "agents_logged_in", "agents_paused",
                        "agents_busy", "agents_free", "cause"], d["calls"]),
    ]


def kpi_rows(rows: Sequence[KpiRow], sl_variant: str) -> list[dict[str, Any]]:
    return [{"period": r.period, "key": r.key, **r.figures(sl_variant)} for r in rows]


def kpi_sheets(rows: Sequence[KpiRow], sl_variant: str, threshold: str, lang: str) -> list[Sheet]:
    fs = formulas(sl_variant, threshold)
    return [Sheet("kpi", KPI_COLUMNS, kpi_rows(rows, sl_variant)),
            Sheet("formulas", ["figure", "formula"],
                  [{"figure": f[lang if lang == "zh" else "en"],
                    "formula": f["formula_zh" if lang == "zh" else "formula_en"]} for f in fs])]


def winback_sheets(out: dict[str, Any]) -> list[Sheet]:
    return [
        Sheet("recovery", ["day", "lost_callers", "recovered", "unreachable", "rate",
                           "median_delay_s"], out["days"]),
        Sheet("worklist", ["number", "attempts", "vip_level", "queue", "last_call_id",
                           "assignee"], [w.as_dict() for w in out["worklist"]]),
        Sheet("held", ["number", "reason"], [{"number": h.number, "reason": h.reason}
                                             for h in out["held"]]),
    ]
