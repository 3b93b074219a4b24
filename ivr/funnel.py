"""The IVR funnel from the call-event log: per node, how many entered, which way they
left, and how many hung up there.

Input rows are ``call_events`` rows (mappings or objects with ``call_id``, ``kind``,
``ts`` and ``data``); only IVR_* kinds are used. For each call the nodes are taken in
order: a node is left by the branch that is the next node entered (``"-> support"``),
or by its exit (``"exit:queue"``, ``"exit:voicemail"`` ...); ``IVR_HANGUP`` marks
"abandoned here".
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass
class NodeStats:
    entered: int = 0
    abandoned: int = 0
    timeouts: int = 0
    invalid: int = 0
    branches: Counter[str] = field(default_factory=Counter)


def _get(row: Any, key: str) -> Any:
    return row[key] if isinstance(row, Mapping) else getattr(row, key)


def funnel(rows: Iterable[Any]) -> dict[str, NodeStats]:
    calls: dict[str, list[Any]] = defaultdict(list)
    for r in rows:
        if str(_get(r, "kind")).startswith("IVR_"):
            calls[_get(r, "call_id")].append(r)
    stats: dict[str, NodeStats] = defaultdict(NodeStats)
    for events in calls.values():
        current: str | None = None
        for r in events:  # rows come in log order (id); ts ties keep that order
            kind, data = _get(r, "kind"), _get(r, "data") or {}
            node = data.get("node", "")
            if kind == "IVR_NODE":
                if current is not None:
                    stats[current].branches[f"-> {node}"] += 1
                stats[node].entered += 1
                current = node
            elif kind == "IVR_TIMEOUT":
                stats[node].timeouts += 1
            elif kind == "IVR_INVALID":
                stats[node].invalid += 1
            elif kind == "IVR_HANGUP":
                stats[node].abandoned += 1
                current = None
            elif kind == "IVR_EXIT":
                stats[node].branches[f"exit:{data.get('to', '?')}"] += 1
                current = None
    return dict(stats)


def funnel_table(stats: Mapping[str, NodeStats]) -> list[dict[str, Any]]:
    """Rows for a report, the busiest node first."""
    return [{"node": n, "entered": s.entered, "abandoned": s.abandoned, "timeouts": s.timeouts,
             "invalid": s.invalid, "branches": dict(s.branches)}
            for n, s in sorted(stats.items(), key=lambda kv: -kv[1].entered)]
