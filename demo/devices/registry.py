"""The devices of the demo street, per platform, placed at property's buildings and rooms.

Written to `<data dir>/streams/<department>.sqlite` (table `devices`), the register each
platform keeps; the hub reads it through the department's connector.
"""

from __future__ import annotations

import csv
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from random import Random

DEVICE_COLUMNS = ("device_id", "name", "category", "status", "installed_at", "building_id",
                  "room_id", "jurisdiction")


@dataclass(frozen=True)
class Device:
    department: str
    key: str
    kind: str  # what it reports: facade, lift_cam, lane, gate, door, lift, gas, smoke, water, lamp
    name: str
    category: str
    building: str
    room: str | None
    jurisdiction: str


@dataclass(frozen=True)
class Elder:
    record: str  # civil care record key
    room: str  # property room key
    building: str


def data_dir_of(data_dir: Path | str | None) -> Path:
    return Path(data_dir or os.environ.get("HUB_DATA_DIR") or Path(__file__).parents[2] / ".data")


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def elders(data_dir: Path | str | None) -> list[Elder]:
    """Elderly people living alone (civil affairs) and the room each lives in."""
    demo = data_dir_of(data_dir) / "demo"
    rooms = {(r["building_id"], r["unit_no"].removesuffix("单元"), r["room_no"]): r["room_id"]
             for r in _csv(demo / "property" / "rooms.csv")}
    with sqlite3.connect(demo / "civil.sqlite") as db:
        alone = {r[0] for r in db.execute("SELECT record_id FROM care_records WHERE living_alone")}
    found = []
    for link in _csv(demo / "truth_links.csv"):
        if link["key"] in alone and link["relation"] == "ADDRESS":
            building, unit, room = link["true_id"].removeprefix("place:").split("/")
            if (building, unit, room) in rooms:
                found.append(Elder(link["key"], rooms[(building, unit, room)], building))
    return sorted(found, key=lambda e: e.record)


def build(data_dir: Path | str | None = None, seed: int = 42) -> list[Device]:
    data_dir = data_dir_of(data_dir)
    rng = Random(f"{seed}:devices")
    buildings = _csv(data_dir / "demo" / "property" / "buildings.csv")
    rooms = _csv(data_dir / "demo" / "property" / "rooms.csv")
    old = elders(data_dir)
    devices: list[Device] = []

    def add(dept: str, prefix: str, kind: str, name: str, category: str, b: dict[str, str],
            room: str | None = None) -> None:
        key = f"{prefix}{len(devices) + 1:06d}"
        devices.append(Device(dept, key, kind, name, category, b["building_id"], room,
                              b["grid_code"]))

    estates: set[str] = set()
    by_id = {b["building_id"]: b for b in buildings}
    for b in buildings:
        label = f"{b['estate_name']}{b['building_no']}"
        if b["estate_name"] not in estates:
            estates.add(b["estate_name"])
            add("security", "CAM", "lane", f"{b['estate_name']}消防通道摄像机", "摄像机", b)
            add("security", "CAM", "gate", f"{b['estate_name']}大门摄像机", "摄像机", b)
        add("security", "CAM", "facade", f"{label}高空抛物监测摄像机", "摄像机", b)
        add("property_iot", "GS", "gas", f"{label}燃气探测器", "燃气探测器", b)
        add("lights", "LP", "lamp", f"{label}旁路灯", "路灯", b)
        for unit in range(1, int(b["units"] or 1) + 1):
            add("security", "CAM", "lift_cam", f"{label}{unit}单元电梯摄像机", "摄像机", b)
            add("property_iot", "DR", "door", f"{label}{unit}单元门禁", "门禁", b)
            add("property_iot", "LM", "lift", f"{label}{unit}单元电梯监测", "电梯监测", b)
            add("property_iot", "SM", "smoke", f"{label}{unit}单元楼道烟感", "烟感", b)
    metered = {e.room for e in old} | {r["room_id"] for r in rooms if rng.random() < 0.03}
    room_of = {r["room_id"]: r for r in rooms}
    for room in sorted(metered):
        r = room_of[room]
        b = by_id[r["building_id"]]
        place = f"{b['estate_name']}{b['building_no']}{r['unit_no']}{r['room_no']}"
        add("property_iot", "WM", "water", f"{place}智能水表", "智能水表", b, room)
        add("property_iot", "SM", "smoke", f"{place}独立式烟感", "烟感", b, room)
    return devices


def write(data_dir: Path | str | None = None, seed: int = 42) -> dict[str, int]:
    """Each platform's register into its store (replaced); returns devices per platform."""
    data_dir = data_dir_of(data_dir)
    folder = data_dir / "streams"
    folder.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    devices = build(data_dir, seed)
    for department in sorted({d.department for d in devices}):
        rows = [(d.key, d.name, d.category, "正常", "2024-03-01", d.building, d.room,
                 d.jurisdiction) for d in devices if d.department == department]
        with sqlite3.connect(folder / f"{department}.sqlite") as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("DROP TABLE IF EXISTS devices")
            db.execute(f"CREATE TABLE devices ({DEVICE_COLUMNS[0]} TEXT PRIMARY KEY, "
                       + ", ".join(f"{c} TEXT" for c in DEVICE_COLUMNS[1:]) + ")")
            db.executemany(f"INSERT INTO devices VALUES ({', '.join('?' * 8)})", rows)
        counts[department] = len(rows)
    return counts
