"""The engine goes on past an entry it cannot read: counted, acknowledged, never retried; the
good entries around it fire their rules."""

import httpx

from hub.alerts import signals
from hub.runtime import Runtime
from tests.alerts.conftest import Building, ago, grid_worker, pick, settle, xadd
from tests.civic.conftest import Caller


async def test_a_malformed_entry_is_counted_and_the_stream_goes_on(
    runtime: Runtime, client: httpx.AsyncClient, buildings: list[Building]
) -> None:
    building = pick(buildings, 1, "malformed")[0]
    engine = runtime.alerts.engine
    before = engine.bad_entries
    await runtime.redis.xadd(signals.STREAM, {"source": "security", "key": "x1",
                                              "type": "ufo_sighting", "at": "yesterday"})
    await runtime.redis.xadd(signals.STREAM, {"source": "security", "key": "x2",
                                              "type": "smoke_alarm", "at": "2026-06-15"})
    await xadd(runtime, "smoke_alarm", ago(0.01), building.id, jurisdiction=building.jurisdiction)
    await settle(runtime)
    assert engine.bad_entries == before + 2  # an unknown type; a time without an offset
    found = await Caller(client, grid_worker(building.jurisdiction)).data(
        'query($p: ID) { alerts(filter: {placeId: $p, rule: "smoke_alarm"}) { totalCount } }',
        p=building.id)
    assert found["alerts"]["totalCount"] == 1


def test_entries_are_read_as_the_contract_says() -> None:
    heard = signals.parse({b"source": b"water", b"key": b"m-1", b"type": b"water_use",
                           b"at": b"2026-06-14T21:03:05+08:00", b"place": b"plc_1",
                           b"thing": b"", b"person": b"", b"jurisdiction": b"33010500400101",
                           b"value": b"12.5"})
    assert (heard.ref, heard.value, heard.at.isoformat()) == (
        "water/m-1", 12.5, "2026-06-14T13:03:05+00:00")
