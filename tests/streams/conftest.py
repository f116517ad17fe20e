"""The session's hub with its stream departments subscribed to a real embedded broker."""

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime
from typing import Any

import orjson
import pytest

from demo.devices import registry
from demo.devices.publish import Publisher
from demo.devices.registry import Device
from hub.civic.periods import CST
from hub.runtime import Runtime
from hub.streams import broker as mqtt_broker
from hub.streams.ingest import STREAM
from hub.streams.service import Streams, start_streams
from tests.conftest import AS_OF, DEMO_SEED, DemoEnv


@pytest.fixture(scope="session")
def broker(demo: DemoEnv) -> Iterator[mqtt_broker.EmbeddedBroker]:
    server = mqtt_broker.start(demo.data_dir / "mqtt")
    yield server
    server.stop()


@pytest.fixture(scope="session")
async def streams(runtime: Runtime, link_report: Any,
                  broker: mqtt_broker.EmbeddedBroker) -> AsyncIterator[Streams]:
    started = await start_streams(runtime, broker.url(), client_prefix="test-hub")
    for subscriber in started.subscribers.values():
        await asyncio.to_thread(subscriber.connected.wait, 20)
    yield started
    await started.stop()


@pytest.fixture(scope="session")
def devices(demo: DemoEnv) -> list[Device]:
    return registry.build(demo.data_dir, DEMO_SEED)


@pytest.fixture
def publisher(broker: mqtt_broker.EmbeddedBroker, streams: Streams) -> Iterator[Publisher]:
    sender = Publisher(broker.url("devices"), client_id=f"test-devices-{time.monotonic_ns()}")
    yield sender
    sender.close()


def at(hour: int, minute: int = 0) -> datetime:
    """A time of the session's day (CST)."""
    return datetime(AS_OF.year, AS_OF.month, AS_OF.day, hour, minute, tzinfo=CST)


async def wait_for(check: Callable[[], Any], timeout: float = 30.0) -> Any:
    """Poll an async check until it returns something truthy (fails after `timeout`)."""
    deadline = time.monotonic() + timeout
    while True:
        found = await check()
        if found or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.1)


async def stream_entries(runtime: Runtime, source: str, prefix: str) -> list[dict[str, str]]:
    """Entries of hub:stream:events of `source` whose key starts with `prefix`."""
    found = []
    for _, fields in await runtime.redis.xrange(STREAM):
        entry = {k.decode() if isinstance(k, bytes) else k: v.decode() if isinstance(v, bytes)
                 else v for k, v in fields.items()}
        if entry["source"] == source and entry["key"].startswith(prefix):
            found.append(entry)
    return found


def payload(**fields: Any) -> bytes:
    return orjson.dumps(fields)
