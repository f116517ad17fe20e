"""Residents' opinions for a year, with seasonal topics and planted hotspots, and their truth.

About one opinion per ten residents a month (小河街道's ~2,000 for ~20,000 residents); 30% come
through the 12345 hotline (its own work-order export), the rest through the app, WeChat, the
web and offline visits (`opinions.csv`, fed to the hub's intake). Every month two or three
bursts are planted in one building each (an elevator that keeps failing, yellow tap water…);
`hotspots_truth.csv` lists them, and the seasonal topics, per month.
"""

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from random import Random

from demo.addresses import building_label, region_prefix
from demo.opinion_texts import CLOSERS, HOTLINE_CATEGORIES, OPENERS, PLANTED, TOPICS, Topic
from demo.people import Person, Population
from demo.world import Building

CST = timezone(timedelta(hours=8))
MONTHS = 12
PER_RESIDENT_MONTH = 0.1
HOTLINE_SHARE = 0.3
SEASONAL_WEIGHT = 10.0
CHANNELS = (("app", 0.55), ("wechat", 0.28), ("web", 0.08), ("offline", 0.09))
OPINION_COLUMNS = ["opinion_no", "channel", "created_at", "author_phone", "text", "address",
                   "category", "idempotency_key", "topic", "building_id", "planted"]
HOTLINE_COLUMNS = ["order_no", "received_at", "caller_phone", "address", "content", "category",
                   "community_code", "status", "replied_at", "closed_at", "satisfaction"]
TRUTH_COLUMNS = ["month", "kind", "topic", "keywords", "building_id", "estate", "building_no",
                 "community_code", "grid_code", "opinions"]


@dataclass
class Spoken:
    at: datetime
    author: Person
    building: Building
    topic: Topic
    text: str
    address: str
    planted: str = ""


def months_until(as_of: date) -> list[date]:
    first = date(as_of.year, as_of.month, 1)
    found = [first]
    while len(found) < MONTHS:
        first = (first - timedelta(days=1)).replace(day=1)
        found.append(first)
    return sorted(found)


