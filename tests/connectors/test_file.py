"""CSV specifics: BOM, typed values, inherited jurisdiction, reload on change, bad files."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

import pytest

from connectors import ConnectorConfig, build_connector, round_trips
from hub.errors import ConnectorError, MalformedRecord
from tests.connectors import data
from tests.connectors.conftest import Make, write_csv

pytestmark = pytest.mark.asyncio


async def test_bom_header_and_typed_values(make: Make, property_dir: Path) -> None:
    assert (property_dir / "buildings.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    prop = await make("property")
    building = (await prop.fetch("building", ["B002"]))["B002"]
    assert isinstance(building, dict)
    assert building["floors"] == 12 and building["builtYear"] == 1998
    assert building["_jurisdiction"] == data.G3 and building["buildingNo"] == "2幢"


async def test_jurisdiction_is_inherited_through_references(make: Make) -> None:
    prop = await make("property")
    order = (await prop.fetch("repair_order", ["WX00004"]))["WX00004"]  # R004 → B002
    facility = (await prop.fetch("facility", ["SS0003"]))["SS0003"]  # B002
    assert isinstance(order, dict) and isinstance(facility, dict)
    assert order["_jurisdiction"] == facility["_jurisdiction"] == data.G3
    assert order["eventType"] == "repair_order" and order["closedAt"] is None
    assert order["occurredAt"] == datetime(2024, 4, 4, 9, 0)
    assert facility["installedAt"] == date(2010, 5, 1) and facility["category"] == "电梯"
    scoped = await prop.query("repair_order", {}, ["330105004002"], 0, 10)
    assert [r["_key"] for r in scoped.records] == ["WX00004"]


async def test_file_is_read_once_and_reloaded_when_changed(make: Make, property_dir: Path) -> None:
    prop = await make("property")
    before = round_trips("property", "room_owner")
    await prop.fetch("room_owner", ["R001"])
    await prop.fetch("room_owner", ["R002"])
    await prop.query("room_owner", {}, None, 0, 5)
    assert round_trips("property", "room_owner") - before == 1
    rows = [dict(r) for r in data.ROOMS]
    rows[0]["owner_name"] = "赵敏"
    path = property_dir / "rooms.csv"
    stat = path.stat()
    write_csv(path, rows)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))
    record = (await prop.fetch("room_owner", ["R001"]))["R001"]
    assert isinstance(record, dict) and record["name"] == "赵敏"
    assert round_trips("property", "room_owner") - before == 2


async def test_plain_utf8_without_bom(make: Make, property_dir: Path) -> None:
    path = property_dir / "facilities.csv"
    path.write_bytes(path.read_bytes().removeprefix(b"\xef\xbb\xbf"))
    prop = await make("property")
    assert sorted(await prop.fetch("facility", ["SS0001", "SS0002"])) == ["SS0001", "SS0002"]


async def test_missing_file_and_missing_column(make: Make, property_dir: Path) -> None:
    prop = await make("property")
    (property_dir / "facilities.csv").unlink()
    with pytest.raises(ConnectorError, match=r"cannot read facilities\.csv") as caught:
        await prop.fetch("facility", ["SS0001"])
    assert caught.value.connector == "property"
    write_csv(property_dir / "repair_orders.csv", [{"order_no": "WX1", "room_id": "R001"}])
    with pytest.raises(ConnectorError, match="has no column") as missing:
        await prop.fetch("repair_order", ["WX1"])
    assert not missing.value.retriable


async def test_errors_never_quote_id_numbers(tmp_path: Path) -> None:
    id_number = "33010519800101001X"
    write_csv(tmp_path / "people.csv", [{"sfz": id_number, "born": "yesterday", "grid": "3301"}])
    config = ConnectorConfig.model_validate(
        {
            "name": "census",
            "title": "人口普查",
            "kind": "file",
            "url": str(tmp_path),
            "types": {
                "person": {
                    "entity": "Person",
                    "source": "people.csv",
                    "key": "sfz",
                    "jurisdiction": "grid",
                    "fields": {"idNumber": "sfz", "birthDate": "born"},
                }
            },
        }
    )
    connector = build_connector(config)
    error = (await connector.fetch("person", [id_number]))[id_number]
    assert isinstance(error, MalformedRecord)
    assert "birthDate" in error.message and "census" in error.message
    assert id_number not in error.message and "yesterday" not in error.message
    await connector.close()
