"""A replay of the demo street's device traffic: (topic, payload bytes, at) in time order.

Per day: door passes at every unit door (residents' anonymous cards, and the elderly's cards
with their holder), hourly water use in metered rooms, 电动车进电梯 / 消防通道占用 / 人员聚集
from the cameras, lamp faults, devices going offline; plus the planted situations and the
noise of truth.py. Topics: `security/<camera>/event`, `iot/<kind>/<device>`, and `webhook/lights`
for the lighting platform, which pushes HTTP instead.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from random import Random

import orjson

from demo.devices.registry import Device, build, elders
from demo.devices.truth import Plan, plan

Item = tuple[str, bytes, datetime]
SECURITY_NAMES = {
    "high_throw": "高空抛物", "fire_lane_blocked": "消防通道占用", "ebike_in_lift": "电动车进电梯",
    "crowd": "人员聚集", "device_offline": "设备离线",
}
IOT_NAMES = {"smoke_alarm": "smoke", "gas_alarm": "gas", "door_access": "door",
             "water_use": "water", "lift_fault": "lift_fault", "device_offline": "offline"}
DOOR_PASSES = 150  # per unit door and day, residents' own cards


def message(device: Device, kind: str, at: datetime, key: str, value: float | None = None,
            holder: str | None = None) -> tuple[str, bytes]:
    """The topic and payload a device of its platform sends."""
    stamp = at.isoformat(timespec="seconds")
    if device.department == "security":
        body = {"eventId": key, "cameraId": device.key, "eventType": SECURITY_NAMES[kind],
                "time": stamp, "detail": device.name}
        return f"security/{device.key}/event", orjson.dumps(body)
    if device.department == "lights":
        body = {"id": key, "lamp": device.key,
                "type": "lamp_fault" if kind == "streetlight_fault" else "offline", "at": stamp}
        return "webhook/lights", orjson.dumps(body)
    body = {"msgId": key, "deviceSn": device.key, "kind": IOT_NAMES[kind],
            "ts": int(at.timestamp())}
    if value is not None:
        body["litres"] = value
    if holder is not None:
        body["cardHolder"] = holder
    return f"iot/{device.kind}/{device.key}", orjson.dumps(body)


def day_events(rng: Random, devices: list[Device], old: list, day: datetime,
               truth: Plan) -> list[tuple[datetime, Device, str, float | None, str | None]]:
    out: list[tuple[datetime, Device, str, float | None, str | None]] = []

    def at(hour_from: float = 0, hour_to: float = 24) -> datetime:
        return day + timedelta(seconds=rng.uniform(hour_from * 3600, hour_to * 3600 - 1))

    doors: dict[str, list[Device]] = {}
    for d in devices:
        if d.kind == "door":
            doors.setdefault(d.building, []).append(d)
            out += [(at(5, 24), d, "door_access", None, None)
                    for _ in range(rng.randint(DOOR_PASSES // 2, DOOR_PASSES))]
        elif d.kind == "lift_cam" and rng.random() < 0.4:
            out.append((at(7, 22), d, "ebike_in_lift", None, None))
        elif d.kind == "lane" and rng.random() < 0.5:
            out.append((at(18, 24), d, "fire_lane_blocked", None, None))
        elif d.kind == "gate" and rng.random() < 0.1:
            out.append((at(8, 21), d, "crowd", None, None))
        elif d.kind == "lamp" and rng.random() < 0.05:
            out.append((at(18, 24), d, "streetlight_fault", None, None))
        elif rng.random() < 0.002:
            out.append((at(), d, "device_offline", None, None))
    meter_of = {d.room: d for d in devices if d.kind == "water"}
    elder_rooms = {e.room for e in old}
    for room, meter in meter_of.items():
        for hour in range(6, 22):
            if rng.random() < (0.6 if room in elder_rooms else 0.4):
                out.append((at(hour, hour + 1), meter, "water_use", round(rng.uniform(2, 60), 1),
                            None))
    for e in old:
        for _ in range(rng.randint(1, 3)):
            door = rng.choice(doors.get(e.building) or [None])
            if door is not None:
                out.append((at(7, 19), door, "door_access", None, e.record))
    return [item for item in out if _kept(item, truth, {e.room: e.record for e in old})]


def _kept(item: tuple, truth: Plan, elder_of_room: dict[str, str]) -> bool:
    """Drop what a planted silence or meter fault forbids."""
    when, device, kind, _, holder = item
    if kind == "door_access" and holder in truth.silent:
        begin, end = truth.silent[holder]
        return not begin <= when < end
    if kind == "water_use":
        record = elder_of_room.get(device.room or "")
        if record in truth.silent and truth.silent[record][0] <= when < truth.silent[record][1]:
            return False
        fault = truth.meter_faults.get(device.key)
        return fault is None or not fault[0] <= when < fault[1]
    return True


def replay(seed: int, start: datetime, days: int, rate: float = 0,
           data_dir: Path | str | None = None) -> Iterator[Item]:
    """(topic, payload, at) for `days` from `start` (timezone-aware), in time order, paced at
    `rate` messages per second of wall time (0: as fast as they are asked for)."""
    devices = build(data_dir, seed)
    old = elders(data_dir)
    truth = plan(seed, start, days, data_dir)
    extra = [(t, d, k, None, None) for t, d, k in truth.planted]
    extra += [(t, d, "lift_fault", None, None) for t, d in truth.noise_lift]
    extra += [(t, d, "high_throw", None, None) for t, d in truth.noise_throw]
    extra += [(begin, next(d for d in devices if d.key == meter), "device_offline", None, None)
              for meter, (begin, _) in truth.meter_faults.items()]
    sent, began = 0, time.monotonic()
    for n in range(days):
        day = start + timedelta(days=n)
        rng = Random(f"{seed}:day:{day.date().isoformat()}")
        items = day_events(rng, devices, old, day, truth)
        items += [e for e in extra if day <= e[0] < day + timedelta(days=1)]
        items.sort(key=lambda e: (e[0], e[1].key, e[2]))
        for i, (when, device, kind, value, holder) in enumerate(items):
            key = f"{device.key}-{when.strftime('%Y%m%d')}-{i:06d}"
            topic, payload = message(device, kind, when, key, value, holder)
            yield topic, payload, when
            sent += 1
            if rate > 0:
                ahead = sent / rate - (time.monotonic() - began)
                if ahead > 0:
                    time.sleep(ahead)
