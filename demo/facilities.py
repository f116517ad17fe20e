"""Facilities of a building: lifts (above 7 floors only), hydrants, door access, cameras."""

from collections.abc import Iterator
from datetime import date, timedelta
from random import Random

from demo.addresses import building_label
from demo.world import Building

# kind -> days between inspections (the latest one is within that many days)
INSPECTION_DAYS = {"电梯": 30, "消防栓": 180, "门禁": 365, "监控摄像头": 365, "充电桩": 90}


def _installed(rng: Random, first_year: int, as_of: date) -> date:
    """A day between the start of `first_year` and a month before `as_of`."""
    start = date(first_year, 1, 1)
    span = (as_of - timedelta(days=30) - start).days
    return start + timedelta(days=rng.randrange(span)) if span > 0 else as_of - timedelta(days=30)


def _inspected(rng: Random, kind: str, installed: date, as_of: date) -> date:
    day = as_of - timedelta(days=rng.randint(1, INSPECTION_DAYS[kind]))
    return max(day, installed)


def facilities_of(rng: Random, b: Building, as_of: date) -> Iterator[tuple[str, str, date, date]]:
    """(kind, name, installed_at, last_inspected_at) for each facility of the building."""
    label = building_label(b.number, b.estate.style.building)
    items: list[tuple[str, str, int]] = []
    for unit in range(1, b.units + 1):
        if b.floors > 7:
            for k in range(1, (2 if b.floors >= 18 else 1) + 1):
                items.append(("电梯", f"{label}{unit}单元{k}号电梯", b.built_year))
        for floor in range(1, b.floors + 1, 3):
            items.append(("消防栓", f"{label}{unit}单元{floor}层消防栓", b.built_year))
        if b.estate.era != "old" or rng.random() < 0.8:
            first = b.built_year if b.estate.era == "new" else max(b.built_year, 2015)
            items.append(("门禁", f"{label}{unit}单元门禁", first))
    for k in range(1, rng.randint(1, 2) + 1):
        items.append(("监控摄像头", f"{label}{k}号监控摄像头", max(b.built_year, 2012)))
    if b.number % 4 == 1 and rng.random() < 0.6:
        for k in range(1, rng.randint(2, 6) + 1):
            name = f"{b.estate.name}{label}旁{k}号充电桩"
            items.append(("充电桩", name, max(b.built_year, 2019)))
    for kind, name, first_year in items:
        installed = _installed(rng, first_year, as_of) if first_year > b.built_year or \
            kind in ("充电桩", "监控摄像头") else date(b.built_year, rng.randint(1, 12), 1)
        installed = min(installed, as_of - timedelta(days=1))
        yield kind, name, installed, _inspected(rng, kind, installed, as_of)
