"""The arrows between hotline's packages point one way (``tests/import_graph.py`` reads
them from the AST of every module, function-level and ``TYPE_CHECKING`` imports included).

Layers, bottom to top: the foundation ``hotline`` (settings, clock, db, bus, event log and
its vocabulary) imports nothing of ours; ``pbx`` talks to Asterisk; ``crm`` and ``acd``
are the cores; ``ivr`` drives callers into the ACD; the feature packages (``recordings``,
``reports``, ``outbound``) read the call-event log and the ACD's ports; ``agent_console``
is the web edge; ``hotline.app`` is the composition root that nothing imports.
"""

from __future__ import annotations

import ast

import pytest
from import_graph import REPO, cycles, layer_of, modules

FOUNDATION = {"hotline"}
ALLOWED: dict[str, set[str]] = {
    "hotline": set(),
    "pbx": FOUNDATION,
    "crm": FOUNDATION,
    "acd": FOUNDATION | {"pbx"},
    "ivr": FOUNDATION | {"pbx", "crm", "acd"},
    "asterisk_conf": FOUNDATION | {"pbx"},
    "recordings": FOUNDATION | {"pbx", "crm", "acd"},
    "qa": FOUNDATION | {"pbx", "crm", "acd", "ivr", "recordings"},  # ivr: survey scores feed sampling
    "reports": FOUNDATION | {"pbx", "crm", "acd", "ivr"},
    "outbound": FOUNDATION | {"pbx", "crm", "acd", "ivr", "reports"},
    "agent_console": FOUNDATION | {"pbx", "crm", "acd", "ivr", "recordings", "reports", "outbound", "qa"},
    "hotline.app": FOUNDATION | {"pbx", "crm", "acd", "ivr", "asterisk_conf", "recordings", "reports",
                                 "outbound", "agent_console", "qa"},
}

GRAPH = modules()


def test_the_graph_sees_the_packages() -> None:
    """A parser that found nothing would pass every check below."""
    assert {layer_of(m) for m in GRAPH} >= {"hotline", "hotline.app", "pbx", "crm", "acd", "ivr",
                                            "agent_console"}
    assert "hotline.eventlog" in GRAPH["acd.service.journal"]
    assert "acd.ports" in GRAPH["agent_console.hub"]


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_a_layer_imports_only_the_layers_below_it(layer: str) -> None:
    wrong = sorted(f"{m} -> {d}" for m, deps in GRAPH.items() if layer_of(m) == layer
                   for d in deps if layer_of(d) != layer and layer_of(d) not in ALLOWED[layer])
    assert not wrong, f"{layer} may import only {sorted(ALLOWED[layer])}:\n" + "\n".join(wrong)


def test_every_package_has_a_layer() -> None:
    assert {layer_of(m) for m in GRAPH} <= set(ALLOWED)


def test_nothing_imports_the_application() -> None:
    importers = sorted(m for m, deps in GRAPH.items() if layer_of(m) != "hotline.app"
                       and any(layer_of(d) == "hotline.app" for d in deps))
    assert not importers


def test_no_import_cycles() -> None:
    found = [c for c in cycles(GRAPH) if not all(m.startswith("pbx.sim") for m in c)]
    assert not found, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_no_import_cycles_in_the_simulator() -> None:
    found = [c for c in cycles(GRAPH) if all(m.startswith("pbx.sim") for m in c)]
    assert not found, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_the_simulator_imports_at_module_level() -> None:
    """An import inside a function hides a dependency (issue 10 item 4): a cycle is
    broken with a hook on the channel, not a lazy import."""
    lazy = []
    for path in sorted((REPO / "pbx" / "sim").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in ast.walk(tree):
            if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                lazy += [f"{path.relative_to(REPO)}:{n.lineno}" for n in ast.walk(fn)
                         if isinstance(n, ast.Import | ast.ImportFrom)]
    assert not lazy, "imports inside functions:\n" + "\n".join(sorted(set(lazy)))


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
