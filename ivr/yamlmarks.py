"""YAML loading that remembers where every value came from.

``load_with_lines(text)`` returns the plain Python data (as ``yaml.safe_load`` would)
and a map from a value's path to its 1-based line, e.g. for::

    nodes:
      main:
        type: menu

``lines[("nodes", "main", "type")] == 3``. Pydantic error locations are mapped back to
the nearest known path with :func:`line_for`. Duplicate keys, which PyYAML silently
overwrites, are reported with the line of the second one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml

Path = tuple[str | int, ...]


class YamlError(ValueError):
    """The text is not usable YAML; ``line`` is 1-based (0 when unknown)."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}" if line else reason)
        self.line = line
        self.reason = reason


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def load_with_lines(text: str) -> tuple[Any, dict[Path, int]]:
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = int(mark.line) + 1 if mark is not None else 0
        raise YamlError(line, f"not valid YAML: {exc.problem or exc}") from exc
    finally:
        loader.dispose()
    lines: dict[Path, int] = {}
    if root is None:
        return None, lines
    data = _convert(loader, root, (), lines)
    return data, lines


def _convert(loader: yaml.SafeLoader, node: yaml.Node, path: Path, lines: dict[Path, int]) -> Any:
    lines[path] = _line(node)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # resolves YAML merge keys (<<: *base)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if isinstance(key, list | dict):
                raise YamlError(_line(key_node), "a mapping key must be a plain value")
            if key in out:
                raise YamlError(_line(key_node), f"the key {key!r} appears twice in the same mapping")
            sub = (*path, _path_key(key))
            out[key] = _convert(loader, value_node, sub, lines)
            lines[sub] = _line(key_node)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(loader, item, (*path, i), lines) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def _path_key(key: Any) -> str | int:
    # Schema validators turn digit keys (``1: sales``) into strings; index by the string.
    return key if isinstance(key, str) else str(key)


def line_for(loc: Sequence[str | int], lines: dict[Path, int]) -> int:
    """The line of the deepest known path along ``loc``.

    Elements unknown at a level (pydantic adds union tags such as ``'menu'``) are skipped.
    """
    path: Path = ()
    best = lines.get((), 0)
    for elem in loc:
        for cand in (elem, str(elem)):
            if (*path, cand) in lines:
                path = (*path, cand)
                best = lines[path]
                break
    return best
