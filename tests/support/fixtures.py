"""Session fixtures for the root conftest: `from tests.support.fixtures import postgres`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.postgres import (
    PostgresNotInstalled,
    PostgresServer,
    start_postgres,
    stop_postgres,
)


def start_postgres_or_fail(database: str = "hub_test") -> PostgresServer:
    """`start_postgres`, turning missing binaries into a test failure (never a skip)."""
    try:
        return start_postgres(database)
    except PostgresNotInstalled as exc:
        message = str(exc)
    pytest.fail(message, pytrace=False)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL server for the whole session, database `hub_test`.

    Use `postgres.async_url` (postgresql+asyncpg://…) or `postgres.url` (postgresql://…);
    `postgres.create_database(name)` makes another database on it.
    """
    server = start_postgres_or_fail()
    try:
        yield server
    finally:
        stop_postgres(server)
