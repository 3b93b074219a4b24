"""acd/service stays a set of collaborators (issue 10): no class of it carries more than
~400 lines of methods in its MRO, counted from the source."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import acd.service

LIMIT = 400


def _method_lines(cls: type) -> int:
    total = 0
    for klass in cls.__mro__:
        if not klass.__module__.startswith("acd."):
            continue
        for member in vars(klass).values():
            fn = member.fget if isinstance(member, property) else getattr(member, "__func__", member)
            if inspect.isfunction(fn):
                try:
                    total += len(inspect.getsourcelines(fn)[0])
                except OSError:  # generated (dataclass __init__, __eq__): no source of ours
                    continue
    return total


def test_no_acd_service_class_carries_more_than_400_lines_of_methods() -> None:
    sizes: dict[str, int] = {}
    for info in pkgutil.iter_modules(acd.service.__path__, "acd.service."):
        mod = importlib.import_module(info.name)
        for name, cls in vars(mod).items():
            if inspect.isclass(cls) and cls.__module__ == mod.__name__:
                sizes[f"{mod.__name__}.{name}"] = _method_lines(cls)
    assert len(sizes) >= 10  # the collaborators are there
    too_big = {k: v for k, v in sizes.items() if v > LIMIT}
    assert not too_big, too_big
