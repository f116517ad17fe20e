"""Places: 街道 › 社区 › 网格 › 小区 › 楼栋 › 单元 › 室, built lazily as households need rooms."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from random import Random

from demo import disagree
from demo.addresses import Style
from demo.regions import (
    ESTATE_SUFFIXES,
    PLACE_WORDS,
    PROPERTY_COMPANIES,
    ROAD_SUFFIXES,
    STREETS,
    StreetSpec,
)

STREET_RESIDENTS = 20_000  # one street holds this many residents; more residents, more streets
COMMUNITY_RESIDENTS = 2_500
GRID_RESIDENTS = 500
ERA_WEIGHTS = {"old": 0.45, "mid": 0.35, "new": 0.20}
VACANCY_RATE = 0.12  # rooms nobody is registered in
_DIRECTIONS = ["", "", "", "", "", "东", "西", "南", "北"]
_GATES = ["东门", "南门", "西门", "北门", "正门"]


@dataclass(slots=True, eq=False)
class Street:
    spec: StreetSpec
    roads: list[str]
    communities: list[Community] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class Community:
    code: str
    name: str
    street: Street
    grids: list[Grid] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class Estate:
    name: str
    era: str
    community: Community
    company: str
    gates: list[str]
    style: Style  # how its property company writes addresses
    buildings: list[Building] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class Grid:
    code: str
    community: Community
    estate: Estate


@dataclass(slots=True, eq=False)
class Building:
    building_id: str
    estate: Estate
    grid: Grid
    number: int
    floors: int
    units: int
    per_floor: int
    built_year: int
    rooms: list[Room] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class Room:
    room_id: str
    building: Building
    unit: int
    floor: int
    room_no: str
    area: float

    @property
    def place_id(self) -> str:
        return f"place:{self.building.building_id}/{self.unit}/{self.room_no}"


def split(total: int, parts: int) -> list[int]:
    """`total` split into `parts` near-equal integers."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


class World:
    """All places, plus unique-name bookkeeping. Iteration order is deterministic."""

    def __init__(self, rng: Random) -> None:
        self.rng = rng
        self.streets: list[Street] = []
        self.buildings: list[Building] = []
        self.rooms: list[Room] = []
        self._names: set[str] = set()

    def plan(self, residents: int) -> list[tuple[Grid, int]]:
        """Create streets, communities and grids; return each grid with its resident quota."""
        n_streets = min(len(STREETS), max(1, -(-residents // STREET_RESIDENTS)))
        plan: list[tuple[Grid, int]] = []
        for spec, quota in zip(STREETS, split(residents, n_streets), strict=False):
            plan.extend(self._plan_street(spec, quota))
        return plan

    def _plan_street(self, spec: StreetSpec, quota: int) -> list[tuple[Grid, int]]:
        roads = [self._unique(lambda: self._word() + self.rng.choice(ROAD_SUFFIXES))
                 for _ in range(6)]
        street = Street(spec, roads)
        self.streets.append(street)
        plan: list[tuple[Grid, int]] = []
        n_comm = max(1, round(quota / COMMUNITY_RESIDENTS))
        for i, c_quota in enumerate(split(quota, n_comm), start=1):
            word = self._unique(lambda: self._word() + self.rng.choice(_DIRECTIONS), "社区")
            community = Community(f"{spec.code}{i:03d}", word + "社区", street)
            street.communities.append(community)
            n_grids = max(1, round(c_quota / GRID_RESIDENTS))
            base = word.rstrip("东西南北") or word
            n_estates = min(n_grids, self._n_estates())
            estates = [self._estate(community, base) for _ in range(n_estates)]
            for g, g_quota in enumerate(split(c_quota, n_grids), start=1):
                estate = estates[(g - 1) * n_estates // n_grids]
                grid = Grid(f"{community.code}{g:02d}", community, estate)
                community.grids.append(grid)
                plan.append((grid, g_quota))
        return plan

    def _n_estates(self) -> int:
        return self.rng.choice([1, 2, 2, 3, 3, 4])

    def _word(self) -> str:
        return self.rng.choice(PLACE_WORDS)

    def _unique(self, make: Callable[[], str], suffix: str = "") -> str:
        for attempt in range(200):
            name = make()
            if attempt > 50:
                name += "一二三四五六七八九"[attempt % 9]
            if name + suffix not in self._names:
                self._names.add(name + suffix)
                return name
        raise RuntimeError("ran out of place names")

    def _estate(self, community: Community, word: str) -> Estate:
        rng = self.rng
        era = rng.choices(list(ERA_WEIGHTS), weights=list(ERA_WEIGHTS.values()))[0]
        suffixes = ESTATE_SUFFIXES[era]
        first = rng.random() < 0.4 and word + suffixes[0] not in self._names
        name = word + suffixes[0] if first else self._unique(
            lambda: self._word() + rng.choice(suffixes))
        self._names.add(name)
        gates = rng.sample(_GATES, rng.randint(1, 3))
        company = rng.choice(PROPERTY_COMPANIES)
        return Estate(name, era, community, company, gates, disagree.estate_property_style(rng))

    def rooms_of(self, grid: Grid) -> Iterator[Room]:
        """Rooms of a grid, building after building, created as they are asked for."""
        while True:
            yield from self._new_building(grid).rooms

    def _new_building(self, grid: Grid) -> Building:
        rng = self.rng
        estate = grid.estate
        if estate.era == "old":
            floors, units, per_floor = rng.choice([5, 6, 6, 6, 7, 7]), rng.randint(2, 4), 2
            year, area = rng.randint(1982, 1999), (45, 78)
        elif estate.era == "mid":
            floors, units = rng.choice([6, 7, 11, 12, 15, 18]), rng.randint(1, 3)
            per_floor, year, area = rng.randint(2, 3), rng.randint(2000, 2011), (72, 130)
        else:
            floors, units = rng.choice([11, 18, 26, 33]), rng.randint(1, 2)
            per_floor, year, area = rng.randint(2, 4), rng.randint(2012, 2022), (89, 143)
        if estate.buildings:
            year = estate.buildings[0].built_year + rng.randint(0, 2)
        building = Building(f"LD{len(self.buildings) + 1:06d}", estate, grid,
                            len(estate.buildings) + 1, floors, units, per_floor, year)
        estate.buildings.append(building)
        self.buildings.append(building)
        for unit in range(1, units + 1):
            for floor in range(1, floors + 1):
                for pos in range(1, per_floor + 1):
                    room = Room(f"FW{len(self.rooms) + 1:08d}", building, unit, floor,
                                f"{floor}{pos:02d}", round(rng.uniform(*area), 1))
                    building.rooms.append(room)
                    self.rooms.append(room)
        return building
