"""Bad messages are kept aside and counted, never stop the stream; a broker that goes away
is reconnected to with nothing lost; a webhook with a wrong signature is refused."""

import asyncio

import httpx
import orjson

from demo.devices.publish import Publisher
from demo.devices.registry import Device
from demo.devices.simulate import message
from hub.runtime import Runtime
from hub.streams import broker as mqtt_broker
from hub.streams.ingest import ASIDE
from hub.streams.service import Streams
from hub.streams.webhook import sign
from tests.streams.conftest import at, payload, stream_entries, wait_for


def aside_count(connector: str, reason: str) -> float:
    return ASIDE.labels(connector, reason)._value.get()


async def test_bad_messages_are_kept_aside_counted_and_the_stream_goes_on(
    runtime: Runtime, streams: Streams, publisher: Publisher, devices: list[Device],
) -> None:
    store = streams.ingests["property_iot"].store
    before = (await store.counts())["dead_letters"]
    reasons = ("not_json", "unknown_device", "unknown_type", "time_without_offset", "no_key")
    counted = {r: aside_count("property_iot", r) for r in reasons}
    door = next(d for d in devices if d.kind == "door")
    publisher.send("iot/door/x", b"{not json")
    publisher.send("iot/door/x", payload(msgId="t4-ghost", deviceSn="NO-SUCH-DEVICE", kind="door",
                                         ts=1781500000))
    publisher.send("iot/door/x", payload(msgId="t4-odd", deviceSn=door.key, kind="teleport",
                                         ts=1781500000))
    publisher.send("iot/door/x", payload(msgId="t4-naive", deviceSn=door.key, kind="door",
                                         ts="2026-06-15T08:00:00"))
    publisher.send("iot/door/x", payload(deviceSn=door.key, kind="door", ts=1781500000))
    publisher.send(*message(door, "door_access", at(8, 1), "t4-good"))
    publisher.flush()
    assert await wait_for(lambda: stream_entries(runtime, "property_iot", "t4-good"))
    assert (await store.counts())["dead_letters"] == before + 5
    assert {r: aside_count("property_iot", r) - counted[r] for r in reasons} == dict.fromkeys(
        reasons, 1)
    kept = {row["reason"]: row["payload"] for row in await store.dead(5)}
    assert kept["not_json"] == b"{not json"
    assert orjson.loads(kept["unknown_device"])["deviceSn"] == "NO-SUCH-DEVICE"
    assert await stream_entries(runtime, "property_iot", "t4-ghost") == []


async def test_a_broker_restart_mid_stream_loses_nothing(
    runtime: Runtime, streams: Streams, broker: mqtt_broker.EmbeddedBroker,
    devices: list[Device],
) -> None:
    meter = next(d for d in devices if d.kind == "water")
    sent = [message(meter, "water_use", at(6 + i // 60, i % 60), f"t5-{i:03d}", 10.0)
            for i in range(300)]
    first = Publisher(broker.url("devices"), client_id="test-restart-1")
    for topic, body in sent[:150]:
        first.send(topic, body)
    first.close()
    await asyncio.to_thread(broker.restart)
    second = Publisher(broker.url("devices"), client_id="test-restart-2")
    for topic, body in sent[150:]:
        second.send(topic, body)
    second.close()

    async def all_there() -> list[dict[str, str]] | None:
        found = await stream_entries(runtime, "property_iot", "t5-")
        return found if len(found) >= 300 else None

    entries = await wait_for(all_there, timeout=60)
    got = await stream_entries(runtime, "property_iot", "t5-")
    assert entries is not None, (len(got), streams.subscribers["property_iot"].connection,
                                 broker.engine)
    assert sorted(e["key"] for e in entries) == [f"t5-{i:03d}" for i in range(300)]
    assert {e["value"] for e in entries} == {"10"}
    assert streams.subscribers["property_iot"].connection >= 2  # it reconnected


async def test_a_webhook_with_a_wrong_signature_is_refused(
    runtime: Runtime, streams: Streams, client: httpx.AsyncClient, devices: list[Device],
) -> None:
    lamp = next(d for d in devices if d.department == "lights")
    _, body = message(lamp, "streetlight_fault", at(20, 15), "t6-lamp")
    secret = streams.secrets["lights"]
    refused = await client.post("/streams/lights", content=body,
                                headers={"X-Hub-Signature-256": sign(b"wrong", body)})
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "UNAUTHENTICATED"
    unsigned = await client.post("/streams/lights", content=body)
    assert unsigned.status_code == 401
    assert await stream_entries(runtime, "lights", "t6-") == []

    batch = b"[" + body + b', {"id": "t6-bad"}]'
    taken = await client.post("/streams/lights", content=batch,
                              headers={"X-Hub-Signature-256": sign(secret, batch)})
    assert taken.status_code == 200
    assert taken.json() == {"stored": 1, "duplicates": 0, "aside": {"unknown_type": 1}}
    [entry] = await stream_entries(runtime, "lights", "t6-")
    assert entry["type"] == "streetlight_fault" and entry["thing"].startswith("thg_")
    nobody = await client.post("/streams/nobody", content=body,
                               headers={"X-Hub-Signature-256": sign(secret, body)})
    assert nobody.status_code == 404
