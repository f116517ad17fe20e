"""城管 urban management cases over the past year, with their handling timeline."""

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from random import Random

from demo import disagree, names
from demo.addresses import region_prefix, room_address
from demo.case_texts import BUILDING_SPOTS, CASE_CATEGORIES, ROAD_SPOTS, SOURCES
from demo.people import Household, Population
from demo.sqlite_out import write_table
from demo.truth import Truth, building_id, person_id
from demo.world import Building, Street

CASES_PER_1000_RESIDENTS = 50  # per year
AT_BUILDING_RATE = 0.6  # cases located at a building; the rest on a road
REPORTER_IS_RESIDENT_RATE = 0.65  # of cases that come with a phone number
STUCK_RATE = 0.04  # cases left unfinished however old they are

COLUMNS = ("case_no", "category", "description", "address", "community_code", "grid_code",
           "status", "reported_at", "closed_at", "reporter_phone", "timeline", "updated_at")
CREATE = """CREATE TABLE cases (
    case_no TEXT PRIMARY KEY, category TEXT NOT NULL, description TEXT NOT NULL,
    address TEXT NOT NULL, community_code TEXT NOT NULL, grid_code TEXT NOT NULL,
    status TEXT NOT NULL, reported_at TEXT NOT NULL, closed_at TEXT, reporter_phone TEXT,
    timeline TEXT NOT NULL, updated_at TEXT NOT NULL)"""
INDEXES = ("grid_code", "status", "updated_at", "category", "community_code")

_CATEGORIES = list(CASE_CATEGORIES)
_CATEGORY_WEIGHTS = [CASE_CATEGORIES[c][0] for c in _CATEGORIES]


def iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat() + "+08:00"


def _staff(rng: Random) -> str:
    return names.full_name(rng, rng.choice("男女"), rng.randint(1970, 1998))


def _timeline(rng: Random, reported: datetime, now: datetime, source: str, street: Street,
              result: str) -> tuple[list[dict[str, str]], str, datetime | None]:
    """Steps that have happened by `now`, the status they leave and the closing moment."""
    team = f"{street.spec.name}综合行政执法中队"
    center = f"{street.spec.district_name}城市管理指挥中心"
    reporter = source if source.startswith("市民") else source + _staff(rng)
    plan = [
        (timedelta(), "上报", reporter, "已受理"),
        (timedelta(minutes=rng.randint(10, 120)), "立案受理", center, "已受理"),
        (timedelta(hours=rng.uniform(0.5, 6)), f"派遣至{team}", center, "处置中"),
        (timedelta(hours=rng.uniform(2, 120)), f"现场处置：{result}", team, "处置中"),
        (timedelta(hours=rng.uniform(1, 24)), "核查通过，结案", "监督员" + _staff(rng), "已结案"),
    ]
    roll = rng.random()
    if roll < STUCK_RATE:  # never finished: waiting for dispatch, or for the crew
        plan = plan[:2] if roll < STUCK_RATE / 2 else plan[:3]
    steps: list[dict[str, str]] = []
    status, at, closed = "已受理", reported, None
    for delay, action, by, step_status in plan:
        at += delay
        if at > now:
            break
        steps.append({"at": iso(at), "action": action, "by": by})
        status = step_status
        closed = at if step_status == "已结案" else None
    return steps, status, closed


def _place(rng: Random, pop: Population) -> tuple[str, Street, str, str, Building | None]:
    """Where a case is: (address, street, community code, grid code, building or None)."""
    building = rng.choice(pop.world.buildings)
    grid = building.grid
    street = grid.community.street
    spec = street.spec
    if rng.random() < AT_BUILDING_RATE:
        style = disagree.urban_style(rng)
        text = room_address(style, spec.district_name, spec.name, building.estate.name,
                            building.number, None, None) + rng.choice(BUILDING_SPOTS)
        return text, street, grid.community.code, grid.code, building
    prefix = region_prefix(disagree.pick(rng, disagree.URBAN_PREFIX), spec.district_name)
    road = rng.choice(street.roads)
    if rng.random() < 0.3:
        other = rng.choice([r for r in street.roads if r != road])
        text = f"{prefix}{road}与{other}交叉口"
    else:
        text = f"{prefix}{road}{rng.randint(1, 400)}号{rng.choice(ROAD_SPOTS)}"
    return text, street, grid.community.code, grid.code, None


def _reporter(rng: Random, pop: Population, nearby: list[Household]) -> tuple[str, int | None]:
    """A phone number and, when it is a resident's, who they are (often someone living nearby)."""
    if rng.random() < REPORTER_IS_RESIDENT_RATE:
        for _ in range(5):
            pool = nearby if nearby and rng.random() < 0.7 else pop.households
            with_phone = [p for p in rng.choice(pool).members if p.phone]
            if with_phone:
                person = rng.choice(with_phone)
                return str(person.phone), person.n
    return pop.new_phone(), None


def _households_by_building(pop: Population) -> dict[str, list[Household]]:
    found: dict[str, list[Household]] = {}
    for hh in pop.households:
        found.setdefault(hh.room.building.building_id, []).append(hh)
    return found


def build(rng: Random, pop: Population, truth: Truth) -> list[tuple]:
    now = datetime.combine(pop.as_of, datetime.min.time())
    count = max(1, round(len(pop.residents) * CASES_PER_1000_RESIDENTS / 1000))
    moments = sorted(now - timedelta(days=rng.randint(1, 365)) + timedelta(
        seconds=rng.randrange(7 * 3600, 22 * 3600)) for _ in range(count))
    rows: list[tuple] = []
    per_day: dict[date, int] = {}
    by_building = _households_by_building(pop)
    for reported in moments:
        seq = per_day[reported.date()] = per_day.get(reported.date(), 0) + 1
        case_no = f"CG{reported:%Y%m%d}{seq:05d}"
        category = rng.choices(_CATEGORIES, weights=_CATEGORY_WEIGHTS)[0]
        _, texts, results = CASE_CATEGORIES[category]
        address, street, community_code, grid_code, building = _place(rng, pop)
        source, _, with_phone = rng.choices(SOURCES, weights=[s[1] for s in SOURCES])[0]
        nearby = by_building.get(building.building_id, []) if building else []
        phone, reporter = _reporter(rng, pop, nearby) if with_phone else (None, None)
        steps, status, closed = _timeline(rng, reported, now, source, street,
                                          rng.choice(results))
        description = rng.choice(texts).format(loc=address.removeprefix(
            region_prefix("district", street.spec.district_name)))
        rows.append((case_no, category, description, address, community_code, grid_code,
                     status, iso(reported), iso(closed) if closed else None, phone,
                     json.dumps(steps, ensure_ascii=False), steps[-1]["at"]))
        truth.add("urban", "case", case_no, "Event", f"event:{case_no}")
        if building is not None:
            truth.link("urban", "case", case_no, "OCCURRED_AT", building_id(building.building_id))
        if reporter is not None:
            truth.link("urban", "case", case_no, "REPORTED_BY", person_id(reporter))
    return rows


def write(path: Path, rows: list[tuple]) -> None:
    write_table(path, CREATE, "cases", COLUMNS, rows, INDEXES)
