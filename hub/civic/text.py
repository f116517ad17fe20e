"""Understanding residents' Chinese text: jieba with a domain dictionary, stopwords, a taxonomy.

One `TextAnalyzer` per process; jieba's dictionary loads once, when first needed (~0.9 s with
the IDF table); `analyze` is then pure CPU (~0.1 ms an opinion). Keywords are ranked by
tf × idf against jieba's general-Chinese IDF table, so everyday words sink and domain words
rise.
"""

import gc
import hashlib
import logging
import re
import threading
import tomllib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import jieba

from hub.civic.sounds import SoundAlikes
from hub.civic.topics import Concepts
from hub.linking.normalize import fold

DATA = Path(__file__).resolve().parent / "data"
OTHER = "other"
MAX_KEYWORDS = 8
_CJK = re.compile(r"[\u4e00-\u9fff]")
_DIGIT = re.compile(r"\d")
_SHINGLE_TEXT = re.compile(r"[\u4e00-\u9fff0-9a-zA-Z]")


@dataclass(frozen=True)
class Category:
    """One category of the taxonomy; `code` doubles as the Open311 service_code."""

    code: str
    name: str
    description: str
    departments: tuple[str, ...]
    keywords: frozenset[str]


@dataclass(frozen=True)
class Analysis:
    tokens: int
    keywords: list[str]  # the concepts named first, then the words
    category: str
    simhash: int
    topics: tuple[str, ...] = ()  # concept labels (see hub.civic.topics)


def load_taxonomy(path: Path = DATA / "taxonomy.toml") -> list[Category]:
    """The editable taxonomy file; a category without keywords is a mistake worth failing on."""
    with path.open("rb") as handle:
        raw = tomllib.load(handle)
    categories = [
        Category(
            code=entry["code"],
            name=entry["name"],
            description=entry.get("description", ""),
            departments=tuple(entry.get("departments", ())),
            keywords=frozenset(entry["keywords"].split()),
        )
        for entry in raw["category"]
    ]
    if any(not c.keywords for c in categories):
        raise ValueError(f"{path}: every category needs keywords")
    return categories


