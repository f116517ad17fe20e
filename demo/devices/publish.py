"""Sending a replay: MQTT messages at QoS 1 to a broker, webhook ones signed to the hub."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from urllib.parse import urlsplit

import httpx
import paho.mqtt.client as paho


class Publisher:
    """QoS 1 publishes; `close` waits until the broker has acknowledged every one."""

    def __init__(self, broker_url: str, client_id: str = "demo-devices",
                 hub_url: str | None = None, secret: bytes | None = None) -> None:
        parts = urlsplit(broker_url)
        self.client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=client_id)
        self.client.username_pw_set(parts.username or "devices", parts.password)
        self.client.max_inflight_messages_set(1000)
        self.client.max_queued_messages_set(0)
        self.client.reconnect_delay_set(0.2, 5)
        self.client.connect(parts.hostname or "127.0.0.1", parts.port or 1883)
        self.client.loop_start()
        self.hub_url, self.secret = hub_url, secret
        self.http = httpx.Client(timeout=30) if hub_url else None
        self.pending: list[paho.MQTTMessageInfo] = []
        self.published = 0

    def send(self, topic: str, payload: bytes) -> None:
        if topic.startswith("webhook/"):
            self._post(topic.removeprefix("webhook/"), payload)
            return
        self.pending.append(self.client.publish(topic, payload, qos=1))
        self.published += 1
        if len(self.pending) >= 5000:
            self.flush()

    def send_all(self, items: Iterable[tuple[str, bytes, object]]) -> None:
        for topic, payload, _ in items:
            self.send(topic, payload)

    def flush(self) -> None:
        for info in self.pending:
            info.wait_for_publish(60)
        self.pending.clear()

    def _post(self, department: str, payload: bytes) -> None:
        if self.http is None or self.secret is None:
            return  # no hub to push to: the lighting platform's events stay with it
        signature = "sha256=" + hmac.new(self.secret, payload, hashlib.sha256).hexdigest()
        self.http.post(f"{self.hub_url}/streams/{department}", content=payload,
                       headers={"X-Hub-Signature-256": signature,
                                "Content-Type": "application/json"}).raise_for_status()
        self.published += 1

    def close(self) -> None:
        self.flush()
        self.client.disconnect()
        self.client.loop_stop()
        if self.http is not None:
            self.http.close()
