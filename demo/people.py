"""Residents: households living in rooms, with names, IDs, phones and household registration."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from random import Random

from demo import households, idcard, names
from demo.addresses import CANONICAL, room_address
from demo.disagree import POLICE_LEGACY_ID_RATE
from demo.regions import (
    ETHNICITIES,
    HANGZHOU_ORIGINS,
    MIGRANT_ORIGINS,
    TOWN_WORDS,
    ZHEJIANG_ORIGINS,
    words,
)
from demo.world import VACANCY_RATE, Grid, Room, World

HUKOU_ELSEWHERE_RATE = 0.2  # locals whose 户籍 is at another Hangzhou address (人户分离)
NO_PHONE_CHILD_AGE = 14
RETIRED_CODES = ("330103", "330104")
_PHONE_PREFIXES = words(
    "130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 "
    "157 158 159 173 176 177 178 180 181 182 183 186 187 188 189 "
    "191 198 199"
)
_ETHNIC_NAMES = [e for e, _ in ETHNICITIES]
_ETHNIC_WEIGHTS = [w for _, w in ETHNICITIES]


@dataclass(slots=True, eq=False)
class Household:
    household_no: str
    room: Room
    kind: str
    migrant: bool
    members: list[Person] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class Person:
    n: int  # ground-truth identity: person:<n>
    name: str
    gender: str
    birth: date
    id18: str
    ethnicity: str
    phone: str | None
    relation: str | None = None
    household: Household | None = None
    hukou_address: str = ""
    legacy_id: bool = False  # police still holds the 15-digit form
    updated_at: datetime | None = None

    @property
    def person_no(self) -> str:
        return f"GA{self.n:08d}"

    @property
    def police_id(self) -> str:
        return idcard.to_legacy15(self.id18) if self.legacy_id else self.id18

    def age_on(self, day: date) -> int:
        had_birthday = (day.month, day.day) >= (self.birth.month, self.birth.day)
        return day.year - self.birth.year - (0 if had_birthday else 1)


def canonical_address(room: Room) -> str:
    b = room.building
    street = b.grid.community.street.spec
    return room_address(CANONICAL, street.district_name, street.name, b.estate.name, b.number,
                        room.unit, room.room_no)


class Population:
    """Everyone in the area plus non-resident owners ("outsiders", property records only)."""

    def __init__(self, rng: Random, world: World, as_of: date) -> None:
        self.rng = rng
        self.world = world
        self.as_of = as_of
        self.residents: list[Person] = []
        self.households: list[Household] = []
        self.outsiders: list[Person] = []
        self._ids: set[str] = set()
        self._phones: set[str] = set()

    def populate(self, plan: list[tuple[Grid, int]]) -> None:
        for grid, quota in plan:
            self._fill_grid(grid, quota)
        self._mark_legacy_ids()

    def _fill_grid(self, grid: Grid, quota: int) -> None:
        rooms = self.world.rooms_of(grid)
        placed = 0
        while placed < quota:
            room = next(rooms)
            if self.rng.random() < VACANCY_RATE:
                continue
            kind = households.pick_kind(self.rng)
            members = households.compose(self.rng, kind)[: quota - placed]
            self._add_household(room, kind, members)
            placed += len(members)

    def _add_household(self, room: Room, kind: str, members: list[households.Member]) -> None:
        rng = self.rng
        migrant = rng.random() < households.MIGRANT_SHARE[kind]
        street = room.building.grid.community.street.spec
        hh = Household(f"{street.code}{len(self.households) + 1:06d}", room, kind, migrant)
        self.households.append(hh)
        origin = rng.choice(MIGRANT_ORIGINS) if hh.migrant else None
        head_family = names.surname(rng)
        father_family = head_family
        people: list[Person] = []
        for i, (age, gender, relation, family) in enumerate(members):
            own = names.surname(rng)
            if i == 1 and relation == "配偶" and members[0][1] == "女":
                father_family = own
            surname = {"head": head_family, "father": father_family}.get(family, own)
            if i == 0:
                surname = head_family
            people.append(self._person(age, gender, relation, hh, origin, surname))
        hh.members = people

    def _person(self, age: int, gender: str, relation: str, hh: Household,
                origin: tuple[str, str, str, str] | None, surname: str) -> Person:
        rng = self.rng
        birth = self.as_of - timedelta(days=int(age * 365.25) + rng.randrange(365))
        person_origin = origin or self._local_origin(hh, birth.year)
        person = Person(
            n=len(self.residents) + 1,
            name=names.full_name(rng, gender, birth.year, surname),
            gender=gender,
            birth=birth,
            id18=self.new_id(person_origin[0], birth, gender),
            ethnicity=rng.choices(_ETHNIC_NAMES, weights=_ETHNIC_WEIGHTS)[0],
            phone=self._phone_for(age),
            relation=relation,
            household=hh,
        )
        person.hukou_address = self._hukou(hh, origin)
        days_back = rng.randrange(30, 400) if hh.migrant else rng.randrange(1, 1100)
        person.updated_at = datetime.combine(self.as_of, datetime.min.time()) - timedelta(
            days=days_back, seconds=rng.randrange(28_800, 64_800))
        self.residents.append(person)
        return person

    def _local_origin(self, hh: Household, birth_year: int) -> tuple[str, str, str, str]:
        roll = self.rng.random()
        spec = hh.room.building.grid.community.street.spec
        if roll < 0.55:
            return (spec.district_code, "", "", spec.district_name)
        if roll < 0.9:
            origin = self.rng.choice(HANGZHOU_ORIGINS)
            # 下城区 and 江干区 codes were retired in the 2021 redistricting.
            if birth_year >= 2021 and origin[0] in RETIRED_CODES:
                return (spec.district_code, "", "", spec.district_name)
            return origin
        return self.rng.choice(ZHEJIANG_ORIGINS)

    def _hukou(self, hh: Household, origin: tuple[str, str, str, str] | None) -> str:
        rng = self.rng
        if origin is not None:
            province, city, district = origin[1], origin[2], origin[3]
            town, village = rng.choice(TOWN_WORDS), rng.choice(TOWN_WORDS)
            return (f"{province}{city}{district}{town}镇{village}村{rng.randint(1, 12)}组"
                    f"{rng.randint(1, 99)}号")
        if rng.random() < HUKOU_ELSEWHERE_RATE and self.world.rooms:
            return canonical_address(rng.choice(self.world.rooms))
        return canonical_address(hh.room)

    def _phone_for(self, age: int) -> str | None:
        if age < NO_PHONE_CHILD_AGE or (age >= 85 and self.rng.random() < 0.4):
            return None
        return self.new_phone()

    def new_phone(self) -> str:
        while True:
            phone = f"{self.rng.choice(_PHONE_PREFIXES)}{self.rng.randrange(10**8):08d}"
            if phone not in self._phones:
                self._phones.add(phone)
                return phone

    def new_id(self, region: str, birth: date, gender: str) -> str:
        parity = 1 if gender == "男" else 0
        while True:
            number = idcard.make_id18(region, birth, self.rng.randrange(500) * 2 + parity)
            if number not in self._ids:
                self._ids.add(number)
                return number

    def outsider(self) -> Person:
        """Someone who owns a room here but is registered elsewhere."""
        rng = self.rng
        age = rng.randint(30, 75)
        gender = rng.choice("男女")
        birth = self.as_of - timedelta(days=int(age * 365.25) + rng.randrange(365))
        origin = rng.choice(HANGZHOU_ORIGINS + ZHEJIANG_ORIGINS)
        person = Person(len(self.residents) + len(self.outsiders) + 1,
                        names.full_name(rng, gender, birth.year), gender, birth,
                        self.new_id(origin[0], birth, gender), "汉族", self.new_phone())
        self.outsiders.append(person)
        return person

    def _mark_legacy_ids(self) -> None:
        """A few older residents never replaced their 15-digit ID."""
        older = [p for p in self.residents if p.birth.year < 1970]
        count = min(len(older), round(POLICE_LEGACY_ID_RATE * len(self.residents)))
        for person in self.rng.sample(older, count):
            person.legacy_id = True
