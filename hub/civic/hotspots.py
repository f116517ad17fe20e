"""Hotspots: problems residents raise far more than usual, where, and the opinions that say so.

Pure computation over opinion rows (no I/O), so it can be measured and tested on its own.

What is counted of an opinion is its *topics*: the concepts it names (电梯故障/困人, however
worded; see hub.civic.topics), else its taxonomy words; never chatter (没人, 几次). Each topic
is counted at every place level the opinion belongs to (building → estate → community →
street; hub.civic.levels) and scored by the Poisson log-likelihood ratio
G = k·ln(k/λ) − (k − λ) of its count k against the count λ expected there: the place's own
monthly mean over the background months, or its share of the topic's rate in the rest of the
street (this month, which carries a season, or before, whichever is higher). A burst confined
to one building, or spread over one estate's buildings, stands out even when the topic is
common street-wide; a topic rising everywhere is one street hotspot.

Beside the topics, groups of similar texts at a building, estate or community are candidates
too (hub.civic.similar): a problem no concept lists, worded alike by those who raise it.

Candidates are taken best first. One that is nested in (or holds) a hotspot already taken and
shares most of its opinions joins it instead of repeating it (外墙 inside 外墙脱落); a hotspot
then settles at the finest place holding most of its opinions (a community's rise that is
really one estate's is that estate's).
"""

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import NamedTuple, TypeVar

from scipy.sparse import csr_matrix

from hub.civic import similar
from hub.civic.levels import FINEST, LEVELS, Where, places_of
from hub.civic.tally import Leaves, Tally

MIN_SUPPORT = 5
MIN_SCORE = 10.0  # 2G ≥ 20: p < 1e-5 under Poisson, enough for a few hundred candidates
MIN_GROWTH = 1.0  # at least double the expected count
MERGE_OVERLAP = 0.5
CANDIDATES = 400
SMOOTHING = 0.5
CONCENTRATED = 0.7
FLOOR = 0.3  # the least count expected at a place: about one opinion a season
BATCH = 32  # texts asked at once whether they are alike to a group of similar texts
# One building's opinions of one category also count as a topic: a problem worded with
# several concepts (下水道 4, 臭味 4, 返水 2) or with none is still one building's problem.
CATEGORY = "类:"
Place = tuple[str | None, str | None, str | None]  # a row's place id, place name and area
_AT = attrgetter("place_id", "place_name", "area")
_GRAMS = attrgetter("grams")


class Row(NamedTuple):
    """What hotspot detection needs of one opinion."""

    id: str
    terms: tuple[str, ...]
    place_id: str | None
    place_name: str | None
    category: str
    simhash: int
    created_at: float  # epoch seconds, for ordering evidence by recency
    area: str | None = None  # the place's jurisdiction code: a building and its estate share it
    topics: tuple[str, ...] | None = None  # what is counted; None: the terms (older callers)
    grams: tuple[str, ...] = ()  # its text's character bigrams (hub.civic.similar); () none


    @property
    def units(self) -> tuple[str, ...]:
        return self.terms if self.topics is None else self.topics


class _Places:
    """Each row's places at every level, parsed once per distinct place."""

    def __init__(self, names: dict[str, str] | None = None) -> None:
        self.names = names or {}
        self._cache: dict[Place, tuple[Where, ...]] = {}
        self.where: dict[str, Where] = {}
        self.up: dict[str, tuple[str, ...]] = {}  # a place's key and those of the places above


    def of(self, row: Row) -> tuple[Where, ...]:
        return self.at((row.place_id, row.place_name, row.area))

    def at(self, key: Place) -> tuple[Where, ...]:
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = places_of(*key, self.names)
            for j, w in enumerate(found):
                self.where.setdefault(w.key, w)
                self.up.setdefault(w.key, tuple(x.key for x in found[j:]))
        return found


