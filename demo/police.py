"""Writing the 公安 registry through SQLAlchemy's async engine (aiosqlite or asyncpg)."""

import asyncio
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.schema import CreateIndex, CreateTable

from demo.police_schema import gate_events, metadata, residents

CHUNK = 20_000
_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+pysqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+psycopg": "postgresql+asyncpg",
    "postgresql+psycopg2": "postgresql+asyncpg",
}


def default_url(out_dir: Path) -> str:
    return f"sqlite:///{(out_dir / 'police.sqlite').as_posix()}"


def async_url(url: str) -> str:
    """The same database addressed through a driver this project has (aiosqlite / asyncpg)."""
    parsed = make_url(url)
    driver = _ASYNC_DRIVERS.get(parsed.drivername, parsed.drivername)
    if driver not in ("sqlite+aiosqlite", "postgresql+asyncpg"):
        raise ValueError(f"unsupported police database URL scheme {parsed.drivername!r}; "
                         "use sqlite:///FILE or postgresql://USER@HOST:PORT/DB")
    return parsed.set(drivername=driver).render_as_string(hide_password=False)


def _chunks(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


async def _insert(conn: AsyncConnection, table: Table, rows: Iterable[dict[str, Any]]) -> int:
    count = 0
    for batch in _chunks(rows, CHUNK):
        await conn.execute(table.insert(), batch)
        count += len(batch)
    return count


async def _write(url: str, resident_rows: Iterable[dict[str, Any]],
                 event_rows: Iterable[dict[str, Any]]) -> None:
    engine = create_async_engine(async_url(url))
    tables = (residents, gate_events)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.drop_all)
            for table in tables:  # indexes after the rows: bulk loading is faster that way
                await conn.execute(CreateTable(table))
            await _insert(conn, residents, resident_rows)
            await _insert(conn, gate_events, event_rows)
            for table in tables:
                for index in sorted(table.indexes, key=lambda i: str(i.name)):
                    await conn.execute(CreateIndex(index))
    finally:
        await engine.dispose()


def write_police(url: str, resident_rows: Iterable[dict[str, Any]],
                 event_rows: Iterable[dict[str, Any]]) -> None:
    """Drop and recreate both tables, then bulk-insert the rows in one transaction.

    Callable from synchronous code and, on a helper thread, from inside a running event loop.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(_write(url, resident_rows, event_rows))
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(lambda: asyncio.run(_write(url, resident_rows, event_rows))).result()
