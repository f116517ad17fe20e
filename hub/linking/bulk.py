"""A fresh graph's parts through the engine's bulk loader (FalkorDB's GRAPH.BULK); synchronous,
run in a thread.

The graph is the one the Cypher path would write (graph.writer with `fresh`): the same nodes
with the same properties, the same edges with theirs; tests/hub compare the two. Order
matters here: a part's nodes go first, then its sources, then the edges that name them.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from graph.bulk import BulkLoad
from graph.model import Rel
from graph.writer import property_names
from hub.linking.plan import LinkPlan

PlaceRow = tuple[str, dict[str, Any], str | None]  # (id, props, parent id)
SOURCE_PROPS = ("ref", "connector", "type", "key")


class BulkPart:
    """Writes parts of one run into a bulk load; `late_refs` collects the refs of entities
    that an earlier part created (a bulk load cannot change a node it has sent), for a Cypher
    statement once the load is indexed."""

    def __init__(self, load: BulkLoad, run: int) -> None:
        self.load = load
        self.run = run
        self.late_refs: dict[str, dict[str, list[str]]] = {}  # kind → entity → refs

    def write(
        self, plan: LinkPlan, places: list[PlaceRow], refs_written: dict[str, set[str]]
    ) -> None:
        for kind, nodes in plan.nodes.items():
            self._nodes(kind, list(nodes.items()))
        for kind, sources in plan.sources.items():
            self._sources(
                kind, list(sources.values()), refs_written.get(kind, set()), plan.addressed
            )
        hierarchy = [(i, parent, {"src": ""}) for i, _, parent in places if parent]
        self._relations(Rel.LOCATED_IN, hierarchy)
        for (rel, _, _), pairs in plan.relations.items():
            self._relations(rel, [(x, y, props) for (x, y), props in pairs.items()])
        self._relations(Rel.CANDIDATE, plan.candidates)
        self.load.edges(
            Rel.ADDRESSED_AT.value,
            ("src", "run"),
            ((ref, place, ref) for ref, place in plan.addressed.items()),
            tail=(self.run,),
        )

    def _nodes(self, kind: str, rows: Sequence[tuple[str, dict[str, Any]]]) -> None:
        names = property_names(props for _, props in rows)
        self.load.nodes(
            kind,
            ("id", *names),
            ([node, *map(props.get, names)] for node, props in rows),
            (node for node, _ in rows),
        )

    def _sources(
        self,
        kind: str,
        rows: Sequence[tuple[str, ...]],
        refs_written: set[str],
        addressed: dict[str, str],
    ) -> None:
        """(ref, connector, type, key, entity): a Source node and its OF edge each, for the
        entities the graph holds (a MATCH on a missing one would write nothing)."""
        known = self.load.ids
        rows = [row for row in rows if row[4] in known]
        self.load.nodes(
            "Source",
            SOURCE_PROPS,
            (row[:4] for row in rows),
            (row[0] if row[0] in addressed else None for row in rows),
        )
        first = self.load.next_id - len(rows)
        self.load.edges("OF", (), ((first + n, row[4]) for n, row in enumerate(rows)))
        late = self.late_refs.setdefault(kind, {})
        for ref, *_, entity in rows:
            if entity not in refs_written:
                late.setdefault(entity, []).append(ref)

    def _relations(self, rel: Rel, rows: Sequence[tuple[str, str, dict[str, Any]]]) -> None:
        names = property_names(props for _, _, props in rows)
        if len(names) == 1:  # most relations: only the source record that asserted them
            name = names[0]
            table: Iterable[tuple[Any, ...]] = ((a, b, props.get(name)) for a, b, props in rows)
        else:
            table = ((a, b, *map(props.get, names)) for a, b, props in rows)
        self.load.edges(Rel(rel).value, (*names, "run"), table, tail=(self.run,))
