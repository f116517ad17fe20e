"""How much the department systems disagree with each other. Every rate lives here.

公安 (police) is the clean master: canonical full addresses ("浙江省杭州市拱墅区小河街道和睦新村3幢
2单元502室"), uppercase X, names as on the ID card. The other systems drift from it like real
ones do; the rates below are the share of records affected.
"""

from random import Random

from demo.addresses import Style

# --- 公安 population registry --------------------------------------------------------------
POLICE_LEGACY_ID_RATE = 0.03  # residents still on a 15-digit ID (all born before 1970)

# --- 民政 civil affairs --------------------------------------------------------------------
CIVIL_NAME_TYPO_RATE = 0.03  # a homophone (同音字) replaces one character of the name
CIVIL_STALE_ADDRESS_RATE = 0.06  # person moved; civil affairs still has the old room
CIVIL_LEGACY_ID_RATE = 0.04  # civil keeps a 15-digit ID where police has 18 digits
CIVIL_UPGRADED_ID_RATE = 0.6  # where police has 15 digits, civil already has the 18-digit one
CIVIL_LOWERCASE_X_RATE = 0.4  # of IDs ending in X, typed as lowercase x
# Address style weights in civil records.
CIVIL_PREFIX = {"province": 0.15, "city": 0.35, "district": 0.30, "none": 0.20}
CIVIL_STREET_RATE = 0.5  # includes the 街道 name
CIVIL_BUILDING = {"幢": 0.55, "号楼": 0.2, "栋": 0.15, "wide": 0.10}
CIVIL_MISSING_UNIT_RATE = 0.10
CIVIL_ROOM = {"室": 0.6, "号": 0.25, "": 0.15}

# --- 物业 property management --------------------------------------------------------------
# Each estate's property company writes building numbers one way for the whole estate.
PROPERTY_BUILDING = {"幢": 0.6, "号楼": 0.25, "栋": 0.15}
PROPERTY_PREFIX = {"city": 0.5, "district": 0.2, "none": 0.3}  # per estate as well
PROPERTY_MISSING_UNIT_RATE = 0.05  # per room address
PROPERTY_ROOM = {"": 0.6, "室": 0.3, "号": 0.1}  # per estate
PROPERTY_OWNER_TYPO_RATE = 0.01
PROPERTY_STALE_PHONE_RATE = 0.05  # owner changed phone number; property has the old one
RENTED_OUT_RATE = 0.22  # occupied rooms whose owner does not live there
OWNER_IS_RESIDENT_ELSEWHERE = 0.4  # of those, the owner lives in another room of the area

# --- 城管 urban management -----------------------------------------------------------------
URBAN_PREFIX = {"district": 0.5, "none": 0.4, "city": 0.1}
URBAN_BUILDING = {"幢": 0.4, "号楼": 0.45, "栋": 0.15}


def pick(rng: Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def civil_style(rng: Random) -> Style:
    return Style(
        prefix=pick(rng, CIVIL_PREFIX),
        street=rng.random() < CIVIL_STREET_RATE,
        building=pick(rng, CIVIL_BUILDING),
        unit=rng.random() >= CIVIL_MISSING_UNIT_RATE,
        room=pick(rng, CIVIL_ROOM),
    )


def estate_property_style(rng: Random) -> Style:
    """The style one property company uses for an estate (unit dropped per room)."""
    return Style(
        prefix=pick(rng, PROPERTY_PREFIX),
        street=False,
        building=pick(rng, PROPERTY_BUILDING),
        unit=True,
        room=pick(rng, PROPERTY_ROOM),
    )


def urban_style(rng: Random) -> Style:
    return Style(
        prefix=pick(rng, URBAN_PREFIX),
        street=rng.random() < 0.5,
        building=pick(rng, URBAN_BUILDING),
        unit=False,
        room="",
    )


def lowercase_x(rng: Random, number: str) -> str:
    if number.endswith("X") and rng.random() < CIVIL_LOWERCASE_X_RATE:
        return number[:-1] + "x"
    return number
