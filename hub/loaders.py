"""Per-request dataloaders: one per (connector, record type), per entity kind, per traversal.

Each loader turns all the loads of one tick into one round-trip and answers in key order.
Records are loaded a batch of keys at a time (one load per page of entities and record
type, not one per entity: a future and its callbacks per key cost more than the keys' read
from a warm cache), and nodes a traversal or page already read are handed over as they are.
"""

import asyncio
from collections.abc import Sequence
from typing import Any

from aiodataloader import DataLoader

from graph.model import TRAVERSALS, Node
from hub.access.view import RowScope
from hub.errors import ConnectorError, ErrorCode
from hub.runtime import Runtime

Scope = RowScope | Sequence[str] | None
Keys = tuple[str, ...]
Records = dict[str, Any]  # key -> record, None (not found) or its ConnectorError


class Loaders:
    """`scope`: the request's row scope (see hub.access.view.RowScope), pushed into every query."""

    def __init__(self, runtime: Runtime, scope: Scope) -> None:
        self.runtime = runtime
        self.rows = RowScope.of(scope)
        self._nodes: dict[str, DataLoader[str, Node | None]] = {}
        self._known: dict[str, dict[str, Node]] = {}
        self._records: dict[tuple[str, str], DataLoader[Keys, Records]] = {}
        self._traversals: dict[tuple[str, int], DataLoader[str, list[str]]] = {}
        self._pages: dict[tuple[Any, ...], DataLoader[str, tuple[list[str], int]]] = {}
        self.unavailable: set[str] = set()  # departments that did not answer this request
        self.stale: set[str] = set()  # ... whose cached records it was served all the same

    def release(self) -> None:
        """Forget what this request loaded. The loaders' functions refer back to this object,
        so all it holds (nodes, records, futures) would otherwise wait for the cycle collector
        (~2,400 objects a request, ~1.4 ms of collection per request). Loaders asked for
        afterwards start afresh."""
        for table in (self._nodes, self._known, self._records, self._traversals, self._pages):
            table.clear()

    def _node_loader(self, kind: str) -> DataLoader[str, Node | None]:
        """The graph lookup behind `nodes`; its cache also remembers ids found nowhere."""
        if kind not in self._nodes:

            async def batch(ids: list[str]) -> list[Node | None]:
                rows = self.rows
                found = await self.runtime.links.nodes(
                    kind, ids, rows.prefixes(kind), rows.ids(kind)
                )
                return [found.get(i) for i in ids]

            self._nodes[kind] = DataLoader(batch)
        return self._nodes[kind]

    def keep(self, kind: str, nodes: Sequence[Node]) -> list[str]:
        """Nodes a page or traversal read with their fields (same row scope): later lookups
        of their ids in this request ask the graph nothing. Returns their ids."""
        known = self._known.setdefault(kind, {})
        for node in nodes:
            known[node.id] = node
        return [node.id for node in nodes]

    async def nodes(self, kind: str, ids: Sequence[str]) -> list[Node | None]:
        """Nodes by id, in order (None: unknown or out of scope); one query for those not kept."""
        known = self._known.setdefault(kind, {})
        missing = [i for i in dict.fromkeys(ids) if i not in known]
        if missing:
            for node in await self._node_loader(kind).load_many(missing):
                if node is not None:
                    known[node.id] = node
        return [known.get(i) for i in ids]

    def records(self, connector: str, record_type: str) -> DataLoader[Keys, Records]:
        """Records by source key, a batch of keys per load. What this request read once is
        not read again; keys asked while their read is under way wait for that read."""
        if (connector, record_type) not in self._records:
            source = self.runtime.registry.get(connector)
            reads: dict[str, asyncio.Future[Records]] = {}  # key -> the read that brings it

            async def fetch(keys: Sequence[str]) -> dict[str, Any]:
                try:
                    return await source.fetch(record_type, keys)
                except ConnectorError as exc:
                    if exc.code is ErrorCode.SOURCE_UNAVAILABLE:
                        self.unavailable.add(connector)
                    return {key: exc for key in keys}

            async def read(keys: list[str]) -> Records:
                ttl = int(source.config.cache_ttl)
                asked: list[str] = []

                async def fetch_missing(missing: Sequence[str]) -> dict[str, Any]:
                    asked.extend(missing)  # the rest came from the cache
                    return await fetch(missing)

                found = await self.runtime.cache.get_many(
                    connector, record_type, keys, ttl, fetch_missing
                )
                if connector in self.unavailable and len(asked) < len(keys):
                    self.stale.add(connector)
                return found

            async def batch(batches: list[Keys]) -> list[Records]:
                wanted = list(dict.fromkeys(k for keys in batches for k in keys))
                missing = [k for k in wanted if k not in reads]
                if missing:
                    started = asyncio.ensure_future(read(missing))
                    for key in missing:
                        reads[key] = started
                found: Records = {}
                for done in await asyncio.gather(*{reads[k] for k in wanted}):
                    found.update(done)
                return [{k: found.get(k) for k in keys} for keys in batches]

            self._records[(connector, record_type)] = DataLoader(batch, cache=False)
        return self._records[(connector, record_type)]

    def failing(self) -> dict[str, list[str]]:
        """For the answer's `extensions`: departments that did not answer (their fields are
        errors) and those of them whose cached records were served instead."""
        marks = {"unavailable": sorted(self.unavailable), "stale": sorted(self.stale)}
        return {name: connectors for name, connectors in marks.items() if connectors}

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
                return [self.keep(target, found[i][0]) for i in ids]

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
                return [(self.keep(target, found[i][0]), found[i][1]) for i in ids]

            self._pages[key] = DataLoader(batch)
        return self._pages[key]
