"""Reading entities: links from the graph, attributes live from their departments."""

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graph.model import Node, SourceRef
from hub.errors import AccessDenied, BadInput, ConnectorError, ErrorCode
from hub.ids import check_first, check_kind
from hub.loaders import Loaders
from hub.standard import STANDARD_FIELDS, EntityKind

GRAPH_FILTERS = {"jurisdiction", "level", "eventType", "since", "until"}
FILTER_FIELDS = {"since": "occurredAt", "until": "occurredAt"}  # filter -> the field it reads


@dataclass(frozen=True)
class Page:
    nodes: list[Node]
    offset: int
    total: int | None  # None when the caller did not ask for it
    has_next: bool


class EntityService:
    """What resolvers call. Holds no state beyond the request's loaders and scope.

    `readable(kind, field)` says whether the request may read (not merely see masked) a field;
    filters need that, or they would answer questions about values the caller cannot see.
    """

    def __init__(self, loaders: Loaders, readable: Callable[[str, str], bool] | None = None):
        self.loaders = loaders
        self.runtime = loaders.runtime
        self.readable = readable or (lambda kind, field: True)

    def require(self, kind: str) -> None:
        """A closed type is FORBIDDEN (it depends on the caller's policy, never on the data)."""
        if not self.loaders.rows.readable(kind):
            raise AccessDenied(f"your role may not read {kind}")

    async def get(self, kind: str, hub_id: str) -> Node | None:
        check_kind(hub_id, kind)
        self.require(kind)
        return (await self.loaders.nodes(kind, [hub_id]))[0]

    async def many(self, kind: str, ids: Sequence[str]) -> list[Node]:
        return [node for node in await self.loaders.nodes(kind, ids) if node is not None]

    async def hydrate(self, nodes: Sequence[Node], fields: set[str]) -> list[dict[str, Any]]:
        """Attribute values for each node, fetched once per request level.

        Only records of department types mapping one of `fields` are loaded; the loaders turn
        the loads of all nodes into one call per (connector, record type). Each field takes the
        value of the highest-priority department that has one; a department that failed leaves
        its ConnectorError as the value of the fields it would have answered first.
        """
        registry = self.runtime.registry
        answers: dict[tuple[str, str], tuple[int, list[str]]] = {}  # per record type
        wanted: list[tuple[int, int, SourceRef, list[str]]] = []
        for index, node in enumerate(nodes):
            for ref in node.sources:
                found = answers.get((ref.connector, ref.record_type))
                if found is None:
                    config = registry.get(ref.connector).config
                    provided = [f for f in fields if config.types[ref.record_type].provides(f)]
                    found = answers[(ref.connector, ref.record_type)] = (config.priority, provided)
                if found[1]:
                    wanted.append((index, found[0], ref, found[1]))
        batches: dict[tuple[str, str], list[str]] = {}
        for _, _, ref, _ in wanted:
            batches.setdefault((ref.connector, ref.record_type), []).append(ref.key)
        loads = [
            self.loaders.records(*source).load(tuple(dict.fromkeys(keys)))
            for source, keys in batches.items()
        ]
        results = dict(zip(batches, await asyncio.gather(*loads, return_exceptions=True),
                           strict=True))
        values: list[dict[str, Any]] = [{} for _ in nodes]
        for index, _, ref, provided in sorted(wanted, key=lambda item: item[1]):
            found = results[(ref.connector, ref.record_type)]
            record = found if isinstance(found, BaseException) else found.get(ref.key)
            _merge(values[index], ref, record, provided)
        return values

    async def related(self, node: Node, traversal: str, target: str, limit: int) -> list[Node]:
        check_first(limit, self.runtime.settings.max_page_size)
        if not self.loaders.rows.readable(target):
            return []
        ids = await self.loaders.traversal(traversal, limit).load(node.id)
        return await self.many(target, ids)

    async def related_page(
        self,
        node: Node,
        traversal: str,
        target: str,
        limit: int,
        offset: int = 0,
        window: tuple[int | None, int | None] = (None, None),
    ) -> Page:
        """One page of a traversal from `node`, with the total, for a Relay connection."""
        check_first(limit, self.runtime.settings.max_page_size)
        loader = self.loaders.traversal_page(traversal, limit, offset, window)
        ids, total = await loader.load(node.id)
        return Page(await self.many(target, ids), offset, total, offset + len(ids) < total)

    async def page(
        self, kind: str, offset: int, limit: int, filters: Mapping[str, Any], count: bool = True
    ) -> Page:
        """A page of entities; one row past `limit` tells whether another page follows."""
        self.require(kind)
        source_filters = {
            k: v for k, v in filters.items() if k not in GRAPH_FILTERS and v is not None
        }
        self._check_filters(kind, {k: v for k, v in filters.items() if v is not None})
        if source_filters:
            return await self._page_from_source(kind, offset, limit, filters, source_filters)
        where = {k: v for k, v in filters.items() if k in GRAPH_FILTERS - {"jurisdiction"}}
        rows = self.loaders.rows
        scope = _narrow(rows.prefixes(kind), filters.get("jurisdiction"))
        nodes, total = await self.runtime.links.page(
            kind, scope, offset, limit + 1, where, count, rows.ids(kind)
        )
        self.loaders.keep(kind, nodes[:limit])  # later lookups of these ids need no query
        return Page(nodes[:limit], offset, total, len(nodes) > limit)

    def _check_filters(self, kind: str, filters: Mapping[str, Any]) -> None:
        """No filter on a field the caller cannot read in clear; no attribute filter for roles
        limited to their own records."""
        fields = {f: FILTER_FIELDS.get(f, f) for f in filters}
        hidden = sorted(f for f, field in fields.items() if not self.readable(kind, field))
        if hidden:
            raise AccessDenied(f"your role may not filter {kind} by {hidden}")
        source_filters = set(filters) - GRAPH_FILTERS
        if source_filters and self.loaders.rows.ids(kind) is not None:
            # Departments cannot apply an id allow-list: their totals would count others.
            raise AccessDenied(f"your role may not filter {kind} by attributes")

    def _filter_source(self, kind: str, fields: set[str]) -> tuple[str, str] | None:
        """The highest-priority record type that can push down every one of `fields`."""
        able = [{s.ref for s in self.runtime.registry.filterable(kind, f)} for f in fields]
        for source in self.runtime.registry.sources(kind):
            if all(source.ref in refs for refs in able):
                return source.name, source.record_type
        return None

    async def _page_from_source(
        self,
        kind: str,
        offset: int,
        limit: int,
        filters: Mapping[str, Any],
        source_filters: Mapping[str, Any],
    ) -> Page:
        """Attribute filters go to the department that can answer them; the graph maps keys."""
        unknown = set(source_filters) - set(STANDARD_FIELDS[EntityKind(kind)])
        if unknown:
            raise BadInput(f"cannot filter {kind} by {sorted(unknown)}", ErrorCode.BAD_FILTER)
        target = self._filter_source(kind, set(source_filters))
        if target is None:
            raise BadInput(
                f"no department can filter {kind} by {sorted(source_filters)}",
                ErrorCode.BAD_FILTER,
            )
        connector, record_type = target
        scope = _narrow(self.loaders.rows.prefixes(kind), filters.get("jurisdiction"))
        page = await self.runtime.registry.get(connector).query(
            record_type, source_filters, scope, offset, limit
        )
        refs = [f"{connector}/{record_type}/{r['_key']}" for r in page.records]
        ids = await self.runtime.links.ids_for_sources(kind, refs)
        ordered = list(dict.fromkeys(ids[ref] for ref in refs if ref in ids))
        has_next = offset + len(page.records) < page.total
        return Page(await self.many(kind, ordered), offset, page.total, has_next)


def _merge(values: dict[str, Any], ref: SourceRef, record: Any, provided: list[str]) -> None:
    """Fill the fields still unset (or None) from one source record, in priority order."""
    for field in provided:
        if values.get(field) is not None:
            continue
        if isinstance(record, ConnectorError):
            values.setdefault(field, record)
        elif isinstance(record, BaseException):
            values.setdefault(field, ConnectorError(ref.connector, "unexpected failure"))
        elif record is not None and record.get(field) is not None:
            values[field] = record[field]


def _narrow(scope: Sequence[str] | None, prefix: str | None) -> list[str] | None:
    """The request's scope intersected with a jurisdiction filter (codes nest by prefix)."""
    if prefix is None:
        return None if scope is None else list(scope)
    if scope is None:
        return [prefix]
    narrowed = [p for p in scope if p.startswith(prefix)]
    narrowed += [prefix for p in scope if prefix.startswith(p)]
    return sorted(set(narrowed)) or ["~none"]  # no code starts with it (codes are digits)
