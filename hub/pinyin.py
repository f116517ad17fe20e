"""Toneless pinyin for matching by sound: what a listener or a typist may have heard.

A character's sound is its first (most common) reading, the one an input method offers first,
without tones, with the confusions people make when typing what they hear folded together
(z/zh, c/ch, s/sh, in/ing, en/eng). Used for names as linking keys (hub.linking.names) and for
homophone typos in residents' text (hub.civic.sounds).
"""

import re
from functools import lru_cache

_TONES = str.maketrans("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ", "aaaaeeeeiiiioooouuuuvvvvvnnnm")
_FUZZY = ((re.compile(r"^([zcs])h"), r"\1"), (re.compile(r"([ie])ng$"), r"\1n"))


@lru_cache(maxsize=1)
def _readings() -> dict[int, str]:
    # Imported when first needed: pypinyin's package loads its phrase tables too (~0.3 s),
    # which a start that matches nothing by sound should not wait for.
    from pypinyin.pinyin_dict import pinyin_dict

    return pinyin_dict


def fold(syllable: str) -> str:
    """A toneless syllable with the usual confusions folded: zhi → zi, ting → tin."""
    for pattern, replacement in _FUZZY:
        syllable = pattern.sub(replacement, syllable)
    return syllable


@lru_cache(maxsize=32_768)
def first_sound(char: str) -> str | None:
    """A character's first reading, toneless and folded (是 is shi, not ti); None when it has
    no reading (not a Chinese character)."""
    readings = _readings().get(ord(char))
    if readings is None:
        return None
    return fold(readings.split(",")[0].translate(_TONES))


def toneless(word: str) -> list[str]:
    """A word's syllables in context (重新 → chong xin), toneless, not folded."""
    from pypinyin import Style, lazy_pinyin

    return lazy_pinyin(word, style=Style.NORMAL)
