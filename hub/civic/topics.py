"""Concepts: what a problem *is*, however residents word it (电梯又坏脱了, dianti 困人, 电悌停了).

A concept is a label an officer would write (电梯故障/困人), a category, and patterns matched on
the raw text after spelling is evened out (full-width folded, lower case, common typos and
pinyin written back in characters). Matching the raw text, not jieba's tokens, is what keeps
单元门禁坏了 a door-access fault however the tokenizer splits it. A broad concept (噪音扰民)
gives way to a specific one (夜间施工噪音) that names the same problem. A specific one may hold
only where its broader one is named (排队 is a canteen complaint only in a text about a canteen):
a topic a street always hears (助餐) then splits into problems whose usual level is quiet (asking
for a canteen / complaining about the one there is), and a burst of the second stands out.

Concepts live in `data/concepts.toml`, editable like the taxonomy.
"""

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import opencc

from hub.linking.normalize import fold

DATA = Path(__file__).resolve().parent / "data"
_LITERAL = re.compile(r"[\u4e00-\u9fff]{2,}")


@lru_cache(maxsize=1)
def _simplified() -> opencc.OpenCC:
    """Traditional to simplified, phrase by phrase (~2 µs a text)."""
    return opencc.OpenCC("t2s")


@dataclass(frozen=True)
class Concept:
    label: str
    category: str
    pattern: re.Pattern[str]
    within: str | None = None  # the broader concept this one refines
    only_within: bool = False  # named only where the broader one is too (排队 about a canteen)


class Concepts:
    """The concept table and the spelling fixes; `find` is pure CPU (~20 µs a text)."""

    def __init__(self, path: Path = DATA / "concepts.toml") -> None:
        with path.open("rb") as handle:
            raw = tomllib.load(handle)
        spelling = raw.get("spelling", {})
        pairs = sorted(((v, k) for k, vs in spelling.items() for v in vs), key=lambda p: -len(p[0]))
        self._fixes = dict(pairs)
        self._fix = re.compile("|".join(re.escape(v) for v, _ in pairs)) if pairs else None
        self.concepts = [
            Concept(c["label"], c["category"], re.compile("|".join(c["match"])), c.get("within"),
                    bool(c.get("only_within", False)))
            for c in raw["concept"]
        ]
        self.words = frozenset(  # what the patterns name literally, and the spelling's words
            [w for c in raw["concept"] for m in c["match"] for w in _LITERAL.findall(m)]
            + [w for w in spelling if _LITERAL.fullmatch(w)]
        )
        self.labels = frozenset(c.label for c in self.concepts)
        self.category_of = {c.label: c.category for c in self.concepts}
        unknown = {c.within for c in self.concepts if c.within} - self.labels
        if unknown or len(self.labels) != len(self.concepts):
            raise ValueError(f"{path}: unknown `within` {sorted(unknown)} or a repeated label")
        if any(c.only_within and not c.within for c in self.concepts):
            raise ValueError(f"{path}: `only_within` without `within`")

    def respell(self, text: str) -> str:
        """Full-width folded, simplified characters (電梯 → 电梯), lower case, typos and
        pinyin written as the word they mean."""
        folded = _simplified().convert(fold(text)).lower()
        if self._fix is None:
            return folded
        return self._fix.sub(lambda m: self._fixes[m.group(0)], folded)

    def find(self, respelled: str) -> list[str]:
        """Labels of the concepts the (respelled) text names, in table order."""
        found = [c for c in self.concepts if c.pattern.search(respelled)]
        named = {c.label for c in found}
        found = [c for c in found if not c.only_within or c.within in named]
        refined = {c.within for c in found if c.within}
        return [c.label for c in found if c.label not in refined]
