"""Imports every package's table declarations so ``Base.metadata`` is complete.

Alembic's env.py and test fixtures call :func:`load_all` before they touch the schema.
A package that declares tables adds its models module to ``MODEL_MODULES``.
"""

from __future__ import annotations

import importlib

from hotline.db import Base

MODEL_MODULES: list[str] = [
    "hotline.db",
    "crm.models",
    "agent_console.models",
    "acd.admin.models",
    "recordings.models",
    "ivr.models",
]


def load_all() -> type[Base]:
    for name in MODEL_MODULES:
        importlib.import_module(name)
    return Base
