"""Counts of (topic, place key) pairs over many opinion rows, tallied in C.

A city-month is 200,000 opinions over 20,000 buildings, with three months of background: a
Python loop spreading each (topic, place) instance over four place levels took 7.5 s of its
11 s. Here each row's place is parsed once per distinct place, topics and places are coded as
ints, and one pass per level is `Counter(map(add, topic ids, map(level codes, place ids)))`,
which runs in C. A pair's code is place key id × topics + topic id; a row without a place at
some level gets a negative code there, dropped afterwards.

The background is counted lazily (`Leaves`): eagerly only at each distinct place and street;
at a building, estate or community when asked, by summing its places' counts (detection asks
only where this month has a candidate that its own month does not already explain).
"""

from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from itertools import chain, repeat
from operator import add, attrgetter
from typing import Protocol

from hub.civic.levels import Where

_AT = attrgetter("place_id", "place_name", "area")
_CATEGORY = attrgetter("category")
Place = tuple[str | None, str | None, str | None]


class _Row(Protocol):
    @property
    def units(self) -> tuple[str, ...]: ...
    @property
    def category(self) -> str: ...


class _Places(Protocol):
    def at(self, key: Place) -> tuple[Where, ...]: ...


class Tally:
    """(topic, place key) counts at the given levels, and opinions per place key (every level).

    `category_prefix`: one building's opinions of one category also count, as that topic."""

    def __init__(self, rows: Sequence[_Row], places: _Places, levels: Sequence[str],
                 category_prefix: str) -> None:
        at = list(map(_AT, rows))
        units = [r.units for r in rows]
        self.places = list(dict.fromkeys(at))
        self.where = [places.at(p) for p in self.places]
        index = {p: i for i, p in enumerate(self.places)}
        row_place = list(map(index.__getitem__, at))
        self.unit_ids = {u: i for i, u in enumerate(dict.fromkeys(chain.from_iterable(units)))}
        categories = Counter(zip(map(_CATEGORY, rows), row_place, strict=True))
        for category, _ in categories:
            self.unit_ids.setdefault(category_prefix + category, len(self.unit_ids))
        self.key_ids: dict[str, int] = {}
        self.counts: Counter[int] = Counter()
        unit_of = list(map(self.unit_ids.__getitem__, chain.from_iterable(units)))
        place_of = list(chain.from_iterable(map(repeat, row_place, map(len, units))))
        for level in levels:
            self._count_level(level, unit_of, place_of)
        self._count_categories(categories, category_prefix)
        self.totals = self._totals(Counter(row_place))

    def _code(self, unit_id: int, key: str) -> int:
        return self.key_ids.setdefault(key, len(self.key_ids)) * len(self.unit_ids) + unit_id

    def _count_level(self, level: str, unit_of: list[int], place_of: list[int]) -> None:
        n = len(self.unit_ids)
        base = [next((self._code(0, w.key) for w in ws if w.level == level), -n)
                for ws in self.where]
        tallied = Counter(map(add, unit_of, map(base.__getitem__, place_of)))
        for unit_id in range(n):
            tallied.pop(unit_id - n, None)  # rows without a place at this level
        dict.update(self.counts, tallied)

    def _count_categories(self, categories: Counter, prefix: str) -> None:
        for (category, place), k in categories.items():
            finest = self.where[place][0]
            if category != "other" and finest.level == "building":
                self.counts[self._code(self.unit_ids[prefix + category], finest.key)] += k

    def _totals(self, per_place: Counter[int]) -> Counter[str]:
        totals: defaultdict[str, int] = defaultdict(int)
        for place, k in per_place.items():
            for where in self.where[place]:
                totals[where.key] += k
        return Counter(totals)

    def __getitem__(self, pair: tuple[str, str]) -> int:
        unit, key = pair
        unit_id, key_id = self.unit_ids.get(unit), self.key_ids.get(key)
        if unit_id is None or key_id is None:
            return 0
        return self.counts.get(key_id * len(self.unit_ids) + unit_id, 0)

    def at_least(self, k: int) -> Iterator[tuple[tuple[str, str], int]]:
        """((topic, place key), count) of the pairs counted at least k times."""
        units, keys = list(self.unit_ids), list(self.key_ids)
        n = len(units)
        for code, count in self.counts.items():
            if count >= k:
                key_id, unit_id = divmod(code, n)
                yield (units[unit_id], keys[key_id]), count


class Leaves(Tally):
    """A background: counted at each distinct place (a pseudo-level) and street, eagerly; any
    other place key's count is the sum of its places', when first asked."""

    def __init__(self, rows: Sequence[_Row], places: _Places, category_prefix: str) -> None:
        super().__init__(rows, places, ("leaf", "street"), category_prefix)
        n = len(self.unit_ids)
        self.under: defaultdict[str, list[int]] = defaultdict(list)  # code bases of its places
        for i, ws in enumerate(self.where):
            for w in ws[:-1]:  # a street is counted in one pass (asked of every candidate)
                self.under[w.key].append(self.key_ids[f"leaf:{i}"] * n)
        self._sums: dict[tuple[str, str], int] = {}

    def _count_level(self, level: str, unit_of: list[int], place_of: list[int]) -> None:
        if level != "leaf":
            return super()._count_level(level, unit_of, place_of)
        base = [self._code(0, f"leaf:{i}") for i in range(len(self.places))]
        dict.update(self.counts, Counter(map(add, unit_of, map(base.__getitem__, place_of))))

    def _count_categories(self, categories: Counter, prefix: str) -> None:
        for (category, place), k in categories.items():
            if category != "other" and self.where[place][0].level == "building":
                self.counts[self._code(self.unit_ids[prefix + category], f"leaf:{place}")] += k

    def __getitem__(self, pair: tuple[str, str]) -> int:
        unit, key = pair
        if key.startswith("street:"):
            return super().__getitem__(pair)
        found = self._sums.get(pair)
        if found is None:
            unit_id, bases = self.unit_ids.get(unit), self.under.get(key, ())
            found = 0 if unit_id is None else sum(
                map(self.counts.get, map(add, bases, repeat(unit_id)), repeat(0)))
            self._sums[pair] = found
        return found
