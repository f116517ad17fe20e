"""The registry over the real department files pointed at the fixture sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors import Connector, ConnectorConfig, Registry, round_trips
from hub.errors import ConnectorError
from hub.standard import EntityKind
from hub.streams.store import EventStore
from tests.connectors import data
from tests.connectors.conftest import DEPARTMENTS

pytestmark = pytest.mark.asyncio

# Rows of each fixture source (tests/connectors/data.py, the hotline's two work orders).
FIXTURE_ROWS = {
    "police/resident": len(data.RESIDENTS),
    "police/gate_event": len(data.GATE_EVENTS),
    "civil/care_record": len(data.CARE_RECORDS),
    "urban/case": len(data.CASES),
    "property/building": len(data.BUILDINGS),
    "property/room": len(data.ROOMS) - 1,  # a file is read whole: its malformed row is left out
    "property/room_owner": len(data.ROOMS) - 1,
    "property/repair_order": len(data.REPAIR_ORDERS),
    "property/facility": len(data.FACILITIES),
    "hotline/work_order": 2,
}
STREAMED = ["security", "property_iot", "lights"]  # their event stores, empty here


async def test_registry_builds_every_department(
    departments: dict[str, ConnectorConfig], tmp_path: Path
) -> None:
    async with Registry.load(tmp_path, DEPARTMENTS) as registry:
        assert registry.names == ["police", "civil", "urban", "property", "hotline", *STREAMED]
        assert "civil" in registry and len(registry) == 8
        for name in STREAMED:
            connector = registry[name]
            await EventStore(connector.engine, 1000).create()  # type: ignore[attr-defined]
        assert all(isinstance(c, Connector) for c in registry)
        with pytest.raises(ConnectorError, match="no such connector"):
            registry.get("tax")
        before, sizes = round_trips(), {}
        for connector in registry:
            for record_type in connector.config.types:
                page = await connector.query(record_type, {}, None, 0, 2)
                sizes[f"{connector.name}/{record_type}"] = (page.total, len(page.records))
        empty = {f"{name}/{t}": (0, 0) for name in STREAMED for t in ("device", "event")}
        assert sizes == {ref: (total, 2) for ref, total in FIXTURE_ROWS.items()} | empty
        # one each (the count rides along), two for an empty page (no row to carry it)
        assert round_trips() - before == len(FIXTURE_ROWS) + 2 * len(empty)


async def test_who_serves_what(departments: dict[str, ConnectorConfig]) -> None:
    registry = Registry.from_configs(departments.values())
    try:
        persons = [s.ref for s in registry.sources(EntityKind.PERSON)]
        assert persons == ["police/resident", "civil/care_record", "property/room_owner"]
        assert [s.ref for s in registry.sources("Person", "idNumber")] == [
            "police/resident",
            "civil/care_record",
        ]
        events = [s.ref for s in registry.sources("Event", "eventType")]
        assert events == [
            "police/gate_event",
            "urban/case",
            "property/repair_order",
            "hotline/work_order",
            "security/event",
            "property_iot/event",
            "lights/event",
        ]
        status = [s.ref for s in registry.filterable("Event", "status")]
        assert status == ["urban/case", "property/repair_order", "hotline/work_order"]
        scoped = [s.ref for s in registry.filterable("Place", "_jurisdiction")]
        assert scoped == ["property/building", "property/room"]
        first = registry.sources("Person", "phone")[0]
        assert (first.name, first.record_type, first.priority) == ("police", "resident", 10)
        assert first.connector is registry["police"]
    finally:
        await registry.close()
