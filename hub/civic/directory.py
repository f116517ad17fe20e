"""地点名录: the names of a street's estates, buildings and units, for the residents' place
picker (estate → building → unit chosen from lists). Names and levels only: no address, no
attribute of a place, nobody who lives there. The street is pushed into every graph query."""

import re
from dataclasses import dataclass

from graph.links import LinkGraph
from hub.errors import BadInput
from hub.ids import check_kind
from hub.linking.normalize import fold

_BUILDING = re.compile(r"^(.*?)(\d+)幢$")  # 景芳新村7幢, as hub.civic.places reads them
_NUMBER = re.compile(r"(\d+)")


@dataclass(frozen=True)
class Entry:
    id: str | None  # an estate is a name the buildings share, not a place of the graph
    name: str
    level: str  # estate | building | unit


def _number(name: str) -> tuple[int, str]:
    found = _NUMBER.search(name)
    return (int(found.group(1)) if found else 1 << 30, name)


async def _buildings(links: LinkGraph, street: str, starting: str = "") -> list[dict]:
    return await links.store.read(
        "MATCH (b:Place {level: 'building'}) WHERE b.jurisdiction STARTS WITH $street "
        "AND b.name STARTS WITH $starting RETURN b.id AS id, b.name AS name",
        {"street": street, "starting": starting})


async def estates(links: LinkGraph, street: str) -> list[Entry]:
    names = {m.group(1) for row in await _buildings(links, street)
             if (m := _BUILDING.match(fold(row["name"] or ""))) and m.group(1)}
    return [Entry(None, name, "estate") for name in sorted(names)]


async def buildings(links: LinkGraph, street: str, estate: str) -> list[Entry]:
    estate = fold(estate.strip())
    if not estate or len(estate) > 40:
        raise BadInput("give an estate name (1–40 characters) from the directory")
    found = [Entry(row["id"], fold(row["name"]), "building")
             for row in await _buildings(links, street, estate)
             if (m := _BUILDING.match(fold(row["name"] or ""))) and m.group(1) == estate]
    return sorted(found, key=lambda e: _number(e.name))


async def units(links: LinkGraph, street: str, building: str) -> list[Entry]:
    check_kind(building, "Place")
    rows = await links.store.read(
        "MATCH (u:Place {level: 'unit'})-[:LOCATED_IN]->(b:Place {id: $id, level: 'building'}) "
        "WHERE b.jurisdiction STARTS WITH $street RETURN u.id AS id, u.name AS name",
        {"id": building, "street": street})
    return sorted((Entry(r["id"], r["name"] or "", "unit") for r in rows),
                  key=lambda e: _number(e.name))
