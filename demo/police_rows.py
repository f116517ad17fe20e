"""Rows of the 公安 registry: residents as registered, door-access events of the last 90 days."""

from collections.abc import Iterator
from datetime import datetime, timedelta
from random import Random
from typing import Any

from demo.addresses import Style, room_address
from demo.people import Person, Population, canonical_address
from demo.truth import Truth, building_id, person_id

GATE_DAYS = 90
EVENTS_PER_RESIDENT = 1.0
UNIT_DOOR_RATE = 0.65  # the rest pass the estate's gates
# Relative number of passages by hour of day (0..23).
_HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 6, 14, 16, 9, 7, 7, 8, 7, 6, 6, 8, 12, 14, 11, 8, 5, 3, 2]
_HOURS = list(range(24))
_GATE_STYLE = Style(prefix="district", street=True, building="幢", unit=True, room="")


def resident_rows(pop: Population, truth: Truth) -> Iterator[dict[str, Any]]:
    for p in pop.residents:
        hh = p.household
        assert hh is not None and p.relation is not None and p.updated_at is not None
        truth.add("police", "resident", p.person_no, "Person", person_id(p.n))
        truth.link("police", "resident", p.person_no, "LIVES_AT", hh.room.place_id)
        yield {
            "person_no": p.person_no, "name": p.name, "gender": p.gender,
            "birth_date": p.birth, "id_number": p.police_id, "ethnicity": p.ethnicity,
            "hukou_address": p.hukou_address, "residence_address": canonical_address(hh.room),
            "phone": p.phone, "household_no": hh.household_no, "relation_to_head": p.relation,
            "grid_code": hh.room.building.grid.code, "updated_at": p.updated_at,
        }


def _direction(rng: Random, hour: int) -> str:
    if 5 <= hour <= 10:
        return "出" if rng.random() < 0.7 else "进"
    if 16 <= hour <= 22:
        return "进" if rng.random() < 0.7 else "出"
    return rng.choice("进出")


def _walkers(pop: Population) -> list[Person]:
    """Who passes gates; working-age people twice as often as others; no toddlers."""
    found: list[Person] = []
    for p in pop.residents:
        age = p.age_on(pop.as_of)
        if age >= 6:
            found.append(p)
            if 18 <= age < 65:
                found.append(p)
    return found


def gate_rows(rng: Random, pop: Population, truth: Truth) -> Iterator[dict[str, Any]]:
    walkers = _walkers(pop)
    midnight = datetime.combine(pop.as_of, datetime.min.time())
    count = round(len(pop.residents) * EVENTS_PER_RESIDENT) if walkers else 0
    picks: list[tuple[datetime, Person, bool]] = []
    for _ in range(count):
        hour = rng.choices(_HOURS, weights=_HOUR_WEIGHTS)[0]
        moment = midnight - timedelta(days=rng.randint(1, GATE_DAYS)) + timedelta(
            hours=hour, seconds=rng.randrange(3600))
        picks.append((moment, rng.choice(walkers), rng.random() < UNIT_DOOR_RATE))
    picks.sort(key=lambda item: (item[0], item[1].n))
    for i, (moment, person, unit_door) in enumerate(picks, start=1):
        room = person.household.room  # type: ignore[union-attr]
        b = room.building
        spec = b.grid.community.street.spec
        if unit_door:
            address = room_address(_GATE_STYLE, spec.district_name, spec.name, b.estate.name,
                                   b.number, room.unit, None)
            gate = f"{b.estate.name}{b.number}幢{room.unit}单元门禁"
        else:
            gate = b.estate.name + rng.choice(b.estate.gates)
            address = f"{spec.district_name}{spec.name}{gate}"
        event_no = f"MJ{i:010d}"
        truth.add("police", "gate_event", event_no, "Event", f"event:{event_no}")
        truth.link("police", "gate_event", event_no, "INVOLVES", person_id(person.n))
        if unit_door:
            truth.link("police", "gate_event", event_no, "OCCURRED_AT", building_id(b.building_id))
        yield {
            "event_no": event_no, "person_no": person.person_no, "gate_name": gate,
            "address": address, "direction": _direction(rng, moment.hour), "occurred_at": moment,
            "grid_code": b.grid.code,
        }
