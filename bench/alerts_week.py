"""A week of device traffic for the demo street with planted situations and their truth, for
bench/alerts.py. (Written before the streams helper's simulator, demo/devices, reached main;
it plants the same kinds of situation and more of them, deterministic for a seed;
`bench.alerts --devices` replays the simulator's week instead.)

Planted: elderly people living alone who go quiet for 40–60 h (and near misses of 30 h),
lift-fault clusters at a building with a complaint (and clusters without one, complaints
with two faults), smoke alarms (some sounding twice within the hour), 高空抛物 twice at a
building (and once elsewhere), surges of opinions at one building. Background: door access and
water use of the watched homes and of others, crowds, blocked fire lanes, e-bikes in lifts,
street-light faults, devices going offline, a scattering of residents' opinions, lift faults
and throws that stay below their rules, malformed entries.
"""

import itertools
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

NOISE_TYPES = ("crowd", "fire_lane_blocked", "ebike_in_lift", "streetlight_fault",
               "device_offline", "gas_alarm")
OPINIONS = ("楼道灯不亮了", "小区垃圾清运不及时", "停车位太紧张", "绿化带杂草多", "快递柜不够用",
            "楼下广场舞太吵", "消防通道被电动车堵了", "下水道有异味")
LIFT_COMPLAINTS = ("电梯又坏了，老人上下楼很困难", "电梯经常停运，物业修了又坏",
                   "电梯异响，担心安全")
OPINIONS_A_DAY = 14  # the demo's ~2,200 a month for 20,000 residents, for 3,800
BASELINE_DAYS = 28
SURGE_TEXTS = ("楼下餐馆油烟太大，家里没法开窗", "餐馆油烟直排到楼道", "油烟熏得衣服都不能晒",
               "夜里餐馆排风机噪音很大", "餐馆后厨油烟扰民")


@dataclass(frozen=True)
class Situation:
    rule: str
    subject: str  # building, place or person id
    start: datetime
    end: datetime  # the alert is due between start and end


@dataclass
class Week:
    start: datetime
    events: list[dict[str, str]] = field(default_factory=list)
    opinions: list[tuple[datetime, str, str]] = field(default_factory=list)  # at, place, text
    truth: list[Situation] = field(default_factory=list)
    malformed: int = 0


@dataclass(frozen=True)
class Street:
    buildings: list[tuple[str, str]]  # (id, grid code)
    rooms: dict[str, list[str]]  # building -> rooms
    elderly: list[tuple[str, str, str]]  # (person, home room, grid code) living alone


def generate(street: Street, start: datetime, seed: int = 7, days: int = 7) -> Week:
    rng = random.Random(seed)
    week = Week(start)
    end = start + timedelta(days=days)
    buildings = list(street.buildings)
    rng.shuffle(buildings)
    taken = iter(buildings)
    _elderly(week, street, rng, days)
    _lifts(week, rng, taken, end)
    _smoke(week, rng, taken, end)
    _throws(week, rng, taken, end)
    _surges(week, rng, taken, end)
    _background(week, street, rng, days)
    week.events.sort(key=lambda e: e["at"])
    week.opinions.sort()
    return week


def _event(week: Week, kind: str, at: datetime, place: str, grid: str, person: str = "",
           source: str = "property_iot", value: str = "") -> None:
    week.events.append({"source": source, "key": f"{source}-{len(week.events):07d}",
                        "type": kind, "at": at.isoformat(), "place": place, "thing": "",
                        "person": person, "jurisdiction": grid, "value": value})


def _when(start: datetime, rng: random.Random, lo: float, hi: float) -> datetime:
    return start + timedelta(hours=rng.uniform(lo, hi))


def _elderly(week: Week, street: Street, rng: random.Random, days: int) -> None:
    """Watched homes: door access and water several times a day; eight go quiet for 40–60 h,
    six for 20–24 h (near misses). The truth is every quiet stretch of 36 h or more in what
    was generated (a near miss next to a quiet night can run over: then it is one)."""
    watched = street.elderly[:60]
    gaps = {p: (rng.uniform(20, 90), rng.uniform(40, 60)) for p, _, _ in watched[:8]}
    gaps |= {p: (rng.uniform(20, 110), rng.uniform(20, 24)) for p, _, _ in watched[8:14]}
    for person, home, grid in watched:
        gap = gaps.get(person)
        times = []
        for day in range(days):
            for hour in sorted(rng.sample(range(6, 23), 5)):
                at = week.start + timedelta(days=day, hours=hour, minutes=rng.randint(0, 59))
                offset = (at - week.start).total_seconds() / 3600
                if gap and gap[0] <= offset < gap[0] + gap[1]:
                    continue
                times.append(at)
                if rng.random() < 0.5:
                    _event(week, "door_access", at, home, grid, person, "security")
                else:
                    _event(week, "water_use", at, home, grid, "", "water",
                           f"{rng.uniform(2, 40):.1f}")
        for before, after in itertools.pairwise(times):
            if after - before >= timedelta(hours=36):
                week.truth.append(Situation("inactive_elderly", person,
                                            before + timedelta(hours=36), after))


