"""An mqtt department's subscription: a persistent session (clean_session off, QoS 1), so
the broker keeps what arrives while the hub is away; each message is acknowledged (PUBACK)
only once its batch is stored, linked and appended. paho-mqtt runs the connection in its
own thread and reconnects with backoff (0.5 s doubling to 30 s); batches are handled here.

A PUBACK belongs to the connection that delivered the message: after a reconnect, messages
of the lost connection are not acknowledged (the broker sends them again, as duplicates)."""

from __future__ import annotations

import asyncio
import logging
import threading
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as paho

from hub.errors import ConfigError
from hub.streams.ingest import Ingest, Message, Outcome

log = logging.getLogger("hub.streams")

BATCH = 1000
LINGER = 0.02  # seconds a batch waits for more messages once it has one
RETRY = (0.5, 10.0)  # backoff of a batch the stores refused (not acknowledged meanwhile)

Delivered = tuple[int, paho.MQTTMessage]  # (connection number, message)


def parse_url(url: str) -> tuple[str, int, str | None, str | None]:
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "tcp") or not parts.hostname:
        raise ConfigError("HUB_MQTT_URL: expected mqtt://[user[:password]@]host[:port]")
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    return parts.hostname, parts.port or 1883, user, password


class Subscriber:
    def __init__(self, ingest: Ingest, url: str, client_id: str) -> None:
        self.ingest = ingest
        self.host, self.port, user, password = parse_url(url)
        self.topics = ingest.options.topics
        self.client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=client_id,
                                  clean_session=False, manual_ack=True)
        if user:
            self.client.username_pw_set(user, password)
        self.client.reconnect_delay_set(0.5, 30)
        self.client.on_connect = self._connected
        self.client.on_disconnect = self._disconnected
        self.client.on_message = self._message
        self.connection = 0
        self.connected = threading.Event()
        self.total = Outcome()
        self._queue: asyncio.Queue[Delivered] = asyncio.Queue()
        self._loop: asyncio.AbstractEventLoop | None = None

    # --- paho's thread -------------------------------------------------------------------

    def _connected(self, client: paho.Client, _u: object, _f: object, reason: object,
                   _p: object = None) -> None:
        if getattr(reason, "is_failure", False):
            log.warning("%s: broker refused the connection: %s", self.ingest.name, reason)
            return
        self.connection += 1
        client.subscribe([(topic, 1) for topic in self.topics])
        self.connected.set()
        log.info("%s: subscribed to %s", self.ingest.name, ", ".join(self.topics))

    def _disconnected(self, _c: object, _u: object, _f: object, reason: object,
                      _p: object = None) -> None:
        self.connected.clear()
        log.warning("%s: broker connection lost (%s); reconnecting", self.ingest.name, reason)

    def _message(self, _c: object, _u: object, message: paho.MQTTMessage) -> None:
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._queue.put_nowait, (self.connection, message))

    # --- the event loop ------------------------------------------------------------------

    async def run(self) -> None:
        """Until cancelled."""
        self._loop = asyncio.get_running_loop()
        self.client.connect_async(self.host, self.port, keepalive=30)
        self.client.loop_start()
        try:
            while True:
                batch = await self._next_batch()
                self.total.add(await self._handle(batch))
                for connection, message in batch:
                    if connection == self.connection and message.qos > 0:
                        self.client.ack(message.mid, message.qos)
        finally:
            self.client.disconnect()
            self.client.loop_stop()

    async def _next_batch(self) -> list[Delivered]:
        batch = [await self._queue.get()]
        deadline = asyncio.get_running_loop().time() + LINGER
        while len(batch) < BATCH:
            if self._queue.empty():
                left = deadline - asyncio.get_running_loop().time()
                if left <= 0:
                    break
                try:
                    batch.append(await asyncio.wait_for(self._queue.get(), left))
                except TimeoutError:
                    break
            else:
                batch.append(self._queue.get_nowait())
        return batch

    async def _handle(self, batch: list[Delivered]) -> Outcome:
        """Store the batch, trying again with backoff while a store refuses."""
        messages = [Message(m.topic, m.payload) for _, m in batch]
        delay = RETRY[0]
        while True:
            try:
                return await self.ingest.handle(messages)
            except Exception as exc:  # a store down: nothing is acknowledged, try again
                log.warning("%s: batch of %d not stored (%s); again in %.1f s",
                            self.ingest.name, len(messages), type(exc).__name__, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY[1])
