"""Hotspots: what residents raise far more than usual, where, and the opinions that say so.

Pure computation over opinion rows (no I/O), so it can be measured and tested on its own.

Candidates are a keyword across the whole jurisdiction, or a keyword at one place. Each is
scored by the Poisson log-likelihood ratio G = k·ln(k/λ) − (k − λ) of its count k in the period
against the count λ expected from the background (the earlier periods of the same
jurisdiction): a keyword that is merely common scores nothing, a burst scores high, and a burst
confined to one building stands out even when the keyword is common street-wide. Candidates are
taken best first; one whose supporting opinions mostly belong to a hotspot already taken joins
it (its keyword adds to the hotspot's keywords) instead of repeating it.
"""

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

MIN_SUPPORT = 5
MIN_SCORE = 10.0  # 2G ≥ 20: p < 1e-5 under Poisson, enough for a few hundred candidates
MIN_GROWTH = 1.0  # at least double the usual rate, once there is a background
MERGE_OVERLAP = 0.5
CANDIDATES = 300
SMOOTHING = 0.5
CONCENTRATED = 0.8


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


@dataclass
class Background:
    """Counts of the earlier periods: per keyword, and per (keyword, place)."""

    opinions: int = 0
    periods: int = 1
    terms: Counter[str] = field(default_factory=Counter)
    pairs: Counter[tuple[str, str]] = field(default_factory=Counter)

    @classmethod
    def of(cls, rows: Sequence[Row], periods: int) -> "Background":
        # one flat generator per Counter: counted in C, several times faster than per-row updates
        return cls(
            opinions=len(rows),
            periods=max(1, periods),
            terms=Counter(t for row in rows for t in row.terms),
            pairs=Counter((t, row.place_id) for row in rows if row.place_id for t in row.terms),
        )

    def rate(self, term: str) -> float | None:
        """The share of opinions using `term`, or None when there is no background."""
        if self.opinions == 0:
            return None
        return (self.terms[term] + SMOOTHING) / (self.opinions + 1)


@dataclass
class Cluster:
    """Near-duplicate opinions (SimHash within 3 bits): a campaign or a copied complaint."""

    size: int
    opinion_ids: list[str]


@dataclass
class Hotspot:
    keywords: list[str]
    place_id: str | None
    place_name: str | None
    score: float
    growth: float  # this period's rate over the background's, minus 1; None-free: 0 = flat
    count: int
    category: str
    opinion_ids: list[str]  # supporting opinions, newest first
    places: list[tuple[str, str, int]]  # (place id, name, opinions) most affected first
    clusters: list[Cluster]

    @property
    def title(self) -> str:
        where = f"{self.place_name}：" if self.place_name else ""
        return f"{where}{'、'.join(self.keywords[:3])}（{self.count}条）"


def g_score(k: int, expected: float) -> float:
    """Poisson log-likelihood ratio of observing k against expecting `expected`; 0 if not more."""
    if k <= expected or expected <= 0:
        return 0.0
    return k * math.log(k / expected) - (k - expected)


class _Index:
    """Counts and postings of the period's opinions."""

    def __init__(self, rows: Sequence[Row]) -> None:
        self.rows = rows
        self.by_term: dict[str, list[int]] = defaultdict(list)
        self.by_place: Counter[str] = Counter()
        self.names: dict[str, str] = {}
        self.area: dict[str, str | None] = {}
        for i, row in enumerate(rows):
            for term in row.terms:
                self.by_term[term].append(i)
            if row.place_id:
                self.by_place[row.place_id] += 1
                self.names[row.place_id] = row.place_name or ""
                self.area[row.place_id] = row.area

    def category(self, members: set[int]) -> str:
        return Counter(self.rows[i].category for i in members).most_common(1)[0][0]

    def at_place(self, term: str) -> Counter[str]:
        return Counter(self.rows[i].place_id for i in self.by_term[term] if self.rows[i].place_id)


Candidate = tuple[float, str, str | None, float]  # score, keyword, place, growth


