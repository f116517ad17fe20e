"""Per-request dataloaders: one per (connector, record type), per entity kind, per traversal.

Each loader turns all the loads of one tick into one round-trip and answers in key order.
"""

from collections.abc import Sequence
from typing import Any

from aiodataloader import DataLoader

from graph.model import TRAVERSALS, Node
from hub.access.view import RowScope
from hub.errors import ConnectorError
from hub.runtime import Runtime

Scope = RowScope | Sequence[str] | None


class Loaders:
    """`scope`: the request's row scope (see hub.access.view.RowScope), pushed into every query."""

    def __init__(self, runtime: Runtime, scope: Scope) -> None:
        self.runtime = runtime
        self.rows = RowScope.of(scope)
        self._nodes: dict[str, DataLoader[str, Node | None]] = {}
        self._records: dict[tuple[str, str], DataLoader[str, Any]] = {}
        self._traversals: dict[tuple[str, int], DataLoader[str, list[str]]] = {}
        self._pages: dict[tuple[Any, ...], DataLoader[str, tuple[list[str], int]]] = {}

    def node(self, kind: str) -> DataLoader[str, Node | None]:
        if kind not in self._nodes:

            async def batch(ids: list[str]) -> list[Node | None]:
                rows = self.rows
                found = await self.runtime.links.nodes(
                    kind, ids, rows.prefixes(kind), rows.ids(kind)
                )
                return [found.get(i) for i in ids]

            self._nodes[kind] = DataLoader(batch)
        return self._nodes[kind]

    def record(self, connector: str, record_type: str) -> DataLoader[str, Any]:
        """Records by source key; a missing one is None, a malformed one its ConnectorError."""
        if (connector, record_type) not in self._records:
            source = self.runtime.registry.get(connector)

            async def fetch(keys: Sequence[str]) -> dict[str, Any]:
                try:
                    return await source.fetch(record_type, keys)
                except ConnectorError as exc:
                    return {key: exc for key in keys}

            async def batch(keys: list[str]) -> list[Any]:
                ttl = int(source.config.cache_ttl)
                found = await self.runtime.cache.get_many(connector, record_type, keys, ttl, fetch)
                return [found.get(k) for k in keys]

            self._records[(connector, record_type)] = DataLoader(batch)
        return self._records[(connector, record_type)]

    def _known(self, kind: str, nodes: list[Node]) -> list[str]:
        """The ids of nodes a traversal read with their fields: the node loader keeps them
        (same row scope), so wrapping them asks the graph nothing more."""
        loader = self.node(kind)
        for node in nodes:
            loader.prime(node.id, node)
        return [node.id for node in nodes]

    def connectors_read(self) -> set[str]:
        """Departments whose records this request asked for (through the cache or not)."""
        return {connector for connector, _ in self._records}

    def traversal(self, name: str, limit: int) -> DataLoader[str, list[str]]:
        if (name, limit) not in self._traversals:

            async def batch(ids: list[str]) -> list[list[str]]:
                target, rows = TRAVERSALS[name].target, self.rows
                found = await self.runtime.links.traverse_page(
                    name, ids, rows.prefixes(target), limit, only=rows.ids(target)
                )
                return [self._known(target, found[i][0]) for i in ids]

            self._traversals[(name, limit)] = DataLoader(batch)
        return self._traversals[(name, limit)]

    def traversal_page(
        self, name: str, limit: int, offset: int, window: tuple[int | None, int | None]
    ) -> DataLoader[str, tuple[list[str], int]]:
        """One page (and the total) of a traversal per start id; one query per request level."""
        key = (name, limit, offset, window)
        if key not in self._pages:

            async def batch(ids: list[str]) -> list[tuple[list[str], int]]:
                target, rows = TRAVERSALS[name].target, self.rows
                found = await self.runtime.links.traverse_page(
                    name, ids, rows.prefixes(target), limit, offset, window, rows.ids(target)
                )
                return [(self._known(target, found[i][0]), found[i][1]) for i in ids]

            self._pages[key] = DataLoader(batch)
        return self._pages[key]
