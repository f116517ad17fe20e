"""Similar wording without a list: opinions grouped by the character pairs they share.

The concepts (hub.civic.topics) know the wordings someone wrote down; a new voice names a
problem otherwise (小强 for 蟑螂, 断网/光猫 for a broadband outage, 骑手进不来 nobody listed).
Every opinion's text gives its character bigrams (CJK only; no function characters, numerals
or building words, nothing of its own estate's name). Bigrams in more than COMMON of the
background months' opinions are ordinary wording (小区, 物业, 一下) and never link texts, so
chatter does not group and never titles a hotspot. The month's texts become binary-tf TF-IDF
vectors (bigrams no other opinion of the month has are left out); at a place, texts with
cosine ≥ LINK are grouped by single link (`Links.groups`), and hub.civic.hotspots scores a
group like a topic, against the texts that would have joined it (`Group`) at that place before
and in the rest of the street this month.

A group found is a hotspot: the place's opinions close to its centroid (cosine ≥ SIMILAR) join
it, and it is titled by the words (jieba terms) holding its most characteristic bigrams
(`words`). Character pairs group repeated wording, not meaning: 耗子 and 老鼠 in otherwise
different sentences stay apart.
"""

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import cached_property
from itertools import chain, repeat
from typing import NamedTuple

import numpy as np
from scipy.sparse import csr_matrix

PREFIX = "≈"  # a group's unit (≈#3) and its bigrams (≈耗子) in a hotspot's units
COMMON = 0.02  # a bigram in more than this share of the background is ordinary wording
LINK = 0.25  # cosine at which two opinions at one place are the same problem's
SIMILAR = 0.3  # cosine to a cluster's centroid that joins an opinion to it
CHARACTERISTIC = 8  # a group's bigrams of most weight in its centroid: its words, its look-up
_CJK = re.compile(r"[\u4e00-\u9fff]+")
_PLACE = re.compile(r"(\d.*|（.*)$")  # 景芳新村7幢 → 景芳新村; 景芳新村（网格） → 景芳新村
_SKIP = frozenset(
    "的了是我你他她它们吗呢吧啊呀么嘛哦哈这那就都也还和把被让给着过得在有个"
    "一二三四五六七八九十两零百千万幢栋号单元楼"
)


def grams(text: str, place_name: str | None = None) -> tuple[str, ...]:
    """The text's distinct character bigrams that can name a problem, in order."""
    own = place_name or ""
    estate = _PLACE.sub("", own)
    if len(estate) >= 2:
        text = text.replace(estate, " ")
    found: dict[str, None] = {}
    for run in _CJK.findall(text):
        for i in range(len(run) - 1):
            pair = run[i : i + 2]
            if pair[0] in _SKIP or pair[1] in _SKIP or pair in own:
                continue
            found[pair] = None
    return tuple(found)


def frequent(grams_of: Iterable[tuple[str, ...]], n: int) -> set[str]:
    """The bigrams in more than COMMON of n opinions: ordinary wording, never counted."""
    df = Counter(chain.from_iterable(grams_of))
    bar = COMMON * max(n, 1)
    return {g for g, k in df.items() if k > bar}


def is_gram(unit: str) -> bool:
    return unit.startswith(PREFIX)


class Entries(NamedTuple):
    """Some vectors' entries, one vector after another: bigram columns, weights, and how many
    entries each vector has."""

    cols: np.ndarray
    weights: np.ndarray
    lengths: np.ndarray