def _candidates(index: _Index, background: Background) -> list[Candidate]:
    """Scored (keyword) and (keyword, place) candidates that are significant and growing."""
    n = len(index.rows)
    found: list[Candidate] = []
    for term, postings in index.by_term.items():
        k = len(postings)
        if k < MIN_SUPPORT:
            continue
        rate = background.rate(term)
        wide_rate = rate if rate is not None else (k + SMOOTHING) / (n + 1)
        found.append((g_score(k, n * wide_rate), term, None, _growth(k / n, rate)))
        # a place stands out against the usual rate *and* against this month's own level, so a
        # topic rising everywhere (a season) is one wide hotspot, not one per building
        local_rate = max(wide_rate, k / n)
        for place, at in index.at_place(term).items():
            if at >= MIN_SUPPORT:
                usual = background.pairs[(term, place)] / background.periods
                expected = max(index.by_place[place] * local_rate, usual, 0.1)
                growth = _growth(at, max(usual, 1.0)) if rate is not None else 0.0
                found.append((g_score(at, expected), term, place, growth))
    growing = not background.opinions or None
    kept = [c for c in found if c[0] >= MIN_SCORE and (growing or c[3] >= MIN_GROWTH)]
    kept.sort(key=lambda c: (-c[0], c[1], c[2] or ""))
    return kept[:CANDIDATES]


def _support(index: _Index, term: str, place: str | None) -> set[int]:
    return {i for i in index.by_term[term] if place is None or index.rows[i].place_id == place}


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


def _growth(now: float, usual: float | None) -> float:
    """Relative growth over the usual level; 0 without a background."""
    return round(now / usual - 1, 3) if usual else 0.0


def _hotspot(
    index: _Index, terms: list[str], place: str | None, members: set[int], score: float,
    growth: float,
) -> Hotspot:
    rows = sorted((index.rows[i] for i in members), key=lambda r: -r.created_at)
    places = Counter(r.place_id for r in rows if r.place_id).most_common(5)
    if place is None and places and places[0][1] >= CONCENTRATED * len(rows):
        place = places[0][0]  # a "wide" rise that is really one building's
    category = Counter(r.category for r in rows).most_common(1)[0][0]
    return Hotspot(
        keywords=terms,
        place_id=place,
        place_name=index.names.get(place) if place else None,
        score=round(score, 2),
        growth=growth,
        count=len(rows),
        category=category,
        opinion_ids=[r.id for r in rows],
        places=[(p, index.names.get(p, ""), c) for p, c in places],
        clusters=clusters(rows),
    )


@dataclass
class _Pick:
    terms: list[str]
    place: str | None
    members: set[int]
    score: float
    growth: float


def _absorbs(
    index: _Index, pick: _Pick, term: str, place: str | None, members: set[int]
) -> bool:
    """Whether a candidate is the same concern as a hotspot already taken.

    A burst in one building that makes up most of a jurisdiction-wide rise *localises* that
    hotspot; one building among many rising keeps its own hotspot (it is actionable there).
    At one building (or its estate, for residents who named only the estate), the same
    keyword or the same category in one period is one concern, however it is worded.
    """
    same_area = place and pick.place and index.area.get(place) == index.area.get(pick.place)
    if same_area and index.area.get(place) and (
        term in pick.terms or index.category(members) == index.category(pick.members)
    ):
        pick.members |= members
        return True
    if len(members & pick.members) < MERGE_OVERLAP * len(members):
        return False
    if pick.place is None and place is not None:
        if len(members) < MERGE_OVERLAP * len(pick.members):
            return False
        pick.place, pick.members = place, members
    return True


def detect(rows: Sequence[Row], background: Background, top: int = 10) -> list[Hotspot]:
    """The `top` hotspots of the period, best first, each with its evidence."""
    index = _Index(rows)
    chosen: list[_Pick] = []
    for score, term, place, growth in _candidates(index, background):
        members = _support(index, term, place)
        home = next((p for p in chosen if _absorbs(index, p, term, place, members)), None)
        if home is not None:
            if term not in home.terms and len(home.terms) < 6:
                home.terms.append(term)
        elif len(chosen) < top:
            chosen.append(_Pick([term], place, members, score, growth))
    return [_hotspot(index, p.terms, p.place, p.members, p.score, p.growth) for p in chosen]