def _lifts(week: Week, rng: random.Random, taken, end: datetime) -> None:  # type: ignore[no-untyped-def]
    for i in range(9):
        building, grid = next(taken)
        first = _when(week.start, rng, 0, 72)
        faults = [first + timedelta(hours=rng.uniform(0, 90)) for _ in range(2)] + [first]
        complain = i < 5 or i >= 7  # 5 clusters with a complaint, 2 without, 2 with 2 faults
        if i >= 7:
            faults = faults[:2]
        for at in faults:
            _event(week, "lift_fault", at, building, grid)
        if complain:
            said = max(faults) + timedelta(hours=rng.uniform(-30, 20))
            week.opinions.append((said, building, rng.choice(LIFT_COMPLAINTS)))
            if i < 5:
                due = max(max(faults), said)
                week.truth.append(Situation("lift_faults", building, due, due + timedelta(hours=2)))


def _smoke(week: Week, rng: random.Random, taken, end: datetime) -> None:  # type: ignore[no-untyped-def]
    for i in range(8):
        building, grid = next(taken)
        at = _when(week.start, rng, 2, 160)
        _event(week, "smoke_alarm", at, building, grid)
        if i % 3 == 0:  # sounds again within the hour: one alert
            _event(week, "smoke_alarm", at + timedelta(minutes=rng.randint(3, 40)), building, grid)
        week.truth.append(Situation("smoke_alarm", building, at, at + timedelta(minutes=5)))


def _throws(week: Week, rng: random.Random, taken, end: datetime) -> None:  # type: ignore[no-untyped-def]
    for i in range(10):
        building, grid = next(taken)
        first = _when(week.start, rng, 0, 100)
        _event(week, "high_throw", first, building, grid, source="security")
        if i < 5:
            second = first + timedelta(hours=rng.uniform(6, 60))
            _event(week, "high_throw", second, building, grid, source="security")
            week.truth.append(Situation("repeated_high_throw", building, second,
                                        second + timedelta(minutes=5)))


def _surges(week: Week, rng: random.Random, taken, end: datetime) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        building, _grid = next(taken)
        first = _when(week.start, rng, 24, 140)
        times = [first + timedelta(hours=rng.uniform(0, 6)) for _ in range(rng.randint(6, 9))]
        for at in times:
            week.opinions.append((at, building, rng.choice(SURGE_TEXTS)))
        times.sort()  # due from the first (with the usual voice there, five come sooner)
        week.truth.append(Situation("hotline_surge", building, times[0],
                                    times[4] + timedelta(hours=2)))


def _background(week: Week, street: Street, rng: random.Random, days: int) -> None:
    planted = {s.subject for s in week.truth} | {e["place"] for e in week.events}
    calm = [b for b in street.buildings if b[0] not in planted]
    homes = {home for _p, home, _g in street.elderly}  # meters there: only the watched ones
    for day in range(days):
        for _ in range(2500):
            building, grid = rng.choice(street.buildings)
            room = rng.choice(street.rooms.get(building) or [building])
            if room in homes:
                continue
            at = week.start + timedelta(days=day, seconds=rng.randint(0, 86_399))
            kind = rng.random()
            if kind < 0.45:
                _event(week, "door_access", at, building, grid, "", "security")
            elif kind < 0.9:
                _event(week, "water_use", at, room, grid, "", "water", f"{rng.uniform(1, 60):.1f}")
            else:
                _event(week, rng.choice(NOISE_TYPES), at, building, grid, "", "security")
    for day in range(-BASELINE_DAYS, days):  # the usual voice, and four weeks of it before
        for _ in range(OPINIONS_A_DAY):
            building, _grid = rng.choice(street.buildings)
            at = week.start + timedelta(days=day, seconds=rng.randint(0, 86_399))
            week.opinions.append((at, building, rng.choice(OPINIONS)))
    for building, grid in calm[:12]:  # below their rules: one lift fault, one throw
        _event(week, "lift_fault", _when(week.start, rng, 0, 160), building, grid)
        _event(week, "high_throw", _when(week.start, rng, 0, 160), building, grid,
               source="security")
    for building, _grid in calm[12:18]:  # a complaint about a lift that did not fail
        said = _when(week.start, rng, 0, 160)
        week.opinions.append((said, building, rng.choice(LIFT_COMPLAINTS)))
    week.malformed = 50
    for i in range(week.malformed):
        week.events.append({"source": "security", "key": f"bad-{i}", "type": "alien_landing",
                            "at": (week.start + timedelta(hours=i)).isoformat(), "place": "",
                            "thing": "", "person": "", "jurisdiction": "", "value": ""})
