"""The import graph of hotline's packages, computed from the source's AST (no imports run).

``modules()`` maps every module of ours to the modules of ours it imports, anywhere in the
file (module level, inside functions, under ``TYPE_CHECKING``): an import hidden in a
function is still an arrow.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("hotline", "pbx", "crm", "acd", "ivr", "recordings", "reports", "asterisk_conf",
            "agent_console", "outbound", "qa")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _ours(name: str) -> bool:
    return name.split(".")[0] in PACKAGES


def _imports(path: Path, module: str, known: set[str]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_pkg = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base if is_pkg else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            # ``from a import b``: the submodule a.b if there is one, else a itself
            names = [f"{stem}.{a.name}" if f"{stem}.{a.name}" in known else stem
                     for a in node.names]
        else:
            continue
        for name in names:
            if not _ours(name):
                continue
            # the longest prefix that is one of our modules (``from a.b import c`` may name a function)
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module:
                found.add(name)
    return found


def modules() -> dict[str, set[str]]:
    files = {}
    for pkg in PACKAGES:
        root = REPO / pkg
        if root.is_dir():
            for path in root.rglob("*.py"):
                if "migrations" in path.parts and "versions" in path.parts:
                    continue
                files[_module_name(path)] = path
    known = set(files)
    return {m: _imports(p, m, known) for m, p in files.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        work = [(v, iter(sorted(graph.get(v, ()))))]
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on.add(v)
        while work:
            node, children = work[-1]
            for w in children:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph.get(w, ())))))
                    break
                if w in on:
                    low[node] = min(low[node], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.append(w)
                        if w == node:
                            break
                    if len(comp) > 1:
                        out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(out)


def layer_of(module: str) -> str:
    """``hotline.app`` is its own layer (the composition root); the rest is by top package."""
    if module == "hotline.app" or module.startswith("hotline.app."):
        return "hotline.app"
    return module.split(".")[0]


if __name__ == "__main__":
    g = modules()
    for comp in cycles(g):
        print("cycle:", " ".join(comp))
    edges: dict[tuple[str, str], list[str]] = {}
    for m, deps in g.items():
        for d in deps:
            a, b = layer_of(m), layer_of(d)
            if a != b:
                edges.setdefault((a, b), []).append(f"{m} -> {d}")
    for (a, b), why in sorted(edges.items()):
        print(f"{a} -> {b}: {len(why)}  e.g. {why[0]}")
