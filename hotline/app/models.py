"""Imports every package's table declarations so ``Base.metadata`` is complete.

Alembic's env.py and test fixtures call :func:`load_all` before they touch the schema.
A package that declares tables adds its models module here.
"""

from __future__ import annotations

import acd.admin.models
import agent_console.models
import crm.models
import ivr.models
import outbound.models
import qa.models
import recordings.models
import reports.alarms
import reports.cdrs
import reports.facts
from hotline.db import Base

MODEL_MODULES = (acd.admin.models, agent_console.models, crm.models, ivr.models, outbound.models,
                 qa.models, recordings.models, reports.cdrs, reports.facts, reports.alarms)


def load_all() -> type[Base]:
    """``Base`` with every table declared (the imports above did it)."""
    return Base