@dataclass
class Background:
    """Counts of the earlier periods: per (topic, place key) and opinions per place key."""

    opinions: int = 0
    periods: int = 1
    pairs: Tally | Counter[tuple[str, str]] = field(default_factory=Counter)
    totals: Counter[str] = field(default_factory=Counter)
    common: set[str] = field(default_factory=set)  # bigrams too common to count
    texts: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)  # bigrams by place

    @classmethod
    def of(cls, rows: Sequence[Row], periods: int) -> "Background":
        places = _Places()
        pairs = Leaves(rows, places, CATEGORY)
        common = similar.frequent((r.grams for r in rows), len(rows))
        return cls(len(rows), max(1, periods), pairs, pairs.totals, common,
                   _texts_by_place(rows, places))

    def monthly(self, unit: str, key: str) -> float:
        """The place's own mean count of the topic per period."""
        return self.pairs[(unit, key)] / self.periods

    def rate(self, unit: str, key: str) -> float | None:
        """The topic's share of the place's opinions, or None without a background there."""
        total = self.totals[key]
        return (self.pairs[(unit, key)] + SMOOTHING) / (total + 1) if total else None


def _texts_by_place(rows: Sequence[Row], places: _Places) -> dict[str, list[tuple[str, ...]]]:
    """The texts' bigrams at each place but the street (a wording is a place's), gathered per
    distinct place first."""
    at_place: defaultdict[Place, list[tuple[str, ...]]] = defaultdict(list)
    for at, grams in zip(map(_AT, rows), map(_GRAMS, rows), strict=True):
        if grams:
            at_place[at].append(grams)
    texts: defaultdict[str, list[tuple[str, ...]]] = defaultdict(list)
    for at, grams_of in at_place.items():
        for w in places.at(at)[:-1]:
            texts[w.key].extend(grams_of)
    return dict(texts)


@dataclass
class Cluster:
    """Near-duplicate opinions (SimHash within 3 bits): a campaign or a copied complaint."""

    size: int
    opinion_ids: list[str]


@dataclass
class Hotspot:
    keywords: list[str]
    place_id: str | None  # the building's Place id; None at estate, community or street level
    place_name: str | None
    score: float
    growth: float  # this period's count over the place's usual, minus 1; 0 = flat
    count: int
    category: str
    opinion_ids: list[str]  # supporting opinions, newest first
    places: list[tuple[str, str, int]]  # (place id, name, opinions) most affected first
    clusters: list[Cluster]
    level: str = "street"  # building | estate | community | street
    place_key: str = ""  # the place at its level (hub.civic.levels)
    baseline: float | None = None  # the place's monthly mean of the topic before; None: unknown

    @property
    def topic(self) -> str:
        return self.keywords[0] if self.keywords else ""

    @property
    def title(self) -> str:
        """As an officer writes it: 景芳新村7幢 电梯故障/困人 14条（前三月月均1.3条）."""
        where = self.place_name or "全辖区"
        before = "无往期数据" if self.baseline is None else f"前三月月均{self.baseline:.1f}条"
        return f"{where} {self.topic} {self.count}条（{before}）"


def g_score(k: int, expected: float) -> float:
    """Poisson log-likelihood ratio of observing k against expecting `expected`; 0 if not more."""
    if k <= expected or expected <= 0:
        return 0.0
    return k * math.log(k / expected) - (k - expected)


