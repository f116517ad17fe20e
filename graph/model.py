"""The link model: labels, relationships and traversals. Labels come from here, never from input."""

from dataclasses import dataclass
from enum import StrEnum

LABELS = ("Person", "Place", "Event", "Thing", "Organization")

ID_PREFIX = {"Person": "prs", "Place": "plc", "Event": "evt", "Thing": "thg", "Organization": "org"}
KIND_OF_PREFIX = {prefix: kind for kind, prefix in ID_PREFIX.items()}

PLACE_LEVELS = ("district", "street", "community", "grid", "building", "unit", "room", "poi")


class Rel(StrEnum):
    LIVES_AT = "LIVES_AT"
    REGISTERED_AT = "REGISTERED_AT"
    LOCATED_IN = "LOCATED_IN"
    OCCURRED_AT = "OCCURRED_AT"
    INVOLVES = "INVOLVES"
    OWNS = "OWNS"
    MANAGES = "MANAGES"
    MEMBER_OF = "MEMBER_OF"
    RELATED_TO = "RELATED_TO"
    CANDIDATE = "CANDIDATE"  # two people who may be one, held for review (never merged)
    ADDRESSED_AT = "ADDRESSED_AT"  # (:Source) whose address names a place
    DETECTED_BY = "DETECTED_BY"  # (:Event) a device (:Thing) reported (hub.streams)


@dataclass(frozen=True)
class SourceRef:
    connector: str
    record_type: str
    key: str

    @property
    def ref(self) -> str:
        return f"{self.connector}/{self.record_type}/{self.key}"

    @classmethod
    def parse(cls, ref: str) -> "SourceRef":
        connector, record_type, key = ref.split("/", 2)
        return cls(connector, record_type, key)


@dataclass(frozen=True)
class Node:
    """An entity as the graph knows it: identity, scope and where its attributes live."""

    id: str
    kind: str
    jurisdiction: str | None
    sources: tuple[SourceRef, ...] = ()
    level: str | None = None
    name: str | None = None
    at: int | None = None
    event_type: str | None = None
    category: str | None = None


@dataclass(frozen=True)
class Traversal:
    """A named one-hop (or down-the-hierarchy) pattern from `source` nodes to `target` nodes."""

    source: str
    target: str
    pattern: str  # openCypher with (a) the start node and (b) the end node
    order: str = "b.id"
    where: str = ""  # a fixed extra condition (never built from input)


TRAVERSALS: dict[str, Traversal] = {
    "person_residence": Traversal("Person", "Place", "(a)-[:LIVES_AT]->(b)"),
    "person_registered": Traversal("Person", "Place", "(a)-[:REGISTERED_AT]->(b)"),
    "person_events": Traversal("Person", "Event", "(a)<-[:INVOLVES]-(b)", "b.at DESC, b.id"),
    "person_household": Traversal(
        "Person", "Person", "(a)-[:RELATED_TO {relation: 'household'}]-(b)"
    ),
    "person_owns": Traversal("Person", "Place", "(a)-[:OWNS]->(b)"),
    "place_parent": Traversal("Place", "Place", "(a)-[:LOCATED_IN]->(b)"),
    "place_children": Traversal("Place", "Place", "(a)<-[:LOCATED_IN]-(b)", "b.name, b.id"),
    "place_residents": Traversal(
        "Place", "Person", "(a)<-[:LOCATED_IN*0..6]-(:Place)<-[:LIVES_AT]-(b)"
    ),
    "place_events": Traversal(
        "Place", "Event", "(a)<-[:LOCATED_IN*0..6]-(:Place)<-[:OCCURRED_AT]-(b)", "b.at DESC, b.id"
    ),
    "place_things": Traversal(
        "Place", "Thing", "(a)<-[:LOCATED_IN*0..6]-(:Place)<-[:LOCATED_IN]-(b)"
    ),
    "place_managers": Traversal("Place", "Organization", "(a)<-[:MANAGES]-(b)"),
    "event_place": Traversal("Event", "Place", "(a)-[:OCCURRED_AT]->(b)"),
    "event_people": Traversal("Event", "Person", "(a)-[:INVOLVES]->(b)"),
    "event_managers": Traversal(
        "Event",
        "Organization",
        "(a)-[:OCCURRED_AT]->(:Place)-[:LOCATED_IN*0..3]->(:Place)<-[:MANAGES]-(b)",
    ),
    "event_departments": Traversal(
        "Event", "Organization", "(a)<-[:OF]-(s:Source), (b)", where="b.connector = s.connector"
    ),
    "person_neighbours": Traversal(
        "Person",
        "Person",
        "(a)-[:LIVES_AT]->(:Place)-[:LOCATED_IN*0..2]->(h:Place)"
        "<-[:LOCATED_IN*0..2]-(:Place)<-[:LIVES_AT]-(b)",
        where="h.level = 'building' AND b <> a",
    ),
    "thing_place": Traversal("Thing", "Place", "(a)-[:LOCATED_IN]->(b)"),
    "organization_places": Traversal("Organization", "Place", "(a)-[:MANAGES]->(b)"),
}