class OpinionWriter:
    def __init__(self, rng: Random, pop: Population, out: Path, as_of: date) -> None:
        self.rng, self.pop, self.out, self.as_of = rng, pop, out, as_of
        street = pop.world.streets[0]
        self.people = [p for p in pop.residents
                       if p.household and p.household.room.building.estate.community.street
                       is street and p.age_on(as_of) >= 18]
        self.truth: list[list[object]] = []
        self.seq = 0

    def run(self) -> dict[str, int]:
        spoken: list[Spoken] = []
        for first in months_until(self.as_of):
            spoken.extend(self._month(first))
        spoken.sort(key=lambda s: s.at)
        hotline = [s for s in spoken if self.rng.random() < HOTLINE_SHARE]
        chosen = {id(s) for s in hotline}
        self._write_opinions([s for s in spoken if id(s) not in chosen])
        self._write_hotline(hotline)
        self._write_truth()
        return {"opinion": len(spoken) - len(hotline), "hotline_order": len(hotline)}

    def _month(self, first: date) -> Iterator[Spoken]:
        nxt = (first + timedelta(days=32)).replace(day=1)
        last = min(nxt, self.as_of + timedelta(days=1))
        days = (last - first).days
        if days <= 0:
            return
        count = round(len(self.people) / 0.8 * PER_RESIDENT_MONTH * days / 30
                      * self.rng.uniform(0.9, 1.1))
        weights = [t.weight + (SEASONAL_WEIGHT if first.month in t.months else 0)
                   for t in TOPICS]
        for topic in TOPICS:
            if first.month in topic.months:
                self._truth(first, "seasonal", topic, None, 0)
        for _ in range(count):
            topic = self.rng.choices(TOPICS, weights)[0]
            author = self.rng.choice(self.people)
            yield self._speak(first, days, author, topic)
        if days >= 20:
            yield from self._planted(first, days)

    def _planted(self, first: date, days: int) -> Iterator[Spoken]:
        scale = max(0.3, min(1.0, len(self.people) / 16000))
        for topic in self.rng.sample(PLANTED, self.rng.choice([2, 3])):
            building = self.rng.choice(self.people).household.room.building  # type: ignore[union-attr]
            living = [p for p in self.people if p.household.room.building is building]  # type: ignore[union-attr]
            size = max(8, round(self.rng.randint(22, 40) * scale))
            campaign = self._text(topic, building)
            start = self.rng.randint(0, max(0, days - 8))
            label = f"{first:%Y-%m}/{topic.name}/{building.building_id}"
            self._truth(first, "planted", topic, building, size)
            for i in range(size):
                author = self.rng.choice(living or self.people)
                text = campaign if i % 3 == 0 else self._text(topic, building)
                yield self._speak(first, days, author, topic, building, text, start, label)

    def _speak(
        self, first: date, days: int, author: Person, topic: Topic,
        building: Building | None = None, text: str | None = None, start: int | None = None,
        planted: str = "",
    ) -> Spoken:
        home = author.household.room.building  # type: ignore[union-attr]
        building = building or home
        day = start + self.rng.randint(0, 7) if start is not None else self.rng.randrange(days)
        hour = self.rng.choices(range(24), [1] * 7 + [4] * 15 + [2] * 2)[0]
        at = datetime(first.year, first.month, 1, hour, self.rng.randrange(60),
                      self.rng.randrange(60), tzinfo=CST) + timedelta(days=min(day, days - 1))
        return Spoken(at, author, building, topic, text or self._text(topic, building),
                      self._address(building), planted)

    def _where(self, building: Building) -> str:
        estate = building.estate.name
        if self.rng.random() < 0.2:
            return estate
        return estate + building_label(building.number, self.rng.choice(["幢", "号楼", "栋"]))

    def _text(self, topic: Topic, building: Building) -> str:
        rng = self.rng
        body = rng.choice(topic.templates).format(where=self._where(building))
        opener = rng.choice(OPENERS).format(estate=building.estate.name)
        return opener + body + rng.choice(CLOSERS)

    def _address(self, building: Building) -> str:
        """How residents write where: mostly estate + building, sometimes more, sometimes less."""
        rng = self.rng
        estate = building.estate
        street = estate.community.street.spec
        prefix = region_prefix(rng.choice(["none", "none", "district", "city"]),
                               street.district_name)
        number = building_label(building.number, rng.choice(["幢", "号楼", "栋", "wide"]))
        unit = f"{rng.randint(1, building.units)}单元" if rng.random() < 0.3 else ""
        return f"{prefix}{street.name if prefix else ''}{estate.name}{number}{unit}"

    def _truth(self, first: date, kind: str, topic: Topic, b: Building | None, n: int) -> None:
        self.truth.append([
            f"{first:%Y-%m}", kind, topic.name, " ".join(topic.truth),
            b.building_id if b else "", b.estate.name if b else "",
            f"{b.number}幢" if b else "", b.estate.community.code if b else "",
            b.grid.code if b else "", n,
        ])

    def _csv(self, path: Path, header: list[str], rows: list[list[object]]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8-sig") as handle:
            out = csv.writer(handle, lineterminator="\r\n")
            out.writerow(header)
            out.writerows(rows)

    def _write_opinions(self, spoken: list[Spoken]) -> None:
        rows = []
        for i, s in enumerate(spoken, start=1):
            channel = self.rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0]
            category = s.topic.category if self.rng.random() < 0.25 else ""
            rows.append([f"YJ{i:07d}", channel, s.at.isoformat(), s.author.phone or "", s.text,
                         s.address, category, f"demo-{i:07d}", s.topic.name,
                         s.building.building_id, s.planted])
        self._csv(self.out / "opinions" / "opinions.csv", OPINION_COLUMNS, rows)

    def _write_hotline(self, spoken: list[Spoken]) -> None:
        rows = []
        for i, s in enumerate(spoken, start=1):
            rows.append(self._order(i, s))
        self._csv(self.out / "hotline" / "work_orders.csv", HOTLINE_COLUMNS, rows)

    def _order(self, i: int, s: Spoken) -> list[object]:
        rng = self.rng
        replied = s.at + timedelta(hours=rng.uniform(0.5, 30))
        age = datetime.combine(self.as_of, datetime.min.time(), CST) - s.at
        done = age > timedelta(days=10) or rng.random() < 0.5
        closed = replied + timedelta(days=rng.uniform(0.5, 9)) if done else None
        if closed is not None and closed > datetime.combine(self.as_of, datetime.min.time(), CST):
            closed = None
        verdict = rng.choices(["满意", "基本满意", "不满意"], [78, 15, 7])[0] if closed else ""
        return [
            f"GD{s.at:%Y%m%d}{i:05d}", s.at.isoformat(), s.author.phone or "", s.address,
            s.text, HOTLINE_CATEGORIES.get(s.topic.category, "其他"),
            s.building.estate.community.code, "已办结" if closed else "处理中",
            replied.isoformat(), closed.isoformat() if closed else "", verdict,
        ]

    def _write_truth(self) -> None:
        self._csv(self.out / "opinions" / "hotspots_truth.csv", TRUTH_COLUMNS, self.truth)


def write(rng: Random, pop: Population, out: Path, as_of: date) -> dict[str, int]:
    return OpinionWriter(rng, pop, out, as_of).run()
