"""The stream departments of a runtime: one ingest each, a subscription for the mqtt ones."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import os
from dataclasses import dataclass, field

from connectors.stream import StreamConnector
from hub.streams.ingest import Ingest
from hub.streams.mqtt import Subscriber

log = logging.getLogger("hub.streams")


@dataclass
class Streams:
    ingests: dict[str, Ingest] = field(default_factory=dict)
    subscribers: dict[str, Subscriber] = field(default_factory=dict)
    secrets: dict[str, bytes] = field(default_factory=dict)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self.tasks.clear()


def stream_connectors(runtime: object) -> list[StreamConnector]:
    registry = runtime.registry  # type: ignore[attr-defined]
    return [c for c in registry if isinstance(c, StreamConnector)]


def webhook_secret(
    connector: StreamConnector, link_secret: str, production: bool
) -> bytes | None:
    """The department's shared secret from its `secret_env`; in development, one derived
    from the link secret when the variable is unset; in production none (its webhook stays
    closed, and the log says why)."""
    stream = connector.config.stream
    assert stream is not None and stream.secret_env
    given = os.environ.get(stream.secret_env, "").strip()
    if given:
        return given.encode()
    if production:
        log.error("%s: webhook closed: $%s is not set", connector.name, stream.secret_env)
        return None
    return hmac.new(link_secret.encode(), f"webhook:{connector.name}".encode(),
                    hashlib.sha256).hexdigest().encode()


async def start_streams(runtime: object, mqtt_url: str | None,
                        client_prefix: str = "hub") -> Streams:
    """An ingest per stream department (devices linked first); mqtt ones subscribe when a
    broker is given. The ingests are put on the runtime for the webhook route."""
    settings = runtime.settings  # type: ignore[attr-defined]
    streams = Streams()
    for connector in stream_connectors(runtime):
        ingest = Ingest(connector, runtime.store, runtime.redis,  # type: ignore[attr-defined]
                        runtime.keys)  # type: ignore[attr-defined]
        await ingest.start()
        streams.ingests[connector.name] = ingest
        if connector.kind == "webhook":
            secret = webhook_secret(connector, settings.link_secret, settings.production)
            if secret is not None:
                streams.secrets[connector.name] = secret
        elif mqtt_url:
            subscriber = Subscriber(ingest, mqtt_url, f"{client_prefix}-{connector.name}")
            streams.subscribers[connector.name] = subscriber
            streams.tasks.append(asyncio.create_task(subscriber.run()))
    runtime.streams = streams  # type: ignore[attr-defined]
    return streams