class _Index:
    """The period's counts, and postings of each topic per place, built when first asked."""

    def __init__(self, rows: Sequence[Row], places: _Places) -> None:
        self.rows, self.places = rows, places
        self.pairs = Tally(rows, places, LEVELS, CATEGORY)
        self.totals = self.pairs.totals
        self._by_unit: dict[str, list[int]] = defaultdict(list)
        for i, row in enumerate(rows):
            for unit in row.units:
                self._by_unit[unit].append(i)
            self._by_unit[CATEGORY + row.category].append(i)
        self._postings: dict[str, dict[str, set[int]]] = {}
        self._at: dict[str, list[int]] | None = None
        self._vectors: similar.Vectors | None = None
        self.clustered: dict[str, tuple[list[str], float]] = {}  # unit → its bigrams, before

    def at_place(self, key: str) -> list[int]:
        """The period's opinions at a place (any level), in row order."""
        return self.by_place().get(key, [])

    def by_place(self) -> dict[str, list[int]]:
        """The period's opinions at each place, gathered per distinct place first; places in
        the order their first opinion comes."""
        if self._at is None:
            at_place: defaultdict[Place, list[int]] = defaultdict(list)
            for i, at in enumerate(map(_AT, self.rows)):
                at_place[at].append(i)
            found: defaultdict[str, list[int]] = defaultdict(list)
            for at, members in at_place.items():
                for w in self.places.at(at):
                    found[w.key].extend(members)
            for members in found.values():
                members.sort()
            self._at = dict(found)
        return self._at

    def cluster(self, group: similar.Group, before: float) -> str:
        """Register a group of similar texts as a unit of its own: its members, its words."""
        unit = f"{similar.PREFIX}#{len(self.clustered)}"
        self.clustered[unit] = ([similar.PREFIX + g for g in group.characteristic], before)
        self._postings[unit] = defaultdict(set)
        for i in group.members:
            for w in self.places.of(self.rows[i]):
                self._postings[unit][w.key].add(i)
        self._postings[unit].default_factory = None
        return unit

    @property
    def vectors(self) -> similar.Vectors:
        if self._vectors is None:
            self._vectors = similar.Vectors([r.grams for r in self.rows])
        return self._vectors

    def members(self, unit: str, key: str) -> set[int]:
        if unit not in self._postings:
            found: dict[str, set[int]] = defaultdict(set)
            for i in self._by_unit.get(unit, ()):
                for w in self.places.of(self.rows[i]):
                    found[w.key].add(i)
            self._postings[unit] = found
        return self._postings[unit].get(key, set())

    def where(self, key: str) -> Where:
        return self.places.where[key]

    def street_of(self, key: str) -> str:
        """The street key above a place (every row has one; it comes last)."""
        return self.places.up[key][-1]


Candidate = tuple[float, str, str]  # score, topic, place key
T = TypeVar("T")


def _expected(index: _Index, background: Background, unit: str, key: str, street: str
              ) -> Iterator[float]:
    """What the place would count of the topic without a problem of its own, as rising lower
    bounds, cheapest first; the last is the expectation. A candidate fails at the first bound
    that explains its count, so the background is summed only where this month's own counts
    leave a candidate standing (a city-month asks it of one pair in five)."""
    if key == street:
        yield max(background.monthly(unit, key), FLOOR) if background.opinions else float(
            index.pairs[(unit, key)])
        return
    k_street, n_street = index.pairs[(unit, street)], index.totals[street]
    k, n = index.pairs[(unit, key)], index.totals[key]
    # The place's share is its usual volume when it has one: a burst swells its own place's
    # month (a building of 6 opinions a month with 9 about a leak), and measured against that
    # swollen month, a building-level burst inside a street-wide seasonal topic disappears.
    usual = background.totals[key] / background.periods
    share = min(n, usual) if usual else n
    bound = max(share * (k_street - k) / max(1, n_street - n), FLOOR)  # the rest of the street
    yield bound
    bound = max(bound, share * (background.rate(unit, street) or 0.0))  # the street before
    yield bound
    yield max(bound, background.monthly(unit, key))  # the place's own history


def _stands_out(k: int, expected: float) -> bool:
    """Significant and at least doubled; both fail more as the expectation rises."""
    return k >= (1 + MIN_GROWTH) * expected and g_score(k, expected) >= MIN_SCORE


def _candidates(index: _Index, background: Background) -> list[Candidate]:
    """Scored (topic, place) candidates that are significant and at least doubled."""
    streets: dict[str, str] = {}
    found: list[Candidate] = []
    for (unit, key), k in index.pairs.at_least(MIN_SUPPORT):
        if key not in streets:
            streets[key] = index.street_of(key)
        expected = 0.0
        for expected in _expected(index, background, unit, key, streets[key]):
            if not _stands_out(k, expected):
                break
        else:
            found.append((g_score(k, expected), unit, key))
    found.sort(key=lambda c: (-c[0], c[1], c[2]))
    return found[:CANDIDATES]


