"""What an incremental run needs to know of earlier runs, read back from the link graph.

Places (with their estate, building, unit and room numbers), source refs, people's keys and
rooms, household heads: enough to resolve changed records exactly as a full run would.
"""

from typing import Any

from graph.store import GraphStore
from hub.linking.people import PersonKeys

PLACES = (
    "MATCH (p:Place) OPTIONAL MATCH (p)-[:LOCATED_IN]->(up:Place) "
    "RETURN p.id AS id, p.level AS level, p.name AS name, p.jurisdiction AS jurisdiction, "
    "p.estate AS estate, p.number AS number, p.unit AS unit, p.room AS room, up.id AS parent"
)
SOURCES = "MATCH (s:Source)-[:OF]->(n:{label}) RETURN s.ref AS ref, n.id AS id"
PEOPLE = (
    "MATCH (p:Person) RETURN p.id AS id, p.idKey AS idKey, p.phoneKey AS phoneKey, "
    "p.nameKey AS nameKey, p.soundKey AS soundKey"
)
ROOMS = "MATCH (p:Person)-[e:{rel}]->(r:Place) RETURN p.id AS person, r.id AS room, e.src AS src"
HEADS = (
    "MATCH (:Person)-[:RELATED_TO {relation: 'household'}]->(h:Person) "
    "WHERE h.householdKey IS NOT NULL RETURN DISTINCT h.householdKey AS key, h.id AS id"
)


async def load_state(store: GraphStore, linker: Any) -> None:
    """Fill the linker's gazetteer and person index from the graph."""
    for row in await store.read(PLACES):
        linker.places.known(row)
    linker.places.known_rooms()
    await _sources(store, linker)
    for row in await store.read(PEOPLE):
        keys = PersonKeys(row["idKey"], row["phoneKey"], row["nameKey"], row["soundKey"])
        linker.people.remember(row["id"], keys)
    for row in await store.read(ROOMS.format(rel="LIVES_AT")):
        linker.residence[row["person"]] = row["room"]
        linker.people.place(row["person"], row["room"])
    for row in await store.read(ROOMS.format(rel="OWNS")):
        linker.owners_of_room[row["room"]].append(row["src"])
        linker.people.place(row["person"], row["room"])
    linker.household_heads.update({row["key"]: row["id"] for row in await store.read(HEADS)})


async def _sources(store: GraphStore, linker: Any) -> None:
    for row in await store.read(SOURCES.format(label="Place")):
        linker.place_by_ref[row["ref"]] = row["id"]
        building = linker.places.buildings.get(row["id"])
        if building is not None:
            linker.building_by_ref[row["ref"]] = building
    for row in await store.read(SOURCES.format(label="Person")):
        linker.people.by_ref[row["ref"]] = row["id"]
        linker.jurisdictions.known(row["id"], row["ref"])
