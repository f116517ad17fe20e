"""Names as linking keys: exact, and by sound, so that homophone typos (同音字) still meet.

The sound of a name is its toneless pinyin, first reading of each character, with the
confusions clerks make when typing what they hear folded together (in/ing, en/eng, z/zh, c/ch,
s/sh). Only keyed hashes of these reach the graph.
"""

from functools import lru_cache

from hub.linking.normalize import normalize_name
from hub.pinyin import first_sound


def _char_sound(char: str) -> str:
    return first_sound(char) or char.lower()


@lru_cache(maxsize=262_144)
def sound_of(name: str) -> str:
    """'张静' and '章靖' → 'zan-jin': one sound for what a clerk may have heard."""
    return "-".join(_char_sound(char) for char in normalize_name(name) if char != "·")
