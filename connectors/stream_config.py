"""The `[stream]` table of a department whose devices push events (kinds `mqtt`, `webhook`).

Such a department's `url` is its event store (a SQL URL): the bounded store of the platform's
own events and device register, read back like any SQL department; the `[stream]` table says
how a message maps into it and where its devices stand.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
SourceType = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*/[a-z][a-z0-9_]*$")]

EVENT_TYPES: dict[str, str] = {
    "smoke_alarm": "烟感报警",
    "gas_alarm": "燃气报警",
    "door_access": "门禁通行",
    "water_use": "用水",
    "lift_fault": "电梯故障",
    "high_throw": "高空抛物",
    "fire_lane_blocked": "消防通道占用",
    "ebike_in_lift": "电动车进电梯",
    "crowd": "人员聚集",
    "streetlight_fault": "路灯故障",
    "device_offline": "设备离线",
}
"""The event types streams carry (STREAMS.md), with their Chinese names."""

EventType = Literal[
    "smoke_alarm", "gas_alarm", "door_access", "water_use", "lift_fault", "high_throw",
    "fire_lane_blocked", "ebike_in_lift", "crowd", "streetlight_fault", "device_offline",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PayloadFields(_Strict):
    """Which field of a message's JSON object holds what."""

    key: Text = "id"
    """The event's key in the department (unique; a repeated key is a duplicate)."""
    device: Text = "device"
    type: Text = "type"
    at: Text = "at"
    """ISO 8601 with offset, or epoch seconds."""
    value: Text | None = None
    person: Text | None = None
    """The card holder's key in `person_source` (door access)."""
    detail: Text | None = None


class StreamOptions(_Strict):
    topics: list[Text] = Field(default_factory=list)
    """mqtt: the topic filters subscribed to (QoS 1)."""
    secret_env: Text | None = None
    """webhook: the variable holding the department's shared secret (HMAC-SHA256 of the body)."""
    keep: int = Field(500_000, ge=1000)
    """Events the bounded event store keeps; older ones go (their graph Events stay linked)."""
    device_type: Text = "device"
    event_type: Text = "event"
    payload: PayloadFields = Field(default_factory=PayloadFields)
    types: Annotated[dict[Text, EventType], Field(min_length=1)]
    """The platform's event type names -> the data standard's."""
    building_source: SourceType | None = None
    """Where a device's `building_id` is a record: `connector/record_type` of a Place."""
    room_source: SourceType | None = None
    person_source: SourceType | None = None


def stream_problems(kind: str, stream: StreamOptions | None, type_names: set[str]) -> list[str]:
    """What is wrong with the `[stream]` table for this kind of department."""
    streamed = kind in ("mqtt", "webhook")
    if stream is None:
        return [f"stream: required for kind {kind!r}"] if streamed else []
    if not streamed:
        return [f"stream: only for kinds 'mqtt' and 'webhook', not {kind!r}"]
    problems = []
    if kind == "mqtt" and not stream.topics:
        problems.append("stream.topics: an mqtt department subscribes to at least one topic")
    if kind == "webhook" and not stream.secret_env:
        problems.append("stream.secret_env: a webhook department needs a shared secret")
    for name in (stream.device_type, stream.event_type):
        if name not in type_names:
            problems.append(f"stream: no record type {name!r} in this department")
    return problems
