"""What a stream writes to the link graph: its devices as Things located at their places,
its events as Events (time, type, place, device, source key; no payload).

Relations carry `src` (the source record) but no linking `run`: a full linking run removes
relations of earlier runs, and these are not the linker's to remove.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graph.store import GraphStore

_PLACES = (
    "UNWIND $refs AS ref MATCH (s:Source {ref: ref})-[:OF]->(p:Place) "
    "RETURN ref, p.id AS id, p.jurisdiction AS jurisdiction"
)
_PEOPLE = "UNWIND $refs AS ref MATCH (s:Source {ref: ref})-[:OF]->(p:Person) RETURN ref, p.id AS id"


def _node(label: str) -> str:
    return (
        f"UNWIND $rows AS r MERGE (n:{label} {{id: r[0]}}) "
        "SET n.jurisdiction = r[1], n.refs = [r[2]] {extra}"
        "MERGE (s:Source {ref: r[2]}) SET s.connector = $c, s.type = $t, s.key = r[3] "
        "MERGE (s)-[:OF]->(n)"
    )


_THINGS = _node("Thing").replace("{extra}", "")
_EVENTS = _node("Event").replace("{extra}", ", n.eventType = r[4], n.at = r[5] ")


def _relation(rel: str, a: str, b: str) -> str:
    return (
        f"UNWIND $rows AS r MATCH (a:{a} {{id: r[0]}}) MATCH (b:{b} {{id: r[1]}}) "
        f"MERGE (a)-[e:{rel}]->(b) SET e.src = r[2]"
    )


class StreamGraph:
    def __init__(self, store: GraphStore, connector: str) -> None:
        self.store = store
        self.connector = connector

    async def places(self, refs: Sequence[str]) -> dict[str, tuple[str, str | None]]:
        """Source ref -> (place id, its jurisdiction), for the refs the graph knows."""
        if not refs:
            return {}
        rows = await self.store.read(_PLACES, {"refs": list(refs)})
        return {r["ref"]: (r["id"], r["jurisdiction"]) for r in rows}

    async def people(self, refs: Sequence[str]) -> dict[str, str]:
        if not refs:
            return {}
        rows = await self.store.read(_PEOPLE, {"refs": list(refs)})
        return {r["ref"]: r["id"] for r in rows}

    async def things(self, record_type: str, rows: Sequence[Sequence[Any]],
                     located: Sequence[Sequence[str]]) -> None:
        """rows: (thing id, jurisdiction, ref, key); located: (thing id, place id, ref)."""
        if rows:
            await self.store.write(_THINGS, {"rows": list(rows), "c": self.connector,
                                             "t": record_type})
        if located:
            await self.store.write(_relation("LOCATED_IN", "Thing", "Place"),
                                   {"rows": list(located)})

    async def events(self, record_type: str, rows: Sequence[Sequence[Any]],
                     relations: dict[str, list[Sequence[str]]]) -> None:
        """rows: (event id, jurisdiction, ref, key, type, epoch); relations per kind:
        'place', 'thing', 'person': (event id, their id, ref)."""
        await self.store.write(_EVENTS, {"rows": list(rows), "c": self.connector,
                                         "t": record_type})
        ends = {"place": ("OCCURRED_AT", "Place"), "thing": ("DETECTED_BY", "Thing"),
                "person": ("INVOLVES", "Person")}
        for kind, pairs in relations.items():
            if pairs:
                rel, label = ends[kind]
                await self.store.write(_relation(rel, "Event", label), {"rows": pairs})
