"""Run Alembic migrations from inside the application (on start, and from the CLI)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", url)
    return cfg


async def upgrade(engine: AsyncEngine, revision: str = "heads") -> None:
    """Bring the schema of ``engine``'s database to ``revision``."""

    def _do(conn: Connection) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)

    async with engine.begin() as conn:
        await conn.run_sync(_do)


async def current(engine: AsyncEngine) -> str | None:
    """The applied revisions (one per package branch), comma-separated."""
    from alembic.runtime.migration import MigrationContext

    def _cur(conn: Connection) -> str | None:
        heads = MigrationContext.configure(conn).get_current_heads()
        return ", ".join(sorted(heads)) or None

    async with engine.connect() as conn:
        return await conn.run_sync(_cur)
