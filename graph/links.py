"""The link index: the hub's questions to the graph, each one parameterised Cypher query."""

from collections.abc import Mapping, Sequence
from typing import Any

from graph.model import LABELS, TRAVERSALS, Node, SourceRef
from graph.store import GraphStore, Row

Scope = Sequence[str] | None

IN_SCOPE = "($scope IS NULL OR any(p IN $scope WHERE {var}.jurisdiction STARTS WITH p))"
_NODE_FIELDS = (
    "{v}.id AS id, {v}.jurisdiction AS jurisdiction, {v}.level AS level, {v}.name AS name, "
    "{v}.at AS at, {v}.eventType AS eventType, {v}.category AS category"
)


def _label(kind: str) -> str:
    if kind not in LABELS:
        raise ValueError(f"not an entity kind: {kind}")
    return kind


def _node(kind: str, row: Row, sources: Sequence[str] = ()) -> Node:
    return Node(
        id=row["id"],
        kind=kind,
        jurisdiction=row.get("jurisdiction"),
        sources=tuple(SourceRef.parse(ref) for ref in sources if ref),
        level=row.get("level"),
        name=row.get("name"),
        at=row.get("at"),
        event_type=row.get("eventType"),
        category=row.get("category"),
    )


class LinkGraph:
    """Reads and batched writes of the link model over any GraphStore."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store

    async def nodes(self, kind: str, ids: Sequence[str], scope: Scope) -> dict[str, Node]:
        """Entities by id with their source refs; ids outside `scope` are simply not found."""
        label = _label(kind)
        rows = await self.store.read(
            f"UNWIND $ids AS wanted MATCH (n:{label} {{id: wanted}}) "
            f"WHERE {IN_SCOPE.format(var='n')} "
            "OPTIONAL MATCH (s:Source)-[:OF]->(n) "
            f"RETURN {_NODE_FIELDS.format(v='n')}, collect(s.ref) AS sources",
            {"ids": list(ids), "scope": _scope(scope)},
        )
        return {row["id"]: _node(kind, row, row["sources"]) for row in rows}

    async def page(
        self, kind: str, scope: Scope, offset: int, limit: int, where: Mapping[str, Any]
    ) -> tuple[list[str], int]:
        """One page of ids in a stable order, and the total in scope."""
        label = _label(kind)
        conditions, params = _conditions(where)
        order = "n.at DESC, n.id" if kind == "Event" else "n.id"
        match = f"MATCH (n:{label}) WHERE {IN_SCOPE.format(var='n')}{conditions}"
        params |= {"scope": _scope(scope), "offset": offset, "limit": limit}
        total_rows = await self.store.read(f"{match} RETURN count(n) AS total", params)
        rows = await self.store.read(
            f"{match} RETURN n.id AS id ORDER BY {order} SKIP $offset LIMIT $limit", params
        )
        return [row["id"] for row in rows], int(total_rows[0]["total"]) if total_rows else 0

    async def is_empty(self) -> bool:
        rows = await self.store.read("MATCH (s:Source) RETURN s.ref AS ref LIMIT 1")
        return not rows

    async def ids_for_sources(self, kind: str, refs: Sequence[str]) -> dict[str, str]:
        """Source ref → hub id, for filters answered by a department system."""
        label = _label(kind)
        rows = await self.store.read(
            f"UNWIND $refs AS ref MATCH (s:Source {{ref: ref}})-[:OF]->(n:{label}) "
            "RETURN ref, n.id AS id",
            {"refs": list(refs)},
        )
        return {row["ref"]: row["id"] for row in rows}

    async def traverse(
        self, name: str, ids: Sequence[str], scope: Scope, limit: int
    ) -> dict[str, list[str]]:
        """For each start id, up to `limit` related ids in scope: one query for all starts."""
        pages = await self.traverse_page(name, ids, scope, limit)
        return {start: found for start, (found, _) in pages.items()}

    async def traverse_page(
        self,
        name: str,
        ids: Sequence[str],
        scope: Scope,
        limit: int,
        offset: int = 0,
        window: tuple[int | None, int | None] = (None, None),
    ) -> dict[str, tuple[list[str], int]]:
        """For each start id, one page of related ids in scope and how many there are in all;
        `window` (since, until) in epoch seconds bounds events by time. One query for all."""
        spec = TRAVERSALS[name]
        pattern = spec.pattern.replace("(a)", f"(a:{spec.source} {{id: start}})", 1).replace(
            "(b)", f"(b:{spec.target})", 1
        )
        conditions = [IN_SCOPE.format(var="b")] + ([spec.where] if spec.where else [])
        if spec.target == "Event":
            conditions += ["($since IS NULL OR b.at >= $since)"]
            conditions += ["($until IS NULL OR b.at < $until)"]
        rows = await self.store.read(
            f"UNWIND $ids AS start MATCH {pattern} WHERE {' AND '.join(conditions)} "
            f"WITH DISTINCT start, b ORDER BY {spec.order} "
            "WITH start, collect(b.id) AS found "
            "RETURN start, size(found) AS total, found[$offset..$end] AS found",
            {
                "ids": list(ids),
                "scope": _scope(scope),
                "offset": offset,
                "end": offset + limit,
                "since": window[0],
                "until": window[1],
            },
        )
        found = {row["start"]: (list(row["found"]), int(row["total"])) for row in rows}
        return {start: found.get(start, ([], 0)) for start in ids}


def _scope(scope: Scope) -> list[str] | None:
    return None if scope is None else list(scope)


def _conditions(where: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """Fixed, whitelisted filters on link metadata; values always travel as parameters."""
    parts: list[str] = []
    params: dict[str, Any] = {}
    allowed = {
        "level": "n.level = $level",
        "eventType": "n.eventType = $eventType",
        "since": "n.at >= $since",
        "until": "n.at < $until",
        "prefix": "n.jurisdiction STARTS WITH $prefix",
    }
    for key, value in where.items():
        if value is None:
            continue
        parts.append(allowed[key])
        params[key] = value
    return "".join(f" AND {part}" for part in parts), params