class Vectors:
    """TF-IDF (binary tf) unit vectors of the period's opinions over their bigrams. A bigram
    no other opinion of the period has cannot make two alike, only dilute: it is left out."""

    def __init__(self, grams_of: Sequence[tuple[str, ...]]) -> None:
        df = Counter(chain.from_iterable(grams_of))
        n = len(grams_of) + 1
        self.idf = {g: math.log(n / k) for g, k in df.items() if k >= 2}
        self.bigrams = list(self.idf)
        self.column = {g: j for j, g in enumerate(self.bigrams)}
        self.grams_of = grams_of
        self._cache: dict[int, dict[str, float]] = {}

    def of(self, i: int) -> dict[str, float]:
        found = self._cache.get(i)
        if found is None:
            weights = {g: self.idf[g] for g in self.grams_of[i] if g in self.idf}
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            found = self._cache[i] = {g: w / norm for g, w in weights.items()}
        return found

    def centroid(self, members: Iterable[int]) -> dict[str, float]:
        total: Counter[str] = Counter()
        for i in members:
            total.update(self.of(i))
        norm = math.sqrt(sum(w * w for w in total.values())) or 1.0
        return {g: w / norm for g, w in total.items()}

    def close(self, centroid: dict[str, float], candidates: Iterable[int]) -> set[int]:
        """The candidates whose cosine to the centroid is at least SIMILAR."""
        return {i for i in candidates if self.near(centroid, self.of(i))}

    def entries(self, opinions: Sequence[int]) -> Entries:
        """Some of the period's vectors (`matrix`'s rows), one after another."""
        matrix, at = self.matrix, np.asarray(opinions)
        lengths = self.lengths[at]
        starts = matrix.indptr[at]
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(
            lengths.sum())
        return Entries(matrix.indices[offsets], matrix.data[offsets], lengths)

    def weighed(self, texts: Sequence[tuple[str, ...]]) -> Entries:
        """The vectors of texts outside the period (`weigh`), one after another."""
        vectors = [self.weigh(grams) for grams in texts]
        return Entries(np.asarray([self.column[g] for v in vectors for g in v], np.int64),
                       np.asarray([w for v in vectors for w in v.values()], float),
                       np.asarray(list(map(len, vectors)), np.int64))

    def weigh(self, grams: tuple[str, ...]) -> dict[str, float]:
        """A vector for a text outside the period (a background opinion), by this idf."""
        weights = {g: self.idf[g] for g in grams if g in self.idf}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {g: w / norm for g, w in weights.items()}

    @staticmethod
    def near(centroid: dict[str, float], vector: dict[str, float]) -> bool:
        return sum(w * centroid.get(g, 0.0) for g, w in vector.items()) >= SIMILAR

    @cached_property
    def matrix(self) -> csr_matrix:
        """All the period's vectors at once, row i opinion i's (the weights of `of`, in its
        bigrams' order; columns in the order of `idf`). An opinion's bigrams are distinct, as
        `grams` gives them."""
        column = self.column
        idf = np.fromiter(self.idf.values(), float, len(self.idf))
        n = len(self.grams_of)
        lengths = np.fromiter(map(len, self.grams_of), np.int64, n)
        cols = np.fromiter(map(column.get, chain.from_iterable(self.grams_of), repeat(-1)),
                           np.int64, int(lengths.sum()))
        rows = np.repeat(np.arange(n), lengths)
        rows, cols = rows[cols >= 0], cols[cols >= 0]
        weights = idf[cols]
        norms = np.sqrt(np.bincount(rows, weights * weights, n))  # summed in order, as `of`
        norms[norms == 0] = 1.0
        weights /= norms[rows]
        starts = np.zeros(n + 1, np.int64)
        np.cumsum(np.bincount(rows, minlength=n), out=starts[1:])
        return csr_matrix((weights, cols, starts), shape=(n, len(self.idf)))

    @cached_property
    def lengths(self) -> np.ndarray:
        """How many bigrams each of `matrix`'s rows has."""
        return np.diff(self.matrix.indptr)

    def without(self, leave_out: set[str]) -> csr_matrix:
        """`matrix` without the bigrams in `leave_out` (the rest keep their weights)."""
        left_out = np.zeros(len(self.idf), bool)
        left_out[[j for j, g in enumerate(self.idf) if g in leave_out]] = True
        found = self.matrix.copy()
        found.data[left_out[found.indices]] = 0.0
        found.eliminate_zeros()
        return found

    def characteristic(self, rows: Entries, n: int) -> list[str]:
        """The n bigrams of most weight in the centroid of some vectors, ties in the order
        the vectors first use them (as `centroid`, sorted)."""
        cols, first = np.unique(rows.cols, return_index=True)
        cols = cols[np.argsort(first)]
        totals = np.bincount(rows.cols, rows.weights, len(self.idf))[cols]
        norm = math.sqrt(sum(w * w for w in totals.tolist())) or 1.0
        best = np.argsort(-(totals / norm), kind="stable")[:n]
        return [self.bigrams[c] for c in cols[best].tolist()]


def words(units_: Sequence[str], terms_of: Iterable[tuple[str, ...]]) -> list[str]:
    """The words a cluster's bigrams belong to: for each, the jieba term holding it that most
    of the cluster's opinions use, in the bigrams' order (best burst first). A bigram that is
    no word's part (下垃 of 楼下垃圾) names nothing."""
    terms = Counter(t for ts in terms_of for t in ts)
    found: list[str] = []
    for unit in units_:
        pair = unit[len(PREFIX):]
        holding = [(k, t) for t, k in terms.items() if pair in t and 2 <= len(t) <= 4 and k >= 2]
        if not holding:
            continue
        word = max(holding)[1]
        if not any(word in f or f in word for f in found):
            found.append(word)
    return found


def linked(members: Sequence[int], rare: csr_matrix) -> list[tuple[int, int]]:
    """The pairs of the opinions with cosine ≥ LINK over their rare bigrams (`rare`: the
    period's vectors without the common ones), by one sparse product."""
    at = np.asarray(members)
    vectors = rare[at]
    dots = (vectors @ vectors.T).tocoo()
    linking = (dots.row < dots.col) & (dots.data >= LINK)
    return list(zip(at[dots.row[linking]].tolist(), at[dots.col[linking]].tolist(),
                    strict=True))


