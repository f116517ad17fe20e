"""What rules ask of the graph and the departments: a place's building, a building's places,
who a population is and where they live, the fields a message shows. The engine reads with no
row scope (it serves every recipient); what each recipient sees is cut when it reads."""

from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from graph.model import Node
from hub.entities import EntityService
from hub.loaders import Loaders

if TYPE_CHECKING:
    from hub.runtime import Runtime

_CACHE = 50_000
POPULATION_PAGE = 500


class World:
    def __init__(self, runtime: "Runtime") -> None:
        self.runtime = runtime
        self._buildings: OrderedDict[str, tuple[str, str]] = OrderedDict()

    async def buildings(self, place_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        """place id -> (its building's id, the building's jurisdiction); the place itself when
        it is no room, unit or building (a street light's road). Unknown places are left out."""
        wanted = [p for p in dict.fromkeys(place_ids) if p and p not in self._buildings]
        if wanted:
            rows = await self.runtime.store.read(
                "UNWIND $ids AS wanted MATCH (p:Place {id: wanted}) "
                "OPTIONAL MATCH (p)-[:LOCATED_IN*0..3]->(b:Place {level: 'building'}) "
                "RETURN wanted, p.jurisdiction AS pj, b.id AS building, b.jurisdiction AS bj",
                {"ids": wanted},
            )
            for row in rows:
                found = (row["building"], row["bj"]) if row["building"] else (
                    row["wanted"], row["pj"] or "")
                self._remember(row["wanted"], found)
        return {p: self._buildings[p] for p in place_ids if p in self._buildings}

    def _remember(self, place: str, found: tuple[str, str]) -> None:
        self._buildings[place] = found
        while len(self._buildings) > _CACHE:
            self._buildings.popitem(last=False)

    async def within(self, place_id: str) -> list[str]:
        """The place and every place below it (a building's units and rooms)."""
        rows = await self.runtime.store.read(
            "MATCH (b:Place {id: $id})<-[:LOCATED_IN*0..3]-(p:Place) RETURN DISTINCT p.id AS id",
            {"id": place_id},
        )
        return [row["id"] for row in rows]

    async def population(self, attribute: str, equals: Any) -> list[Node]:
        """People whose department attribute has the value, answered by the department that
        owns it (the filter pushed into its query), mapped to hub ids by the graph."""
        service = self._service()
        field = attribute.split(".", 1)[1]
        found: list[Node] = []
        offset = 0
        while True:
            page = await service.page("Person", offset, POPULATION_PAGE, {field: equals}, True)
            found += page.nodes
            if not page.has_next:
                return found
            offset += POPULATION_PAGE

    async def residences(self, person_ids: Sequence[str]) -> dict[str, str]:
        """person id -> the place she lives at (a room), by the graph."""
        found = await self.runtime.links.traverse("person_residence", person_ids, None, 1)
        return {person: places[0] for person, places in found.items() if places}

    async def shown(self, kind: str, ids: Sequence[str], fields: Sequence[str]) -> dict[str, dict]:
        """The fields a message shows, per entity id (`name` of a place, …)."""
        service = self._service()
        nodes = await service.many(kind, ids)
        values = await service.hydrate(nodes, set(fields))
        return {node.id: _own(node) | v for node, v in zip(nodes, values, strict=True)}

    async def nodes(self, kind: str, ids: Sequence[str]) -> dict[str, Node]:
        return await self.runtime.links.nodes(kind, list(ids), None)

    def _service(self) -> EntityService:
        return EntityService(Loaders(self.runtime, scope=None))


def _own(node: Node) -> dict[str, Any]:
    return {k: v for k, v in (("name", node.name), ("level", node.level)) if v is not None}
