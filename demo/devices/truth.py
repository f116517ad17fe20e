"""The situations planted in a replay, with their ground truth (STREAMS.md 2).

`situations(seed, start, days)` is deterministic for a seed and a demo street; the replay
(demo.devices.simulate) leaves exactly these in its traffic. Background noise and device
faults are planted so that none of them is a situation: a lone lift fault per building, at
most one 高空抛物 per building, no smoke alarm but these, an elder's water meter offline for
a day while the elder still comes and goes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from random import Random

from demo.devices.registry import Device, Elder, build, elders

KINDS = ("inactive_elderly", "lift_faults", "smoke_alarm", "repeated_high_throw")
SILENCE = timedelta(hours=40)


@dataclass(frozen=True)
class Situation:
    kind: str
    place_source_key: str  # e.g. property/building/LD000003, property/room/FW00000017
    person_source_key: str | None  # e.g. civil/care_record/MZ0000017
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Complaint:
    """A resident's complaint about the lift, planted beside a lift fault cluster (the rule
    wants both): for a bench to submit through the civic intake (Open311 or GraphQL)."""

    at: datetime
    building_source_key: str  # property/building/LD…
    address: str  # as a resident writes it: estate, building, unit
    text: str


LIFT_TEXTS = (
    "{b}电梯这几天老是停在半路，关人好几次了，物业一直说在修，老人根本不敢坐。",
    "{b}的电梯又坏了，门开开关关还抖，这周已经第二次了，请尽快派人彻底检修。",
    "我家住高层，{b}电梯故障好几天了，买菜上楼太难，希望街道督促物业处理。",
)


@dataclass(frozen=True)
class Plan:
    """What the replay plants: the situations, and the events that make them."""

    situations: list[Situation]
    silent: dict[str, tuple[datetime, datetime]]  # elder record -> silent from, to
    planted: list[tuple[datetime, Device, str]]  # (when, device, event kind)
    meter_faults: dict[str, tuple[datetime, datetime]]  # water meter -> offline from, to
    noise_lift: list[tuple[datetime, Device]]
    noise_throw: list[tuple[datetime, Device]]
    complaints: list[Complaint]


def _at(rng: Random, start: datetime, days: float, margin_h: float = 0) -> datetime:
    span = max(days * 24 - margin_h, 1)
    return start + timedelta(hours=rng.uniform(0, span))


def plan(seed: int, start: datetime, days: int, data_dir: Path | str | None = None) -> Plan:
    rng = Random(f"{seed}:truth:{start.isoformat()}:{days}")
    devices = build(data_dir, seed)
    old = elders(data_dir)
    by_kind: dict[str, list[Device]] = {}
    for d in devices:
        by_kind.setdefault(d.kind, []).append(d)
    weeks = max(1, round(days / 7))
    situations: list[Situation] = []
    planted: list[tuple[datetime, Device, str]] = []
    complaints: list[Complaint] = []
    silent = _silent_elders(rng, old, start, days, max(1, days // 3), situations)
    lifts = rng.sample(by_kind["lift"], min(len(by_kind["lift"]), weeks))
    for lift in lifts:
        first = _at(rng, start, days, 5 * 24 if days > 6 else 0)
        times = sorted(first + timedelta(hours=rng.uniform(0, min(days * 24, 120)))
                       for _ in range(2))
        for when in (first, *times):
            planted.append((min(when, start + timedelta(days=days, seconds=-1)), lift,
                            "lift_fault"))
        situations.append(Situation("lift_faults", f"property/building/{lift.building}",
                                    None, first, max(times)))
        place = lift.name.split("单元")[0] + "单元"
        for n in range(2):
            when = first + (max(times) - first) * rng.uniform(0.1, 0.9)
            complaints.append(Complaint(when, f"property/building/{lift.building}", place,
                                        LIFT_TEXTS[(n + len(complaints)) % 3].format(b=place)))
    for smoke in rng.sample(by_kind["smoke"], 2 * weeks):
        when = _at(rng, start, days)
        planted.append((when, smoke, "smoke_alarm"))
        place = f"property/room/{smoke.room}" if smoke.room else \
            f"property/building/{smoke.building}"
        situations.append(Situation("smoke_alarm", place, None, when, when))
    throw_cams = rng.sample(by_kind["facade"], weeks)
    for cam in throw_cams:
        first = _at(rng, start, days, 24 if days > 1 else 0)
        second = first + timedelta(hours=rng.uniform(1, max(2, (days * 24) - 1)))
        second = min(second, start + timedelta(days=days, seconds=-1))
        planted += [(first, cam, "high_throw"), (second, cam, "high_throw")]
        situations.append(Situation("repeated_high_throw", f"property/building/{cam.building}",
                                    None, first, second))
    busy = {d.building for d in lifts} | {d.building for d in throw_cams}
    noise_lift = [(_at(rng, start, days), d) for d in by_kind["lift"]
                  if d.building not in busy and rng.random() < 0.3]
    noise_lift = list({d.building: (t, d) for t, d in noise_lift}.values())
    noise_throw = [(_at(rng, start, days), d) for d in by_kind["facade"]
                   if d.building not in busy and rng.random() < 0.25]
    meters = [d for d in by_kind["water"] if d.room not in {e.room for e in old
                                                             if e.record in silent}]
    faults = {}
    for meter in rng.sample(meters, min(len(meters), 2 * weeks)):
        begin = _at(rng, start, days, 24)
        faults[meter.key] = (begin, begin + timedelta(hours=24))
    situations.sort(key=lambda s: (s.start, s.kind, s.place_source_key))
    return Plan(situations, silent, sorted(planted, key=lambda p: (p[0], p[1].key)), faults,
                noise_lift, noise_throw, sorted(complaints, key=lambda c: c.at))


def _silent_elders(rng: Random, old: list[Elder], start: datetime, days: int, count: int,
                   situations: list[Situation]) -> dict[str, tuple[datetime, datetime]]:
    """Elders who neither pass a door nor use water for SILENCE (whole, inside the window)."""
    silent: dict[str, tuple[datetime, datetime]] = {}
    if days * 24 < SILENCE.total_seconds() / 3600 + 2:
        return silent
    for elder in rng.sample(old, min(count, len(old))):
        begin = _at(rng, start, days, SILENCE.total_seconds() / 3600 + 1)
        silent[elder.record] = (begin, begin + SILENCE)
        situations.append(Situation("inactive_elderly", f"property/room/{elder.room}",
                                    f"civil/care_record/{elder.record}", begin,
                                    begin + SILENCE))
    return silent


def lift_complaints(seed: int, start: datetime, days: int,
                    data_dir: Path | str | None = None) -> list[Complaint]:
    """The residents' lift complaints planted with the lift fault clusters of the same replay."""
    return plan(seed, start, days, data_dir).complaints


def situations(seed: int, start: datetime, days: int,
               data_dir: Path | str | None = None) -> list[Situation]:
    """The ground truth of `replay(seed, start, days, …)` over the same demo street."""
    return plan(seed, start, days, data_dir).situations