class Links:
    """Linked pairs of the period's opinions, found once per area (a community) and reused for
    each place inside it (its estates and buildings): a cosine does not depend on where it is
    asked, and a place's pairs are the area's pairs between its own opinions."""

    def __init__(self, vectors: Vectors, common: set[str]) -> None:
        self.rare = vectors.without(common)
        self._of: dict[str, tuple[set[int], list[tuple[int, int]]]] = {}

    def groups(self, members: Sequence[int], area: str, area_members: Sequence[int],
               least: int) -> list[list[int]]:
        """Single-link groups of one place's opinions (`members`, all within `area`), at
        least `least` each, in the order of their first member."""
        found = self._of.get(area)
        if found is None:
            found = self._of[area] = (set(area_members),
                                      linked(area_members, self.rare))
        inside, pairs = found
        here = set(members)
        if not here <= inside:  # a place not wholly inside the area: its own pairs
            return _components(members, linked(members, self.rare), least)
        if len(here) < len(inside):
            pairs = [(a, b) for a, b in pairs if a in here and b in here]
        return _components(members, pairs, least)


def _components(members: Sequence[int], pairs: Iterable[tuple[int, int]], least: int
                ) -> list[list[int]]:
    parent = {i: i for i in members}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in pairs:
        parent[root(a)] = root(b)
    found: dict[int, list[int]] = {}
    for i in members:
        found.setdefault(root(i), []).append(i)
    return [g for g in found.values() if len(g) >= least]


class Postings:
    """The period's opinions by (area, rare bigram): the columns of one sparse matrix, so the
    texts of an area sharing a group's words are found by slicing a few of them."""

    def __init__(self, rare: csr_matrix, area_of: Sequence[int]) -> None:
        self.bigrams = rare.shape[1]
        entries = rare.tocoo()
        areas = np.asarray(area_of)[entries.row]
        by_column = csr_matrix((np.ones(entries.nnz, np.int8),
                                (entries.row, areas * self.bigrams + entries.col)),
                               shape=(rare.shape[0], (max(area_of, default=0) + 1) * self.bigrams)
                               ).tocsc()
        self.starts, self.rows = by_column.indptr, by_column.indices

    def sharing(self, area: int, bigrams: Iterable[int], least: int) -> list[int]:
        """The area's opinions holding at least `least` of the bigrams (columns), most first."""
        columns = [area * self.bigrams + b for b in bigrams]
        found = np.concatenate([self.rows[self.starts[c]:self.starts[c + 1]] for c in columns]
                               or [np.zeros(0, np.int32)])
        rows, counts = np.unique(found, return_counts=True)
        enough = counts >= least
        return rows[enough][np.argsort(-counts[enough], kind="stable")].tolist()


class Group:
    """A group of similar opinions of the period: its most characteristic bigrams, and which
    texts would have joined it (cosine ≥ LINK to one of its members), asked of many texts at
    once (their dot products with every member from a bigram × member table) and of each text
    once (the same group found at nested places is asked again)."""

    def __init__(self, members: list[int], vectors: Vectors) -> None:
        self.members = members
        self.vectors = vectors
        rows = vectors.entries(members)
        self.characteristic = vectors.characteristic(rows, CHARACTERISTIC)
        self._weights = np.zeros((len(vectors.idf), len(members)))  # bigram × member
        self._weights[rows.cols, np.repeat(np.arange(len(members)), rows.lengths)] = rows.weights
        self._joined: dict[int | tuple[str, ...], bool] = {}

    def joined_by(self, opinions: Sequence[int]) -> list[bool]:
        """Whether each of the period's opinions would have joined the group."""
        new = [i for i in dict.fromkeys(opinions) if i not in self._joined]
        if new:
            self._judge(new, self.vectors.entries(new))
        return [self._joined[i] for i in opinions]

    def joined_by_texts(self, texts: Sequence[tuple[str, ...]]) -> list[bool]:
        """Whether each text outside the period (its bigrams) would have joined the group."""
        new = [t for t in dict.fromkeys(texts) if t not in self._joined]
        if new:
            self._judge(new, self.vectors.weighed(new))
        return [self._joined[t] for t in texts]

    def _judge(self, keys: Sequence[int | tuple[str, ...]], texts: Entries) -> None:
        best = np.zeros(len(keys))
        if len(texts.cols):
            products = self._weights[texts.cols] * texts.weights[:, None]
            some = texts.lengths > 0
            starts = (np.cumsum(texts.lengths) - texts.lengths)[some]
            best[some] = np.add.reduceat(products, starts, axis=0).max(axis=1)
        self._joined.update(zip(keys, (best >= LINK).tolist(), strict=True))