def _similar_candidates(index: _Index, background: Background) -> list[Candidate]:
    """Groups of similar texts at a building, estate or community (hub.civic.similar), scored
    like a topic: k similar opinions against those similar to them at the same place before
    (a month's mean) and in the rest of the street this month (its season), whichever is more;
    alike is what would have joined the group, the test that formed it.
    A wording rising street-wide is a new voice or a season, not a place's problem: no street
    level here."""
    links = similar.Links(index.vectors, background.common)
    postings = _street_postings(index, links.rare)
    seen: dict[tuple[int, ...], similar.Group] = {}  # the same group at nested places
    found: list[Candidate] = []
    for key, members in index.by_place().items():
        if not _searched(index, background, key, members):
            continue
        area = index.places.up[key][-2]  # its community, else the widest place below the street
        for opinions in links.groups(members, area, index.at_place(area), MIN_SUPPORT):
            if not _stands_out(len(opinions), FLOOR):  # 5 never do (G 9.4 against the floor)
                continue
            group = seen.get(tuple(opinions))
            if group is None:
                group = seen[tuple(opinions)] = similar.Group(opinions, index.vectors)
            candidate = _group_candidate(index, background, postings, key, members, group)
            if candidate:
                found.append(candidate)
    return found


def _street_postings(index: _Index, rare: csr_matrix
                     ) -> tuple[similar.Postings, dict[str, int]]:
    """The month's opinions by street and rare bigram; the streets' numbers."""
    streets = {key: n for n, key in enumerate(
        k for k in index.by_place() if index.where(k).level == "street")}
    street_of = [0] * len(index.rows)
    for key, n in streets.items():
        for i in index.at_place(key):
            street_of[i] = n
    return similar.Postings(rare, street_of), streets


def _searched(index: _Index, background: Background, key: str, members: list[int]) -> bool:
    """A problem of its own adds opinions to a building: only a building holding at least
    MIN_SUPPORT more than usual is searched (the cost stays with a few of thousands). An
    estate's or community's month varies by more than a spread-out problem adds."""
    level = index.where(key).level
    usual = background.totals[key] / background.periods
    return level != "street" and len(members) >= MIN_SUPPORT and (
        level != "building" or len(members) >= usual + MIN_SUPPORT)


def _group_candidate(index: _Index, background: Background,
                     postings: tuple[similar.Postings, dict[str, int]], key: str,
                     members: list[int],
                     group: similar.Group) -> Candidate | None:
    """A group scored against the texts alike to it, cheapest bound first: the rest of the
    street this month (its season), then the place's own history; None if either explains it.
    Alike: a text that would have joined the group (cosine ≥ similar.LINK to one of its
    members), looked at only when sharing two of its eight most characteristic bigrams."""
    k = len(group.members)
    street = index.street_of(key)
    here = set(members)
    top = set(group.characteristic)
    by_street, streets = postings
    shared = by_street.sharing(streets[street], [index.vectors.column[g] for g in top
                                                 if g not in background.common], 2)
    n, n_street = index.totals[key], index.totals[street]
    usual = background.totals[key] / background.periods
    share = min(n, usual) if usual else n

    def from_street(count: int) -> float:
        return max(FLOOR, share * count / max(1, n_street - n))

    # Most shared first: a group the street explains is told so sooner.
    elsewhere = _alike(k, [i for i in shared if i not in here], group.joined_by, from_street)
    if elsewhere is None:
        return None
    expected = from_street(elsewhere)
    history = [g for g in background.texts.get(key, ()) if len(top.intersection(g)) >= 2]
    before = _alike(k, history, group.joined_by_texts,
                    lambda count: max(expected, count / background.periods))
    if before is None:
        return None
    monthly = before / background.periods
    unit = index.cluster(group, monthly)
    return g_score(k, max(expected, monthly)), unit, key


