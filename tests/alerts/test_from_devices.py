"""The whole way: a smoke detector publishes over MQTT, the stream department stores and
links it and appends it to the event stream, the rule engine raises the alert, and the grid
worker of the detector's grid reads it with its evidence (the event as the graph links it)."""

import httpx

from demo.devices.publish import Publisher
from demo.devices.registry import Device
from demo.devices.simulate import message
from hub.runtime import Runtime
from hub.streams.service import Streams
from tests.alerts.conftest import grid_worker, settle
from tests.civic.conftest import Caller
from tests.streams.conftest import at, broker, devices, publisher, stream_entries, streams, wait_for

__all__ = ["broker", "devices", "publisher", "streams"]  # the streams' fixtures, used here

FOUND = """{ alerts(filter: {rule: "smoke_alarm"}) { edges { node { id place { id }
  evidence { kind eventType at place { id } thing { id } } } } } }"""


async def test_a_published_smoke_alarm_becomes_an_alert_for_the_grid_worker(
    runtime: Runtime, streams: Streams, publisher: Publisher, devices: list[Device],
    client: httpx.AsyncClient,
) -> None:
    detector = next(d for d in devices if d.kind == "smoke")
    publisher.send(*message(detector, "smoke_alarm", at(23, 40), "alerts-e2e-smoke-1"))
    publisher.flush()
    [entry] = await wait_for(lambda: stream_entries(runtime, "property_iot", "alerts-e2e-"))
    await settle(runtime)
    data = await Caller(client, grid_worker(detector.jurisdiction)).data(FOUND)
    mine = [e["node"] for e in data["alerts"]["edges"]
            if any(p["thing"] and p["thing"]["id"] == entry["thing"]
                   for p in e["node"]["evidence"])]
    assert len(mine) == 1
    [proof] = [p for p in mine[0]["evidence"] if p["thing"]["id"] == entry["thing"]]
    assert proof["eventType"] == "smoke_alarm" and proof["at"].startswith("2026-06-15T15:40")
    assert proof["place"]["id"] == entry["place"]
    building = (await runtime.alerts.world.buildings([entry["place"]]))[entry["place"]][0]
    assert mine[0]["place"]["id"] == building  # the alert is about the detector's building
