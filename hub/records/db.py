"""The hub records database: SQLite in the data dir by default, PostgreSQL by DATABASE_URL.

Each domain declares its tables on `Base` in its own module; Alembic migrations
(hub.records.migrate) bring a database to them.
"""

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase

from hub.errors import ConfigError


class Base(DeclarativeBase):
    pass


def _async_url(url: str) -> str:
    for plain, driver in (
        ("sqlite://", "sqlite+aiosqlite://"),
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
    ):
        if url.startswith(plain):
            return driver + url[len(plain) :]
    return url


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    """Write-ahead log, still synced on every commit: one fsync per transaction instead of the
    rollback journal's several (each request's access-log append is a transaction), and
    readers in other processes are not blocked by a writer."""
    cursor = connection.cursor()
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=10000"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def open_engine(url: str) -> AsyncEngine:
    async_url = _async_url(url)
    sqlite = async_url.startswith("sqlite")
    try:
        # A file database has no connection to lose: no ping before each use.
        engine = create_async_engine(async_url, pool_pre_ping=not sqlite)
    except Exception as exc:  # an unknown dialect or driver: say which setting is wrong
        raise ConfigError(f"DATABASE_URL: cannot open {url.split('@')[-1]}: {exc}") from None
    if sqlite:
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


async def create_tables(engine: AsyncEngine) -> None:
    """The schema at its newest revision (hub.records.migrate)."""
    from hub.records.migrate import migrate

    await migrate(engine)


def sessions(engine: AsyncEngine) -> async_sessionmaker:
    return async_sessionmaker(engine, expire_on_commit=False)
