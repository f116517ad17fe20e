"""Normalisation of what departments write differently: ID numbers, names, addresses."""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from operator import mul

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_CODE_BIAS = ord("0") * sum(_WEIGHTS)


def fold(text: str) -> str:
    """Full-width to half-width, spaces removed: 'ＸＸ３幢 ' → 'XX3幢'."""
    if text.isascii() and text.isalnum():  # most ID numbers and phones: nothing to fold
        return text
    return "".join(unicodedata.normalize("NFKC", text).split())


_ID15 = re.compile(r"\d{15}", re.ASCII)
_ID18 = re.compile(r"\d{17}[\dX]", re.ASCII)
_NOT_DIGIT = re.compile(r"\D")
_MOBILE = re.compile(r"1\d{10}")
_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"两": 2}
_CHINESE_NUMBER = re.compile(r"([零一二两三四五六七八九十]{1,3})(?=幢|栋|号楼|座|单元)")


def _chinese_to_int(text: str) -> int:
    """'三' → 3, '十二' → 12, '二十' → 20, '二十一' → 21 (building and unit numbers)."""
    if "十" not in text:
        return int("".join(str(_DIGITS[c]) for c in text))
    tens, _, ones = text.partition("十")
    return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)


def arabic_numbers(text: str) -> str:
    """Chinese numerals before 幢/栋/号楼/单元 as digits: '三号楼二单元' → '3号楼2单元'."""
    return _CHINESE_NUMBER.sub(lambda m: str(_chinese_to_int(m.group(1))), text)


def id_check_digit(first17: str) -> str:
    if len(first17) != len(_WEIGHTS):
        raise ValueError(f"an ID number body has {len(_WEIGHTS)} digits, not {len(first17)}")
    if not (first17.isascii() and first17.isdigit()):
        raise ValueError("an ID number body is digits only")
    # The digits' character codes are their values plus 48: one pass in C, not 17 int() calls.
    return _CHECK[(sum(map(mul, first17.encode(), _WEIGHTS)) - _CODE_BIAS) % 11]


def normalize_id_number(raw: str | None) -> str | None:
    """An 18-digit resident ID with a valid check digit, or None when it cannot be one.

    15-digit IDs (issued before 1999) gain the century '19' and a computed check digit.
    """
    if not raw:
        return None
    value = fold(raw).upper()
    if _ID15.fullmatch(value):
        body = value[:6] + "19" + value[6:]
        return body + id_check_digit(body)
    if _ID18.fullmatch(value) and id_check_digit(value[:17]) == value[17]:
        return value
    return None


def id_problem(raw: str | None) -> str | None:
    """Why a present ID number cannot be used: 'id_check_digit', 'id_format', or None."""
    if not raw or normalize_id_number(raw) is not None:
        return None
    value = fold(raw).upper()
    return "id_check_digit" if _ID18.fullmatch(value) else "id_format"


def normalize_name(raw: str | None) -> str:
    return fold(raw or "").replace("•", "·").replace("．", "·")


def normalize_phone(raw: str | None) -> str | None:
    digits = _NOT_DIGIT.sub("", fold(raw or ""))
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits if _MOBILE.fullmatch(digits) else None


_BUILDING = re.compile(r"(\d+)(?:幢|栋|号楼|座|#楼|#)")
_UNIT = re.compile(r"(\d+)单元")
_ROOM = re.compile(r"(\d{3,4})(?:室|号|房)?$")
_ADMIN = re.compile(
    r"^(?:[^省]{2,}?省)?(?:[^市]{2,}?市)?(?:[^区县]{1,}?[区县](?!\d))?"
    r"(?:[^街]{2,}?街道)?(?:[^镇]{2,}?镇)?(?:[^社]{2,}?社区)?"
)


@dataclass(frozen=True)
class ParsedAddress:
    """What a Chinese street address says below the community level."""

    text: str
    head: str  # everything before the building number, admin prefixes and estate included
    building: str | None
    unit: str | None
    room: str | None

    @property
    def estate_guess(self) -> str:
        return _ADMIN.sub("", self.head)


@lru_cache(maxsize=131_072)  # many records share an address (a household, a building's gate)
def parse_address(raw: str | None) -> ParsedAddress | None:
    """'杭州市拱墅区小河街道和睦社区和睦新村３号楼2单元502室' → building 3, unit 2, room 502."""
    if not raw:
        return None
    text = arabic_numbers(fold(raw))
    building = _BUILDING.search(text)
    if building is None:
        return ParsedAddress(text, text, None, None, None)
    rest = text[building.end() :]
    unit = _UNIT.search(rest)
    room = _ROOM.search(rest[unit.end() :] if unit else rest)
    return ParsedAddress(
        text=text,
        head=text[: building.start()],
        building=str(int(building.group(1))),
        unit=str(int(unit.group(1))) if unit else None,
        room=room.group(1) if room else None,
    )
