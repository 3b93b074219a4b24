"""A migrated SQLite database file for the command-line tests (the CLI opens its own engine
and event loop from a URL, so these tests take a file, not the async ``engine`` fixture)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from acd.admin.models import AcdQueue
from hotline.app.migrate import upgrade
from hotline.db import make_engine, make_sessionmaker


def migrated_sqlite(path: Path, queues: tuple[str, ...] = ()) -> str:
    """The URL of a fresh database at ``path`` with the schema and the ACD ``queues`` (the
    queues outbound campaigns dial into must exist)."""
    url = f"sqlite+aiosqlite:///{path}"

    async def migrate() -> None:
        engine = make_engine(url)
        await upgrade(engine)
        if queues:
            async with make_sessionmaker(engine)() as s:
                s.add_all([AcdQueue(name=q) for q in queues])
                await s.commit()
        await engine.dispose()

    asyncio.run(migrate())
    return url
