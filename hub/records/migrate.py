"""The hub records' schema, kept by Alembic migrations (hub/records/migrations/versions).

Every start migrates to the newest revision, one process at a time (on PostgreSQL an advisory
lock: N workers or replicas starting together). A database made before migrations existed
(tables, no `alembic_version`) is stamped first: at the newest revision when it already has
every table, else at the baseline. `hub records revision "message"` writes the next revision
from what the models declare beyond the newest one.
"""

import tempfile
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, create_engine, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.records import tables  # noqa: F401  (every domain's tables on Base)
from hub.records.db import Base

MIGRATIONS = Path(__file__).parent / "migrations"
BASELINE = "0001"
LOCK_KEY = 0x6875625F6D696772  # "hub_migr"
VERSION_TABLE = "alembic_version"


def config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


async def migrate(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
        await conn.run_sync(_upgrade)


def _upgrade(connection: Connection) -> None:
    cfg = config(connection)
    present = set(inspect(connection).get_table_names())
    if present and VERSION_TABLE not in present:
        declared = set(Base.metadata.tables)
        command.stamp(cfg, "head" if declared <= present else BASELINE)
    command.upgrade(cfg, "head")


def differences(connection: Connection) -> list[object]:
    """What the models declare that the database does not have (or otherwise)."""
    return compare_metadata(MigrationContext.configure(connection), Base.metadata)


def revision(message: str) -> Path | None:
    """The next revision from the models, against a scratch database at the newest one;
    None when there is nothing to write."""
    with tempfile.TemporaryDirectory() as scratch:
        engine = create_engine(f"sqlite:///{scratch}/scratch.sqlite")
        with engine.begin() as connection:
            command.upgrade(config(connection), "head")
            if not differences(connection):
                return None
            number = len(list((MIGRATIONS / "versions").glob("[0-9]*.py"))) + 1
            script = command.revision(config(connection), message=message, autogenerate=True,
                                      rev_id=f"{number:04d}")
        engine.dispose()
    return Path(script.path) if script else None  # type: ignore[union-attr]
