"""物业 property management exports: buildings, rooms with owners, repair orders, facilities."""

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from random import Random
from typing import Any

from demo import disagree, names
from demo.addresses import Style, building_label, room_address
from demo.case_texts import REPAIR_CATEGORIES, REPAIR_STATUSES
from demo.facilities import facilities_of
from demo.people import Household, Person, Population
from demo.truth import Truth, building_id, person_id
from demo.world import Building, Room

RENTED_MIGRANT_RATE = 0.95  # households from elsewhere who rent
RENTED_LOCAL_RATE = 0.08
VACANT_OWNER_RESIDENT_RATE = 0.3  # a vacant room's owner lives elsewhere in the area
REPAIRS_PER_OCCUPIED_ROOM = 0.3  # per year
REPAIRS_PER_VACANT_ROOM = 0.03
FACILITY_STATUSES: dict[str, float] = {"正常": 90, "故障": 4, "维修中": 3, "停用": 3}

BUILDING_COLUMNS = ["building_id", "estate_name", "building_no", "district_name", "street_name",
                    "community_name", "community_code", "grid_code", "floors", "units",
                    "built_year", "property_company"]
ROOM_COLUMNS = ["room_id", "building_id", "unit_no", "room_no", "address", "owner_name",
                "owner_phone", "area_sqm"]
REPAIR_COLUMNS = ["order_no", "room_id", "address", "category", "description", "status",
                  "created_at", "finished_at"]
FACILITY_COLUMNS = ["facility_id", "building_id", "kind", "name", "status", "installed_at",
                    "last_inspected_at"]


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


@contextmanager
def _csv(path: Path, header: list[str]) -> Iterator[Any]:
    """A CSV writer in the spreadsheet-friendly form property systems export (BOM, CRLF)."""
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        out = csv.writer(f, lineterminator="\r\n")
        out.writerow(header)
        yield out


def _label(b: Building) -> str:
    return building_label(b.number, b.estate.style.building)


def _address(rng: Random, room: Room, style: Style) -> str:
    if rng.random() < disagree.PROPERTY_MISSING_UNIT_RATE:
        style = replace(style, unit=False)
    b = room.building
    street = b.grid.community.street.spec
    return room_address(style, street.district_name, street.name, b.estate.name, b.number,
                        room.unit, room.room_no)


