"""SQL specifics: statement shape, references and constants, IN filters, driver errors."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from connectors import ConnectorConfig, build_connector
from connectors.sql import SqlConnector
from hub.errors import BadInput, ConnectorError
from tests.connectors.conftest import Make, retype
from tests.connectors.server import refused_port

pytestmark = pytest.mark.asyncio


def _capture(connector: Any) -> list[str]:
    seen: list[str] = []
    assert isinstance(connector, SqlConnector)

    def capture(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(connector.engine.sync_engine, "before_cursor_execute", capture)
    return seen


async def test_fetch_is_one_select_of_mapped_columns(make: Make) -> None:
    police = await make("police")
    statements = _capture(police)
    await police.fetch("resident", ["GA00000001", "GA00000002", "GA00000003"])
    (sql,) = statements
    assert sql.startswith("SELECT residents.person_no, residents.grid_code, residents.name")
    assert "WHERE residents.person_no IN (?, ?, ?)" in sql
    assert "updated_at" not in sql  # not mapped: not read


async def test_constants_and_references(make: Make) -> None:
    police = await make("police")
    page = await police.query("gate_event", {"personKey": "GA00000001"}, None, 0, 10)
    assert [r["_key"] for r in page.records] == ["MJ000001", "MJ000002"]
    first = page.records[0]
    assert first["eventType"] == "gate_access" and first["personKey"] == "GA00000001"
    assert police.config.types["gate_event"].refs == {"personKey": "resident"}


async def test_list_filter_becomes_in(make: Make) -> None:
    police = await make("police")
    statements = _capture(police)
    page = await police.query("resident", {"householdNo": ["HH0001", "HH0002"]}, None, 0, 10)
    assert [r["_key"] for r in page.records] == [f"GA{n:08d}" for n in (1, 2, 3, 4)]
    assert "residents.household_no IN (?, ?)" in statements[0]
    assert (await police.query("resident", {"householdNo": []}, None, 0, 10)).total == 0


async def test_offset_past_the_end_still_counts(make: Make) -> None:
    police = await make("police")
    page = await police.query("resident", {"gender": "女"}, None, 100, 10)
    assert page.records == [] and page.total == 6


async def test_jurisdiction_filter_intersects_scope(make: Make) -> None:
    police = await make("police")
    page = await police.query("resident", {"_jurisdiction": "33010500400102"}, ["330105004"], 0, 10)
    assert [r["_key"] for r in page.records] == ["GA00000005", "GA00000006"]
    assert list(page.errors) == ["GA00000007"]


async def test_unknown_filter_is_bad_input(make: Make) -> None:
    police = await make("police")
    with pytest.raises(BadInput, match="ethnicity"):
        await police.query("resident", {"ethnicity": "汉族"}, None, 0, 10)


async def test_missing_table_is_not_retriable(departments: dict[str, ConnectorConfig]) -> None:
    config = retype(departments["police"], "resident", source="no_such_table")
    police = build_connector(config)
    try:
        with pytest.raises(ConnectorError, match="police: resident: OperationalError") as caught:
            await police.fetch("resident", ["GA00000001"])
        assert caught.value.connector == "police" and not caught.value.retriable
        assert "no such table" in (caught.value.detail or "")  # for the log, not the caller
    finally:
        await police.close()


async def test_unreachable_database_is_retriable(departments: dict[str, ConnectorConfig]) -> None:
    with refused_port() as port:
        url = f"postgresql+asyncpg://hub@127.0.0.1:{port}/nothing"
        police = build_connector(departments["police"].model_copy(update={"url": url}))
        try:
            with pytest.raises(ConnectorError) as caught:
                await police.query("resident", {}, None, 0, 5)
            assert caught.value.retriable and caught.value.message.startswith("police: ")
            assert "127.0.0.1" not in caught.value.message  # where it runs: the log's only
        finally:
            await police.close()


async def test_unknown_record_type(make: Make) -> None:
    police = await make("police")
    with pytest.raises(ConnectorError, match="no record type 'car'"):
        await police.fetch("car", ["x"])
