"""The link index: the hub's questions to the graph, each one parameterised Cypher query."""

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from graph.model import LABELS, TRAVERSALS, Node, SourceRef
from graph.store import GraphStore, Row

log = logging.getLogger("graph.links")

Scope = Sequence[str] | None
MODEL_VERSION = 2
MARKER_PROPS = ("name", "version", "building")


def building_marker(run: int) -> list[Any]:
    """The LinkModel node's values (in MARKER_PROPS order) while a build begun at `run` goes on."""
    return ["links", MODEL_VERSION, run]

IN_SCOPE = "($scope IS NULL OR any(p IN $scope WHERE {var}.jurisdiction STARTS WITH p))"
_ONLY = " AND {var}.id IN $only"


def _in_scope(var: str, only: Sequence[str] | None) -> str:
    """Row scope: jurisdiction prefixes, and an id allow-list (`only`) for own-record roles.

    The id clause is left out when there is no allow-list: FalkorDB plans `$only IS NULL OR …`
    several hundred times slower.
    """
    return IN_SCOPE.format(var=var) + (_ONLY.format(var=var) if only is not None else "")


# The link metadata each kind of node carries, as (property, column) pairs. Each entity's
# source refs come from its `refs` (kept by graph.writer alongside the Source nodes): walking
# to the Source nodes costs six times the node's own fields.
_OWN_FIELDS = {
    "Person": (),
    "Place": (("level", "level"), ("name", "name")),
    "Event": (("at", "at"), ("eventType", "eventType")),
    "Thing": (),
    "Organization": (("name", "name"), ("category", "category")),
}


def _node_columns(kind: str) -> list[tuple[str, str]]:
    """(property, column) of what a page or a lookup returns per node, source refs last: only
    the kind's own columns (every column costs FalkorDB's compact reply three values)."""
    return [("id", "id"), ("jurisdiction", "jurisdiction"), *_OWN_FIELDS[kind], ("refs", "sources")]


def _node_fields(kind: str, v: str) -> str:
    return ", ".join(f"{v}.{prop} AS {column}" for prop, column in _node_columns(kind))


def _label(kind: str) -> str:
    if kind not in LABELS:
        raise ValueError(f"not an entity kind: {kind}")
    return kind