class PropertyExport:
    def __init__(self, rng: Random, pop: Population, truth: Truth, out_dir: Path) -> None:
        self.rng, self.pop, self.truth, self.out_dir = rng, pop, truth, out_dir
        self.now = datetime.combine(pop.as_of, datetime.min.time())
        self.by_room: dict[str, Household] = {hh.room.room_id: hh for hh in pop.households}
        self.landlords: list[Person] = [
            p for hh in pop.households if not hh.migrant for p in hh.members
            if p.relation in ("户主", "配偶") and p.age_on(pop.as_of) >= 30]

    def run(self) -> None:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self._buildings()
        self._rooms()
        self._repairs()
        self._facilities()

    def _buildings(self) -> None:
        with _csv(self.out_dir / "buildings.csv", BUILDING_COLUMNS) as out:
            for b in self.pop.world.buildings:
                community = b.grid.community
                spec = community.street.spec
                out.writerow([b.building_id, b.estate.name, _label(b), spec.district_name,
                              spec.name, community.name, community.code, b.grid.code, b.floors,
                              b.units, b.built_year, b.estate.company])
                self.truth.add("property", "building", b.building_id, "Place",
                               building_id(b.building_id))

    def _owner(self, hh: Household | None) -> Person:
        rng = self.rng
        if hh is not None:
            rented = rng.random() < (RENTED_MIGRANT_RATE if hh.migrant else RENTED_LOCAL_RATE)
            owners = [p for p in hh.members if p.relation in ("户主", "配偶")
                      and p.age_on(self.pop.as_of) >= 25]
            if owners and not rented:
                return owners[0] if rng.random() < 0.7 else rng.choice(owners)
            share = disagree.OWNER_IS_RESIDENT_ELSEWHERE
        else:
            share = VACANT_OWNER_RESIDENT_RATE
        if self.landlords and rng.random() < share:
            return rng.choice(self.landlords)
        return self.pop.outsider()

    def _rooms(self) -> None:
        rng = self.rng
        with _csv(self.out_dir / "rooms.csv", ROOM_COLUMNS) as out:
            for room in self.pop.world.rooms:
                owner = self._owner(self.by_room.get(room.room_id))
                name = owner.name
                if rng.random() < disagree.PROPERTY_OWNER_TYPO_RATE:
                    name = names.homophone_typo(rng, name) or name
                phone = owner.phone or ""
                if phone and rng.random() < disagree.PROPERTY_STALE_PHONE_RATE:
                    phone = self.pop.new_phone()
                out.writerow([room.room_id, room.building.building_id, f"{room.unit}单元",
                              room.room_no, _address(rng, room, room.building.estate.style), name,
                              phone, f"{room.area:.1f}"])
                self.truth.add("property", "room", room.room_id, "Place", room.place_id)
                self.truth.add("property", "room_owner", room.room_id, "Person",
                               person_id(owner.n))
                self.truth.link("property", "room_owner", room.room_id, "OWNS", room.place_id)

    def _repair_rows(self) -> list[tuple[datetime, Room]]:
        rng = self.rng
        found: list[tuple[datetime, Room]] = []
        for room in self.pop.world.rooms:
            rate = REPAIRS_PER_OCCUPIED_ROOM if room.room_id in self.by_room else \
                REPAIRS_PER_VACANT_ROOM
            while rng.random() < rate:
                created = self.now - timedelta(days=rng.randint(1, 365)) + timedelta(
                    seconds=rng.randrange(8 * 3600, 20 * 3600))
                found.append((created, room))
                rate /= 4
        found.sort(key=lambda item: (item[0], item[1].room_id))
        return found

    def _repairs(self) -> None:
        rng = self.rng
        with _csv(self.out_dir / "repair_orders.csv", REPAIR_COLUMNS) as out:
            per_day: dict[date, int] = {}
            short = Style(prefix="none", street=False, building="幢", unit=True, room="")
            for created, room in self._repair_rows():
                seq = per_day[created.date()] = per_day.get(created.date(), 0) + 1
                order_no = f"BX{created:%Y%m%d}{seq:05d}"
                lift = room.building.floors > 7
                cats = [c for c, (_, _, needs_lift) in REPAIR_CATEGORIES.items()
                        if lift or not needs_lift]
                category = rng.choices(cats, weights=[REPAIR_CATEGORIES[c][0] for c in cats])[0]
                finished = created + timedelta(hours=rng.uniform(1, 72))
                if finished > self.now or rng.random() < 0.03:
                    status = rng.choice(REPAIR_STATUSES[:2])
                    finished_text = ""
                else:
                    status, finished_text = REPAIR_STATUSES[2], _stamp(finished)
                style = replace(short, building=room.building.estate.style.building)
                out.writerow([order_no, room.room_id, _address(rng, room, style), category,
                              rng.choice(REPAIR_CATEGORIES[category][1]), status, _stamp(created),
                              finished_text])
                self.truth.add("property", "repair_order", order_no, "Event", f"event:{order_no}")
                self.truth.link("property", "repair_order", order_no, "OCCURRED_AT", room.place_id)

    def _facilities(self) -> None:
        with _csv(self.out_dir / "facilities.csv", FACILITY_COLUMNS) as out:
            seq = 0
            for b in self.pop.world.buildings:
                for kind, name, installed, inspected in facilities_of(self.rng, b, self.pop.as_of):
                    seq += 1
                    facility_id = f"SS{seq:07d}"
                    status = disagree.pick(self.rng, FACILITY_STATUSES)
                    out.writerow([facility_id, b.building_id, kind, name, status,
                                  installed.isoformat(), inspected.isoformat()])
                    self.truth.add("property", "facility", facility_id, "Thing",
                                   f"thing:{facility_id}")
                    self.truth.link("property", "facility", facility_id, "LOCATED_IN",
                                    building_id(b.building_id))