def _alike(k: int, texts: Sequence[T], joined: Callable[[Sequence[T]], list[bool]],
           expected: Callable[[int], float]) -> int | None:
    """How many of the texts would have joined the group (asked a batch at a time); None as
    soon as so many would that the group's k opinions no longer stand out against the count
    expected of them."""
    count = 0
    if not _stands_out(k, expected(count)):
        return None
    for start in range(0, len(texts), BATCH):
        for joins in joined(texts[start:start + BATCH]):
            count += joins
            if joins and not _stands_out(k, expected(count)):
                return None
    return count


def _distance(a: int, b: int) -> int:
    return ((a ^ b) & (2**64 - 1)).bit_count()


def clusters(rows: Sequence[Row], max_bits: int = 3) -> list[Cluster]:
    """Groups of near-duplicates; 4 bands of 16 bits find every pair within 3 differing bits."""
    parent = list(range(len(rows)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for band in range(4):
        buckets: dict[int, list[int]] = defaultdict(list)
        for i, row in enumerate(rows):
            buckets[(row.simhash >> (16 * band)) & 0xFFFF].append(i)
        for members in buckets.values():
            for a_pos, a in enumerate(members):
                for b in members[a_pos + 1 :]:
                    if _distance(rows[a].simhash, rows[b].simhash) <= max_bits:
                        parent[root(a)] = root(b)
    groups: dict[int, list[str]] = defaultdict(list)
    for i, row in enumerate(rows):
        groups[root(i)].append(row.id)
    found = [Cluster(len(ids), ids) for ids in groups.values() if len(ids) > 1]
    return sorted(found, key=lambda c: -c.size)


@dataclass
class _Pick:
    units: list[str]
    key: str
    members: set[int]
    score: float


def _nested(index: _Index, a: str, b: str) -> bool:
    """Whether one place is the other or lies inside it."""
    return b in index.places.up[a] or a in index.places.up[b]


def _joins(index: _Index, pick: _Pick, unit: str, key: str, members: set[int]) -> bool:
    """Whether a candidate is the same concern as a hotspot already taken; if so it joins."""
    shared = len(members & pick.members)
    # At one place, mostly the same opinions are one concern; across nested places, only when
    # they are most of the larger one's too: a building's leak burst inside the street's
    # plum-rain leaks is its own hotspot, a community rise that is one estate's is not.
    sizes = (len(members), len(pick.members))
    least = min(sizes) if key == pick.key else max(sizes)
    if shared < MERGE_OVERLAP * least and not (
        key == pick.key and _words_nest(unit, pick.units)
    ):
        return False
    if not _nested(index, key, pick.key):
        return False
    if unit not in pick.units and len(pick.units) < 6:
        pick.units.append(unit)
    if key == pick.key:
        pick.members |= members
    return True


def _words_nest(unit: str, units: list[str]) -> bool:
    """外墙 inside 外墙脱落/坠物: at one place, the shorter is part of the longer's concern."""
    if similar.is_gram(unit):
        return False
    return any(unit in u or u in unit for u in units if not similar.is_gram(u))


def _settle(index: _Index, pick: _Pick) -> None:
    """Move a hotspot to the finest place holding most of its opinions, keeping those."""
    level = FINEST[index.where(pick.key).level]
    for finer in range(level):
        at: Counter[str] = Counter(
            w.key for i in pick.members for w in index.places.of(index.rows[i])
            if FINEST[w.level] == finer
        )
        if at:
            key, n = at.most_common(1)[0]
            if n >= MIN_SUPPORT and n >= CONCENTRATED * len(pick.members):
                pick.key = key
                pick.members = {
                    i for i in pick.members
                    if any(w.key == key for w in index.places.of(index.rows[i]))
                }
                return


def _growth(now: float, usual: float) -> float:
    """Relative growth over the usual level (at least one a month)."""
    return round(now / max(usual, 1.0) - 1, 3)


def _hotspot(index: _Index, background: Background, pick: _Pick) -> Hotspot:
    rows = sorted((index.rows[i] for i in pick.members), key=lambda r: -r.created_at)
    places = Counter(r.place_id for r in rows if r.place_id).most_common(5)
    names = {r.place_id: r.place_name or "" for r in rows if r.place_id}
    where = index.where(pick.key)
    lead = index.clustered.get(pick.units[0])
    usual = lead[1] if lead else (
        background.monthly(pick.units[0], pick.key) if background.opinions else None)
    units = [g for u in pick.units for g in (index.clustered[u][0] if u in index.clustered
                                             else [u])]
    return Hotspot(
        keywords=_keywords(units, rows, index.places.names),
        place_id=where.place_id,
        place_name=where.name,
        score=round(pick.score, 2),
        growth=_growth(len(rows), usual) if usual is not None else 0.0,
        count=len(rows),
        category=Counter(r.category for r in rows).most_common(1)[0][0],
        opinion_ids=[r.id for r in rows],
        places=[(p, names[p], c) for p, c in places],
        clusters=clusters(rows),
        level=where.level,
        place_key=pick.key,
        baseline=round(usual, 2) if usual is not None else None,
    )


def _keywords(units: list[str], rows: list[Row], names: dict[str, str]) -> list[str]:
    """The hotspot's topics, its main one first; a category hotspot is named by the concepts
    most of its opinions share (else by the category: 环境卫生类诉求)."""
    if similar.is_gram(units[0]):
        # A group of similar texts: named by the concept half of them name, if any (the
        # officer's word), else by the words its most characteristic bigrams belong to.
        found = similar.words([u for u in units if similar.is_gram(u)], (r.terms for r in rows))
        concepts = Counter(u for r in rows for u in r.units)
        lead = [u for u, n in concepts.most_common(2) if 2 * n >= len(rows)]
        named = [*lead, "/".join(found[:2]), *found] if lead else ["/".join(found[:2]), *found]
        if any(named):
            return [u for u in named if u]
    named = [u for u in units if not u.startswith(CATEGORY) and not similar.is_gram(u)]
    shared = Counter(u for r in rows for u in r.units if u not in named
                     and not similar.is_gram(u))
    named += [u for u, n in shared.most_common(4 - len(named)) if n >= 2]
    if named:
        return named
    code = units[0][len(CATEGORY):]
    return [f"{names.get(code, code)}类诉求"]


def _gather(index: _Index, pick: _Pick) -> None:
    """A hotspot found by a bigram is a cluster of similar texts: the opinions at its place
    close to its centroid join it (耗子 beside 老鼠 when the texts otherwise agree)."""
    if not similar.is_gram(pick.units[0]):
        return
    vectors = index.vectors
    pick.members |= vectors.close(vectors.centroid(pick.members), index.at_place(pick.key))


def _merge_settled(index: _Index, picks: list[_Pick]) -> list[_Pick]:
    """Two hotspots that settled at the same place with mostly the same opinions are one."""
    kept: list[_Pick] = []
    for pick in picks:
        home = next((k for k in kept if k.key == pick.key and (
            len(k.members & pick.members) >= MERGE_OVERLAP * min(len(k.members), len(pick.members))
            or any(_words_nest(u, k.units) for u in pick.units))), None)
        if home is None:
            kept.append(pick)
        else:
            home.members |= pick.members
            home.units += [u for u in pick.units if u not in home.units]
    return kept


def detect(
    rows: Sequence[Row], background: Background, top: int = 10,
    names: dict[str, str] | None = None,
) -> list[Hotspot]:
    """The `top` hotspots of the period, best first, each with its evidence. `names` gives
    community and street names by code (for titles)."""
    index = _Index(rows, _Places(names))
    found = _candidates(index, background)
    if any(r.grams for r in rows):
        found = sorted(found + _similar_candidates(index, background),
                       key=lambda c: (-c[0], c[1], c[2]))
    chosen: list[_Pick] = []
    for score, unit, key in found:
        members = index.members(unit, key)
        if any(_joins(index, p, unit, key, members) for p in chosen):
            continue
        if len(chosen) < top:
            chosen.append(_Pick([unit], key, set(members), score))
    for pick in chosen:
        _gather(index, pick)
        _settle(index, pick)
    return [_hotspot(index, background, p) for p in _merge_settled(index, chosen)]
