"""The hub records' schema comes from Alembic migrations, and they say what the models say."""

import asyncio

import pytest
from sqlalchemy import text

from hub.records import db as records_db
from hub.records.db import Base
from hub.records.migrate import VERSION_TABLE, differences, migrate
from tests.support.postgres import PostgresServer


async def _state(url: str) -> tuple[list[object], str]:
    engine = records_db.open_engine(url)
    try:
        async with engine.connect() as conn:
            found = await conn.run_sync(differences)
            version = (await conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))).scalar()
        return found, version
    finally:
        await engine.dispose()


@pytest.fixture(params=["postgresql", "sqlite"])
def empty_database(request: pytest.FixtureRequest, postgres: PostgresServer,
                   tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('records')}/hub.sqlite"
    return postgres.create_database(f"migrate_{len(request.node.name)}_{id(request)}")


async def test_migrations_build_what_the_models_declare(empty_database: str) -> None:
    """Fails when a model changed without its revision: `hub records revision "…"`."""
    engine = records_db.open_engine(empty_database)
    try:
        await migrate(engine)
        await migrate(engine)  # a second start changes nothing
    finally:
        await engine.dispose()
    found, version = await _state(empty_database)
    assert found == [], f"models and migrations differ: {found}"
    assert version


async def test_workers_starting_together_migrate_once(postgres: PostgresServer) -> None:
    url = postgres.create_database("migrate_together")
    engines = [records_db.open_engine(url) for _ in range(4)]
    try:
        await asyncio.gather(*[migrate(engine) for engine in engines])
    finally:
        for engine in engines:
            await engine.dispose()
    assert (await _state(url))[0] == []


async def test_a_database_from_before_migrations_is_adopted(postgres: PostgresServer) -> None:
    """Tables made by the hub before it had migrations: stamped, kept, nothing recreated."""
    url = postgres.create_database("migrate_adopted")
    engine = records_db.open_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
            await conn.execute(text(
                "INSERT INTO access_log (seq, at, principal, roles, jurisdictions, operation, "
                "operation_name, decision, entities, fields, detail, prev_hash, hash) VALUES "
                "(1, 'a', 'p', '', '', 'q', '', 'allow', '', '', '', '', 'h')"))
        await migrate(engine)
        async with engine.connect() as conn:
            kept = (await conn.execute(text("SELECT count(*) FROM access_log"))).scalar()
    finally:
        await engine.dispose()
    assert kept == 1
    assert (await _state(url))[0] == []
