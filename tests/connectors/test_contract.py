"""The connector contract (docs/contracts.md, "Connectors"), run against every connector kind
on real fixture sources: SQLite and PostgreSQL, a live HTTP server, CSV files."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from connectors import Connector, round_trips
from connectors.sql import SqlConnector
from hub.errors import MalformedRecord
from tests.connectors import data
from tests.connectors.conftest import SCOPE, Case, Make
from tests.connectors.server import FixtureServer

pytestmark = pytest.mark.asyncio


async def _build(make: Make, case: Case, page: int | None = None) -> Connector:
    return await make(case.connector, page=page, backend=case.backend)


def _statements(connector: Connector) -> list[str]:
    """Every SQL statement the connector's engine sends, captured at the cursor."""
    assert isinstance(connector, SqlConnector)
    seen: list[str] = []

    def capture(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(connector.engine.sync_engine, "before_cursor_execute", capture)
    return seen


async def test_fetch_is_one_round_trip(make: Make, case: Case) -> None:
    connector = await _build(make, case)
    wanted = [*case.good[:4], "NO-SUCH-KEY", case.good[0]]
    before = round_trips(case.connector, case.record_type)
    got = await connector.fetch(case.record_type, wanted)
    assert round_trips(case.connector, case.record_type) - before == 1
    assert sorted(got) == sorted(case.good[:4])
    assert "NO-SUCH-KEY" not in got
    assert all(record["_key"] == key for key, record in got.items())


async def test_fetch_empty_and_unknown_keys(make: Make, case: Case) -> None:
    connector = await _build(make, case)
    assert await connector.fetch(case.record_type, []) == {}
    assert await connector.fetch(case.record_type, ["NOPE-1", "NOPE-2"]) == {}


async def test_values_are_converted_to_standard_types(make: Make, case: Case) -> None:
    connector = await _build(make, case)
    record = (await connector.fetch(case.record_type, [case.sample_key]))[case.sample_key]
    assert isinstance(record, dict)
    for name, expected in case.sample.items():
        assert record[name] == expected, name
        assert type(record[name]) is type(expected), name
    assert set(record) <= {
        *connector.config.types[case.record_type].standard,
        "_key",
        "_jurisdiction",
    }


async def test_malformed_row_fails_only_its_key(make: Make, case: Case) -> None:
    connector = await _build(make, case)
    got = await connector.fetch(case.record_type, [case.good[0], case.malformed])
    assert isinstance(got[case.good[0]], dict)
    error = got[case.malformed]
    assert isinstance(error, MalformedRecord)
    assert not error.retriable
    for part in (case.connector, case.record_type, case.malformed, case.malformed_field):
        assert part in error.message
    raw = {
        "police": data.RESIDENTS[6]["birth_date"],
        "civil": data.CARE_RECORDS[5]["subsidy_amount"],
        "urban": data.CASES[3]["reported_at"],
        "property": data.ROOMS[4]["area_sqm"],
    }[case.connector]
    assert str(raw) not in error.message


async def test_filter_is_pushed_down(make: Make, case: Case, server: FixtureServer) -> None:
    connector = await _build(make, case)
    statements = _statements(connector) if case.kind == "sql" else []
    page = await connector.query(case.record_type, case.filters, None, 0, 50)
    assert [r["_key"] for r in page.records] == case.filtered
    assert page.total == len(case.filtered)
    ((field, value),) = case.filters.items()
    column = connector.config.types[case.record_type].filters[field]
    if case.kind == "sql":
        (query,) = [s for s in statements if "count(*) OVER" in s]
        assert f"WHERE {connector.config.types[case.record_type].source}.{column} =" in query
    if case.kind == "rest":
        sent = server.state.params(connector.config.types[case.record_type].source)
        assert sent and all(p[column] == value for p in sent)


async def test_scope_is_pushed_down(make: Make, case: Case, server: FixtureServer) -> None:
    connector = await _build(make, case)
    statements = _statements(connector) if case.kind == "sql" else []
    page = await connector.query(case.record_type, {}, SCOPE, 0, 50)
    expected = [k for k in case.scoped if k != case.malformed]
    assert [r["_key"] for r in page.records] == expected
    assert all(r["_jurisdiction"].startswith(tuple(SCOPE)) for r in page.records)
    assert page.total == len(page.records) + len(page.errors)
    if case.malformed in case.scoped and case.kind != "file":
        assert list(page.errors) == [case.malformed]
    tc = connector.config.types[case.record_type]
    if case.kind == "sql":
        (query,) = [s for s in statements if "count(*) OVER" in s]
        assert query.count(f"{tc.jurisdiction} LIKE") == 2 and " OR " in query
    if case.kind == "rest":
        sent = server.state.params(tc.source)
        assert sorted(p[tc.filters["_jurisdiction"]] for p in sent) == SCOPE


async def test_filter_and_scope_combine(make: Make, case: Case) -> None:
    connector = await _build(make, case)
    page = await connector.query(case.record_type, case.filters, SCOPE, 0, 50)
    expected = sorted(set(case.filtered) & set(case.scoped) - {case.malformed})
    assert [r["_key"] for r in page.records] == expected


async def test_empty_scope_sees_nothing_without_asking(make: Make, case: Case) -> None:
    connector = await _build(make, case)
    before = round_trips(case.connector)
    page = await connector.query(case.record_type, {}, [], 0, 50)
    assert page.records == [] and page.total == 0
    assert round_trips(case.connector) == before


async def test_pagination_over_several_pages(make: Make, case: Case) -> None:
    connector = await _build(make, case, page=3)
    listed = case.good if case.kind == "file" else case.keys
    seen: list[str] = []
    for offset in range(0, len(listed) + 4, 4):
        page = await connector.query(case.record_type, {}, None, offset, 4)
        assert page.total == len(listed)
        seen.extend(sorted([r["_key"] for r in page.records] + list(page.errors)))
    assert seen == listed
    before = round_trips(case.connector, case.record_type)
    page = await connector.query(case.record_type, {}, None, 2, 5)
    got = sorted([r["_key"] for r in page.records] + list(page.errors))
    assert got == listed[2:7]
    if case.kind == "rest":  # pages of 3 cannot hold [2, 7): several requests
        assert round_trips(case.connector, case.record_type) - before >= 2


async def test_count_only_page(make: Make, case: Case) -> None:
    connector = await _build(make, case)
    page = await connector.query(case.record_type, {}, None, 0, 0)
    assert page.records == [] and page.total == len(case.good if case.kind == "file" else case.keys)


async def test_scan_streams_chunks_and_honours_since(make: Make, case: Case) -> None:
    connector = await _build(make, case, page=3)
    chunks = [chunk async for chunk in connector.scan(case.record_type)]
    assert len(chunks) >= 3 and all(len(c) <= 3 for c in chunks)
    assert sorted(r["_key"] for c in chunks for r in c) == case.good
    recent = [r async for c in connector.scan(case.record_type, since=data.SINCE) for r in c]
    assert sorted(r["_key"] for r in recent) == case.since_keys
