"""Place levels of an opinion: building → estate → community → street, from what a row carries.

A building's name is its estate's name and number (景芳新村7幢); an opinion placed on an estate
only carries "景芳新村（网格名）"; the jurisdiction code nests community (12 digits) in street (9).
Keys are strings, one namespace per level, so counts of every level share one Counter.
"""

import re
from dataclasses import dataclass

LEVELS = ("building", "estate", "community", "street")
FINEST = {level: i for i, level in enumerate(LEVELS)}
_BUILDING = re.compile(r"^(.*?)(\d+)(幢|栋|号楼|座)$")
_ESTATE = re.compile(r"^(.+?)（.*）$")


@dataclass(frozen=True)
class Where:
    """One place at one level: its key, its level, its display name, the Place id if any."""

    key: str
    level: str
    name: str
    place_id: str | None = None


def _estate_of(name: str) -> tuple[str | None, bool]:
    """(estate name, whether the name is a building's)."""
    if match := _BUILDING.match(name):
        return match.group(1) or None, True
    if match := _ESTATE.match(name):
        return match.group(1), False
    return None, False


def places_of(
    place_id: str | None, place_name: str | None, area: str | None, names: dict[str, str]
) -> tuple[Where, ...]:
    """The places an opinion counts at, finest first; the street level is always there (a row
    without a code counts at the whole jurisdiction, key `street:*`)."""
    found: list[Where] = []
    code = area or ""
    estate, is_building = _estate_of(place_name or "")
    if is_building and place_id:
        found.append(Where(place_id, "building", place_name or "", place_id))
    if estate:
        found.append(Where(f"estate:{code[:12]}:{estate}", "estate", estate))
    if len(code) >= 12:
        found.append(Where(f"community:{code[:12]}", "community", names.get(code[:12], code[:12])))
    street = code[:9] if len(code) >= 9 else "*"
    found.append(Where(f"street:{street}", "street", names.get(street, "全辖区")))
    return tuple(found)
