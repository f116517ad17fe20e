"""The police registry written to PostgreSQL, given a plain postgresql:// URL."""

from datetime import date, datetime
from pathlib import Path

import asyncpg

from demo.generate import generate
from tests.demo.conftest import AS_OF, query
from tests.support.postgres import PostgresServer


async def test_police_registry_in_postgres(tmp_path: Path, postgres: PostgresServer) -> None:
    url = postgres.create_database("demo_police")
    generate(tmp_path, 9, 400, url, as_of=AS_OF)
    generate(tmp_path, 9, 400, url, as_of=AS_OF)  # regenerating drops and recreates
    assert not (tmp_path / "demo" / "police.sqlite").exists()
    conn = await asyncpg.connect(url)
    try:
        residents = await conn.fetch("SELECT * FROM residents ORDER BY person_no")
        events = await conn.fetchval("SELECT COUNT(*) FROM gate_events")
        indexes = {r["indexname"] for r in await conn.fetch(
            "SELECT indexname FROM pg_indexes WHERE tablename IN ('residents', 'gate_events')")}
    finally:
        await conn.close()
    assert len(residents) == 400 and events == 400
    first = residents[0]
    assert first["person_no"] == "GA00000001"
    assert isinstance(first["birth_date"], date) and isinstance(first["updated_at"], datetime)
    for column in ("grid_code", "id_number", "name", "household_no"):
        assert f"ix_residents_{column}" in indexes
    assert "ix_gate_events_person_no" in indexes
    # The same seed gives the same people whichever database holds them.
    sqlite_dir = tmp_path / "sqlite"
    generate(sqlite_dir, 9, 400, None, as_of=AS_OF)
    local = query(sqlite_dir / "demo" / "police.sqlite",
                  "SELECT person_no, name, id_number FROM residents ORDER BY person_no")
    assert [(r["person_no"], r["name"], r["id_number"]) for r in residents] == [
        (r["person_no"], r["name"], r["id_number"]) for r in local]
