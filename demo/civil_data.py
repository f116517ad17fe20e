"""民政 civil affairs: care records for the elderly and disabled, as the civil clerks typed them."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from random import Random

from demo import disagree, idcard, names
from demo.addresses import room_address
from demo.people import Person, Population
from demo.sqlite_out import write_table
from demo.truth import Truth, person_id
from demo.world import Room

ENROL_RATE_BY_AGE = ((90, 0.98), (80, 0.95), (70, 0.8), (60, 0.55))
YOUNG_DISABLED_RATE = 0.015  # under-60s registered for disability support
ELDER_DISABLED_RATE = 0.07
GRADES = ["一级", "二级", "三级", "四级"]
GRADE_WEIGHTS = [15, 25, 30, 30]
LEVELS = ["自理", "半失能", "失能"]
LEVEL_WEIGHTS_BY_AGE = ((90, (35, 35, 30)), (80, (58, 27, 15)), (70, (78, 14, 8)),
                        (0, (88, 8, 4)))
LEVEL_BY_GRADE = {"一级": (0, 40, 60), "二级": (40, 50, 10), "三级": (85, 15, 0),
                  "四级": (95, 5, 0)}
DISABILITY_SUBSIDY = {"一级": 360.0, "二级": 300.0, "三级": 180.0, "四级": 120.0}
CARE_SUBSIDY = {"失能": 600.0, "半失能": 400.0}

COLUMNS = ("record_id", "name", "id_number", "address", "community_code", "care_level",
           "living_alone", "subsidy_type", "subsidy_amount", "disability_grade", "updated_at")
CREATE = """CREATE TABLE care_records (
    record_id TEXT PRIMARY KEY, name TEXT NOT NULL, id_number TEXT NOT NULL,
    address TEXT NOT NULL, community_code TEXT NOT NULL, care_level TEXT NOT NULL,
    living_alone INTEGER NOT NULL, subsidy_type TEXT, subsidy_amount REAL NOT NULL,
    disability_grade TEXT, updated_at TEXT NOT NULL)"""
INDEXES = ("community_code", "name", "updated_at", "id_number")


@dataclass(slots=True)
class Clock:
    """Turns 'days before the reference day' into the ISO text civil affairs stores."""

    as_of: date

    def iso(self, rng: Random, days_back: float) -> str:
        """A moment in office hours that many days back."""
        moment = datetime.combine(self.as_of, datetime.min.time()) - timedelta(
            days=int(days_back)) + timedelta(seconds=rng.randrange(30_600, 63_000))
        return moment.isoformat() + "+08:00"


def _enrolled(rng: Random, age: int) -> bool:
    for min_age, rate in ENROL_RATE_BY_AGE:
        if age >= min_age:
            return rng.random() < rate
    return rng.random() < YOUNG_DISABLED_RATE


def _care_level(rng: Random, age: int, grade: str | None) -> str:
    if grade is not None and (age < 60 or grade in ("一级", "二级")):
        return rng.choices(LEVELS, weights=LEVEL_BY_GRADE[grade])[0]
    weights = next(w for min_age, w in LEVEL_WEIGHTS_BY_AGE if age >= min_age)
    return rng.choices(LEVELS, weights=weights)[0]


def _subsidy(rng: Random, age: int, level: str, grade: str | None) -> tuple[str | None, float]:
    if level in CARE_SUBSIDY and age >= 60 and rng.random() < 0.6:
        return "居家养老服务补贴", CARE_SUBSIDY[level]
    if grade is not None and rng.random() < 0.8:
        return "残疾人两项补贴", DISABILITY_SUBSIDY[grade]
    if age >= 80:
        return "高龄津贴", 100.0 if age < 90 else (300.0 if age < 100 else 1000.0)
    if age >= 60 and rng.random() < 0.08:
        return "困难老人生活补贴", 380.0
    return None, 0.0


def _civil_id(rng: Random, person: Person) -> str:
    if person.legacy_id:
        number = person.id18 if rng.random() < disagree.CIVIL_UPGRADED_ID_RATE else \
            person.police_id
    elif person.birth.year < 1975 and rng.random() < disagree.CIVIL_LEGACY_ID_RATE:
        number = idcard.to_legacy15(person.id18)
    else:
        number = person.id18
    return disagree.lowercase_x(rng, number)


def _civil_address(rng: Random, room: Room) -> str:
    b = room.building
    street = b.grid.community.street.spec
    return room_address(disagree.civil_style(rng), street.district_name, street.name,
                        b.estate.name, b.number, room.unit, room.room_no)


def _previous_room(rng: Random, pop: Population, current: Room) -> Room:
    """Where a person lived before moving (civil affairs was never told)."""
    while (room := rng.choice(pop.world.rooms)) is current:
        pass
    return room


def _enrolled_people(rng: Random, pop: Population) -> list[tuple[Person, int, str | None]]:
    chosen: list[tuple[Person, int, str | None]] = []
    for person in pop.residents:
        age = person.age_on(pop.as_of)
        if not _enrolled(rng, age):
            continue
        disabled = age < 60 or rng.random() < ELDER_DISABLED_RATE
        grade = rng.choices(GRADES, weights=GRADE_WEIGHTS)[0] if disabled else None
        chosen.append((person, age, grade))
    rng.shuffle(chosen)  # record ids follow registration order, not the police order
    return chosen


def build(rng: Random, pop: Population, truth: Truth) -> list[tuple]:
    """Care records as table rows; moved people get their police `updated_at` refreshed."""
    clock = Clock(pop.as_of)
    rows: list[tuple] = []
    for i, (person, age, grade) in enumerate(_enrolled_people(rng, pop), start=1):
        record_id = f"MZ{i:07d}"
        hh = person.household
        assert hh is not None
        room = hh.room
        updated = rng.uniform(1, 700)
        if rng.random() < disagree.CIVIL_STALE_ADDRESS_RATE:
            room = _previous_room(rng, pop, room)
            updated = rng.uniform(420, 1500)
            person.updated_at = datetime.combine(pop.as_of, datetime.min.time()) - timedelta(
                days=rng.uniform(20, 400))
        name = person.name
        if rng.random() < disagree.CIVIL_NAME_TYPO_RATE:
            name = names.homophone_typo(rng, name) or name
        level = _care_level(rng, age, grade)
        subsidy_type, amount = _subsidy(rng, age, level, grade)
        rows.append((record_id, name, _civil_id(rng, person), _civil_address(rng, room),
                     room.building.grid.community.code, level, int(len(hh.members) == 1),
                     subsidy_type, amount, grade, clock.iso(rng, updated)))
        truth.add("civil", "care_record", record_id, "Person", person_id(person.n))
        truth.link("civil", "care_record", record_id, "ADDRESS", room.place_id)
    return rows


def write(path: Path, rows: list[tuple]) -> None:
    write_table(path, CREATE, "care_records", COLUMNS, rows, INDEXES)
