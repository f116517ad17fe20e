"""Names as linking keys: exact, and by sound, so that homophone typos (同音字) still meet.

The sound of a name is its toneless pinyin, first reading of each character, with the
confusions clerks make when typing what they hear folded together (in/ing, en/eng, z/zh, c/ch,
s/sh). Only keyed hashes of these reach the graph.
"""

import re
from functools import lru_cache

from hub.linking.normalize import normalize_name

_TONES = str.maketrans("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ", "aaaaeeeeiiiioooouuuuvvvvvnnnm")
_FUZZY = ((re.compile(r"^([zcs])h"), r"\1"), (re.compile(r"([ie])ng$"), r"\1n"))


@lru_cache(maxsize=1)
def _readings() -> dict[int, str]:
    # Imported when first needed: pypinyin's package loads its phrase tables too (~0.3 s),
    # which a start that links nothing should not wait for.
    from pypinyin.pinyin_dict import pinyin_dict

    return pinyin_dict


@lru_cache(maxsize=16_384)
def _char_sound(char: str) -> str:
    readings = _readings().get(ord(char))
    if readings is None:
        return char.lower()
    syllable = readings.split(",")[0].translate(_TONES)
    for pattern, replacement in _FUZZY:
        syllable = pattern.sub(replacement, syllable)
    return syllable


@lru_cache(maxsize=262_144)
def sound_of(name: str) -> str:
    """'张静' and '章靖' → 'zan-jin': one sound for what a clerk may have heard."""
    return "-".join(_char_sound(char) for char in normalize_name(name) if char != "·")
