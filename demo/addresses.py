"""Rendering one place as text in the many ways department systems write it."""

from dataclasses import dataclass

from demo.regions import CITY, PROVINCE

_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@dataclass(frozen=True, slots=True)
class Style:
    """How a system writes an address.

    prefix: "province" (浙江省杭州市拱墅区), "city" (杭州市拱墅区), "district" (拱墅区) or "none";
    street: include the 街道 name; building: "幢", "号楼", "栋" or "wide" (full-width "３幢");
    unit: include "2单元"; room: suffix "室", "号" or "" after the room number.
    """

    prefix: str = "province"
    street: bool = True
    building: str = "幢"
    unit: bool = True
    room: str = "室"


CANONICAL = Style()


def region_prefix(style_prefix: str, district: str) -> str:
    if style_prefix == "province":
        return PROVINCE + CITY + district
    if style_prefix == "city":
        return CITY + district
    if style_prefix == "district":
        return district
    return ""


def building_label(number: int, kind: str) -> str:
    """'3幢', '3号楼', '3栋' or full-width '３幢'."""
    if kind == "wide":
        return str(number).translate(_FULL_WIDTH) + "幢"
    return f"{number}{kind}"


def room_address(
    style: Style,
    district: str,
    street: str,
    estate: str,
    building: int,
    unit: int | None,
    room: str | None,
) -> str:
    """The address of a room (or of a building or unit when room/unit are None)."""
    parts = [region_prefix(style.prefix, district)]
    if style.street:
        parts.append(street)
    parts.append(estate)
    parts.append(building_label(building, style.building))
    if unit is not None and style.unit:
        parts.append(f"{unit}单元")
    if room is not None:
        parts.append(room + style.room)
    return "".join(parts)


def road_address(style_prefix: str, district: str, street: str, road: str, number: int) -> str:
    return f"{region_prefix(style_prefix, district)}{street}{road}{number}号"
