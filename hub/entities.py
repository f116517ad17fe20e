"""Reading entities: links from the graph, attributes live from their departments."""

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graph.model import Node, SourceRef
from hub.errors import BadInput, ConnectorError, ErrorCode
from hub.ids import check_first, check_kind
from hub.loaders import Loaders
from hub.standard import STANDARD_FIELDS, EntityKind

GRAPH_FILTERS = {"jurisdiction", "level", "eventType", "since", "until"}


@dataclass(frozen=True)
class Page:
    nodes: list[Node]
    offset: int
    total: int


class EntityService:
    """What resolvers call. Holds no state beyond the request's loaders and scope."""

    def __init__(self, loaders: Loaders) -> None:
        self.loaders = loaders
        self.runtime = loaders.runtime

    async def get(self, kind: str, hub_id: str) -> Node | None:
        check_kind(hub_id, kind)
        return await self.loaders.node(kind).load(hub_id)

    async def many(self, kind: str, ids: Sequence[str]) -> list[Node]:
        found = await self.loaders.node(kind).load_many(list(ids))
        return [node for node in found if node is not None]

    async def records(self, node: Node) -> list[tuple[SourceRef, Any]]:
        """Each source record of the entity (None when gone, ConnectorError when it failed)."""
        loads = [self.loaders.record(s.connector, s.record_type).load(s.key) for s in node.sources]
        results = await asyncio.gather(*loads, return_exceptions=True)
        return list(zip(node.sources, results, strict=True))

    async def attribute(self, node: Node, field: str) -> Any:
        """The field from the highest-priority department that maps it and has a value."""
        registry = self.runtime.registry
        records = await self.records(node)
        for ref, record in sorted(
            records, key=lambda r: registry.get(r[0].connector).config.priority
        ):
            if not registry.get(ref.connector).config.types[ref.record_type].provides(field):
                continue
            if isinstance(record, ConnectorError):
                raise record
            if isinstance(record, BaseException):
                raise ConnectorError(ref.connector, "unexpected failure") from record
            if record is not None and record.get(field) is not None:
                return record[field]
        return None

    async def related(self, node: Node, traversal: str, target: str, limit: int) -> list[Node]:
        check_first(limit, self.runtime.settings.max_page_size)
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
        return Page(await self.many(target, ids), offset, total)

    async def page(self, kind: str, offset: int, limit: int, filters: Mapping[str, Any]) -> Page:
        source_filters = {
            k: v for k, v in filters.items() if k not in GRAPH_FILTERS and v is not None
        }
        if source_filters:
            return await self._page_from_source(kind, offset, limit, filters, source_filters)
        where = {k: v for k, v in filters.items() if k in GRAPH_FILTERS - {"jurisdiction"}}
        scope = _narrow(self.loaders.scope, filters.get("jurisdiction"))
        ids, total = await self.runtime.links.page(kind, scope, offset, limit, where)
        return Page(await self.many(kind, ids), offset, total)

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
        scope = _narrow(self.loaders.scope, filters.get("jurisdiction"))
        page = await self.runtime.registry.get(connector).query(
            record_type, source_filters, scope, offset, limit
        )
        refs = [f"{connector}/{record_type}/{r['_key']}" for r in page.records]
        ids = await self.runtime.links.ids_for_sources(kind, refs)
        ordered = list(dict.fromkeys(ids[ref] for ref in refs if ref in ids))
        return Page(await self.many(kind, ordered), offset, page.total)


def _narrow(scope: Sequence[str] | None, prefix: str | None) -> list[str] | None:
    """The request's scope intersected with a jurisdiction filter (codes nest by prefix)."""
    if prefix is None:
        return None if scope is None else list(scope)
    if scope is None:
        return [prefix]
    narrowed = [p for p in scope if p.startswith(prefix)]
    narrowed += [prefix for p in scope if prefix.startswith(p)]
    return sorted(set(narrowed)) or ["\x00none"]