def _node(kind: str, row: Row, sources: Sequence[str] | None = ()) -> Node:
    return Node(
        id=row["id"],
        kind=kind,
        jurisdiction=row.get("jurisdiction"),
        sources=tuple(SourceRef.parse(ref) for ref in sources or () if ref),
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

    async def nodes(
        self, kind: str, ids: Sequence[str], scope: Scope, only: Scope = None
    ) -> dict[str, Node]:
        """Entities by id with their source refs; ids outside `scope` are simply not found."""
        label = _label(kind)
        rows = await self.store.read(
            f"UNWIND $ids AS wanted MATCH (n:{label} {{id: wanted}}) "
            f"WHERE {_in_scope('n', only)} RETURN {_node_fields(kind, 'n')}",
            {"ids": list(ids), "scope": _scope(scope), "only": _scope(only)},
        )
        return {row["id"]: _node(kind, row, row["sources"]) for row in rows}

    async def page(
        self,
        kind: str,
        scope: Scope,
        offset: int,
        limit: int,
        where: Mapping[str, Any],
        count: bool = True,
        only: Scope = None,
    ) -> tuple[list[Node], int | None]:
        """One page of entities in a stable order, and the total in scope when `count` is asked.

        Events come newest first. Other kinds come in the engine's scan order where it has a
        stable one (no sort: a sort reads every node in scope, however small the page), else
        by id.
        """
        label = _label(kind)
        conditions, params = _conditions(where)
        if kind == "Event":
            order = " ORDER BY n.at DESC, n.id"
        else:
            order = "" if self.store.scan_is_ordered else " ORDER BY n.id"
        match = f"MATCH (n:{label}) WHERE {_in_scope('n', only)}{conditions}"
        params |= {"scope": _scope(scope), "only": _scope(only), "offset": offset, "limit": limit}
        rows = await self.store.read(
            f"{match} WITH n{order} SKIP $offset LIMIT $limit "
            f"RETURN {_node_fields(kind, 'n')}",
            params,
        )
        nodes = [_node(kind, row, row["sources"]) for row in rows]
        if not count:
            return nodes, None
        total_rows = await self.store.read(f"{match} RETURN count(n) AS total", params)
        return nodes, int(total_rows[0]["total"]) if total_rows else 0

    async def jurisdiction_codes(self) -> set[str]:
        """Codes of the administrative places (district to grid): the jurisdictions that exist."""
        rows = await self.store.read(
            "MATCH (p:Place) WHERE p.level IN ['district', 'street', 'community', 'grid'] "
            "RETURN DISTINCT p.jurisdiction AS code"
        )
        return {str(row["code"]) for row in rows if row["code"]}

    async def residents_by_community(self, scope: Scope) -> list[tuple[str, str, int]]:
        """(community code, name, residents) for each community in scope: counts, no rows."""
        params = {"scope": _scope(scope)}
        counts = await self.store.read(
            f"MATCH (n:Person) WHERE {IN_SCOPE.format(var='n')} "
            "RETURN substring(n.jurisdiction, 0, 12) AS code, count(n) AS residents",
            params,
        )
        names = await self.store.read(
            f"MATCH (c:Place {{level: 'community'}}) WHERE {IN_SCOPE.format(var='c')} "
            "RETURN c.jurisdiction AS code, c.name AS name ORDER BY code",
            params,
        )
        by_code = {row["code"]: int(row["residents"]) for row in counts}
        return [(row["code"], row["name"], by_code.get(row["code"], 0)) for row in names]

    async def upgrade(self) -> None:
        """Bring a graph linked by an earlier version up to the current link model, once:
        version 2 keeps each entity's source refs on the entity (`refs`)."""
        rows = await self.store.read("MATCH (m:LinkModel) RETURN m.version AS version")
        if rows and (rows[0]["version"] or 0) >= MODEL_VERSION:
            return
        if not await self.is_empty():
            log.info("link graph: upgrading to model %s once (about a minute at a million "
                     "residents)", MODEL_VERSION)
            await self.store.write(
                "MATCH (s:Source)-[:OF]->(n) WITH n, collect(s.ref) AS refs SET n.refs = refs"
            )
        await self.mark_current()

    async def mark_current(self) -> None:
        """Say that the graph is of the current link model (it was written by this version)
        and that no build of it is under way."""
        await self.store.write(
            "MERGE (m:LinkModel {name: 'links'}) SET m.version = $version, m.building = NULL",
            {"version": MODEL_VERSION},
        )

    async def begin_build(self, run: int) -> None:
        """Say that a build of the whole graph began (`run`: its start, in microseconds); the
        mark goes when the build is done (`mark_current`). A bulk build carries the same mark
        as its first node (`MARKER_PROPS`, `building_marker`)."""
        await self.store.write(
            "MERGE (m:LinkModel {name: 'links'}) SET m.version = $version, m.building = $run",
            {"version": MODEL_VERSION, "run": run},
        )

    async def unfinished(self) -> int | None:
        """The start (microseconds) of a build of the whole graph that never finished: the
        graph holds only part of what the departments say. None when there is none."""
        rows = await self.store.read("MATCH (m:LinkModel) RETURN m.building AS building")
        return rows[0]["building"] if rows else None

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
        self, name: str, ids: Sequence[str], scope: Scope, limit: int, only: Scope = None
    ) -> dict[str, list[str]]:
        """For each start id, up to `limit` related ids in scope: one query for all starts."""
        pages = await self.traverse_page(name, ids, scope, limit, only=only)
        return {start: [node.id for node in nodes] for start, (nodes, _) in pages.items()}

    async def traverse_page(
        self,
        name: str,
        ids: Sequence[str],
        scope: Scope,
        limit: int,
        offset: int = 0,
        window: tuple[int | None, int | None] = (None, None),
        only: Scope = None,
    ) -> dict[str, tuple[list[Node], int]]:
        """For each start id, one page of related nodes in scope (as `nodes` reads them) and how
        many there are in all; `window` (since, until) in epoch seconds bounds events by time.
        One query for all starts."""
        spec = TRAVERSALS[name]
        pattern = spec.pattern.replace("(a)", f"(a:{spec.source} {{id: start}})", 1).replace(
            "(b)", f"(b:{spec.target})", 1
        )
        conditions = [_in_scope("b", only)] + ([spec.where] if spec.where else [])
        columns = _node_columns(spec.target)
        rows = await self.store.read(
            f"UNWIND $ids AS start MATCH {pattern} WHERE {' AND '.join(conditions)} "
            f"WITH DISTINCT start, b {_window(window)}ORDER BY {spec.order} "
            "WITH start, collect(b) AS found "
            "RETURN start, size(found) AS total, "
            f"[n IN found[$offset..$end] | [{', '.join(f'n.{p}' for p, _ in columns)}]] AS page",
            {
                "ids": list(ids),
                "scope": _scope(scope),
                "only": _scope(only),
                "offset": offset,
                "end": offset + limit,
                "since": window[0],
                "until": window[1],
            },
        )
        names = [column for _, column in columns]
        found = {
            row["start"]: (
                [_node(spec.target, dict(zip(names, values, strict=True)), values[-1])
                 for values in row["page"]],
                int(row["total"]),
            )
            for row in rows
        }
        return {start: found.get(start, ([], 0)) for start in ids}


def _window(window: tuple[int | None, int | None]) -> str:
    """The time bounds given, as a filter after the walk. Inside the MATCH, FalkorDB starts
    from the `Event.at` index and climbs from every event of the window in the whole graph
    to see whether it lies under the start; after it, the walk goes down from the start, so
    the cost follows the start's own places and events, not the size of the graph. Only the
    bounds given: FalkorDB plans `$since IS NULL OR …` hundreds of times slower."""
    bounds = (["b.at >= $since"] if window[0] is not None else []) + (
        ["b.at < $until"] if window[1] is not None else []
    )
    return f"WHERE {' AND '.join(bounds)} WITH start, b " if bounds else ""


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
