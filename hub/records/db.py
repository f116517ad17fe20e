"""The hub records database: SQLite in the data dir by default, PostgreSQL by DATABASE_URL.

Each domain declares its tables on `Base` in its own module; `create_tables` makes what is missing.
"""

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


def open_engine(url: str) -> AsyncEngine:
    try:
        return create_async_engine(_async_url(url), pool_pre_ping=True)
    except Exception as exc:  # an unknown dialect or driver: say which setting is wrong
        raise ConfigError(f"DATABASE_URL: cannot open {url.split('@')[-1]}: {exc}") from None


async def create_tables(engine: AsyncEngine) -> None:
    from hub.records import tables  # noqa: F401  (registers every domain's tables on Base)

    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)


def sessions(engine: AsyncEngine) -> async_sessionmaker:
    return async_sessionmaker(engine, expire_on_commit=False)