def _words(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [w for line in lines if not line.startswith("#") for w in line.split()]


def _idf_table() -> dict[str, float]:
    """jieba's own IDF table, read directly: `jieba.analyse` leaks its file handle."""
    path = Path(jieba.__file__).resolve().parent / "analyse" / "idf.txt"
    table: dict[str, float] = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            word, _, value = line.rstrip().partition(" ")
            if value:
                table[word] = float(value)
    return table


def simhash(text: str) -> int:
    """64-bit SimHash over character bigrams, as a signed int64 (fits a BIGINT column)."""
    chars = "".join(_SHINGLE_TEXT.findall(text))
    weights = [0] * 64
    for shingle in Counter(chars[i : i + 2] for i in range(max(1, len(chars) - 1))):
        bits = int.from_bytes(hashlib.blake2b(shingle.encode(), digest_size=8).digest(), "big")
        for bit in range(64):
            weights[bit] += 1 if bits >> bit & 1 else -1
    value = sum(1 << bit for bit in range(64) if weights[bit] > 0)
    return value - (1 << 64) if value >= 1 << 63 else value


@dataclass(frozen=True)
class _Tables:
    tokenizer: jieba.Tokenizer
    idf: dict[str, float]
    median_idf: float
    sounds: SoundAlikes


def _heads(words: dict[str, str]) -> dict[str, str]:
    """Compound → its longest taxonomy word at the start (电梯异响 → 电梯)."""
    found = {}
    for word in words:
        heads = [h for h in words if h != word and len(h) >= 2 and word.startswith(h)]
        if heads:
            found[word] = max(heads, key=len)
    return found


class TextAnalyzer:
    """Tokens, keywords and category of an opinion's text. jieba's dictionary and the IDF
    table (~0.9 s) load on first use: a start that reads no text does not wait for them (the
    first opinion after a start does, once)."""

    def __init__(self, cache_dir: Path, data: Path = DATA) -> None:
        jieba.setLogLevel(logging.WARNING)  # jieba logs every dictionary load at DEBUG/INFO
        self.categories = load_taxonomy(data / "taxonomy.toml")
        self.stopwords = frozenset(_words(data / "stopwords.txt"))
        self.category_of = {k: c.code for c in self.categories for k in c.keywords}
        self.concepts = Concepts(data / "concepts.toml")
        # a compound keeps its head: 电梯异响 is also about 电梯, 外墙脱落 about 外墙
        self.heads = _heads(self.category_of)
        self.place_words: set[str] = set()
        self._cache_dir, self._userdict = cache_dir, data / "userdict.txt"
        self._tables: _Tables | None = None
        self._loading = threading.Lock()

    def load(self) -> None:
        with self._loading:
            if self._tables is not None:
                return
            tokenizer = jieba.Tokenizer()
            self._cache_dir.mkdir(parents=True, exist_ok=True)
            tokenizer.tmp_dir = str(self._cache_dir)
            tokenizer.initialize()
            self._load_dictionary(tokenizer, self._userdict)
            for name in self.place_words:
                tokenizer.add_word(name, 5000)
            idf = _idf_table()
            sounds = SoundAlikes(self.concepts.words | self.category_of.keys(),
                                 known=lambda word: tokenizer.FREQ.get(word, 0) > 0)
            self._tables = _Tables(tokenizer, idf, sorted(idf.values())[len(idf) // 2], sounds)
            # ~300,000 objects that live as long as the process: out of the cycle collector's
            # full passes, as the start-up's are (hub.web._settle_memory).
            gc.freeze()

    @property
    def tables(self) -> _Tables:
        if self._tables is None:
            self.load()
        assert self._tables is not None
        return self._tables

    def _load_dictionary(self, tokenizer: jieba.Tokenizer, path: Path) -> None:
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if parts and not line.startswith("#"):
                freq = int(parts[1]) if len(parts) > 1 else None
                tokenizer.add_word(parts[0], freq)
        for category in self.categories:
            for keyword in category.keywords:
                tokenizer.add_word(keyword, 3000)

    def add_place_names(self, names: Iterable[str]) -> None:
        """Estate and community names: kept whole by the tokenizer, then left out of keywords
        (where an opinion is about is its place, not a topic)."""
        with self._loading:
            new = {fold(n) for n in names if len(n) >= 2} - self.place_words
            if self._tables is not None:
                for name in new:
                    self._tables.tokenizer.add_word(name, 5000)
            self.place_words |= new

    def tokens(self, text: str) -> list[str]:
        """Content words: at least two characters, Chinese, no digits, no stopword or place;
        a taxonomy compound (电梯异响) is followed by its head (电梯)."""
        found = []
        for t in self.tables.tokenizer.lcut(text):
            if (
                len(t) >= 2
                and _CJK.search(t)
                and not _DIGIT.search(t)
                and t not in self.stopwords
                and t not in self.place_words
            ):
                found.append(t)
                if t in self.heads:
                    found.append(self.heads[t])
        return found

    def topic_terms(self, keywords: Iterable[str]) -> tuple[str, ...]:
        """What hotspots count of an opinion's keywords: its concepts, else its taxonomy
        words (never chatter such as 没人 or 几次), a word inside a longer one left out."""
        words = list(keywords)
        topics = [k for k in words if k in self.concepts.labels]
        if topics:
            return tuple(topics)
        domain = [k for k in words if k in self.category_of]
        return tuple(k for k in domain if not any(k != o and k in o for o in domain))

    def keywords(self, tokens: list[str]) -> list[str]:
        """Up to eight keywords, tf × idf; taxonomy keywords weigh double."""
        counts = Counter(tokens)
        idf, median = self.tables.idf, self.tables.median_idf

        def weight(term: str) -> float:
            boost = 2.0 if term in self.category_of else 1.0
            return counts[term] * idf.get(term, median) * boost

        return sorted(counts, key=lambda t: (-weight(t), t))[:MAX_KEYWORDS]

    def classify(self, tokens: list[str], topics: Iterable[str] = ()) -> str:
        """The category of the concepts the text names, else the one whose keywords it uses
        most; `other` when it uses none.

        Longer keywords are more specific (飞线充电 says more than 楼道), so each counts by length;
        a concept outweighs any words.
        """
        votes: Counter[str] = Counter()
        for label in topics:
            votes[self.concepts.category_of[label]] += 100
        for t in tokens:
            if t in self.category_of:
                votes[self.category_of[t]] += len(t)
        if not votes:
            return OTHER
        order = {c.code: i for i, c in enumerate(self.categories)}
        return min(votes, key=lambda code: (-votes[code], order[code]))

    def analyze(self, text: str) -> Analysis:
        respelled = self.tables.sounds.fix(self.concepts.respell(text))
        topics = tuple(self.concepts.find(respelled))
        tokens = self.tokens(respelled)
        words = [w for w in self.keywords(tokens) if w not in topics]
        keywords = [*topics, *words][: MAX_KEYWORDS + len(topics)]
        return Analysis(
            len(tokens), keywords, self.classify(tokens, topics), simhash(text), topics
        )

    def category(self, code: str) -> Category | None:
        return next((c for c in self.categories if c.code == code), None)

    def category_codes(self) -> list[str]:
        return [c.code for c in self.categories] + [OTHER]
