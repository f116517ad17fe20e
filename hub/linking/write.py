"""Writing a linking run's plan to the graph, and unlinking what a full scan no longer saw.

A run's plan is written in parts, one per stage of hub.linking.linker (places; events and
things, while the people are resolved; the people and who the events involve): each part in
three waves (nodes; then sources and relations
between them; then what hangs off sources), each wave's statements concurrently so the graph
server is never idle. Removals come last, once every part is written.
"""

import asyncio
import logging
import threading
import time
from datetime import datetime
from typing import Any

from graph.links import MARKER_PROPS, LinkGraph, building_marker
from graph.model import Rel
from graph.store import GraphStore
from graph.writer import LinkWriter
from hub.linking.bulk import BulkPart
from hub.linking.plan import LinkPlan
from hub.linking.scan import Scanned

log = logging.getLogger("hub.linking")

PlaceRow = tuple[str, dict[str, Any], str | None]  # (id, props, parent id)


class PlanWriter:
    """Writes the parts of one run's plan, then (`finish`) removes what the run no longer saw.

    `part` takes the place rows to write with it (`new_places`): snapshots taken while nothing
    else changes the gazetteer, since resolution may go on in another thread meanwhile.

    Into an empty graph, the parts go through the engine's bulk loader where it has one
    (`bulk`; FalkorDB), else through Cypher CREATE."""

    def __init__(self, store: GraphStore, full: bool, bulk: bool = True) -> None:
        self.store = store
        self.full = full
        self.writer = LinkWriter(store, run=time.time_ns() // 1000)
        self.refs: set[str] = set()
        self.moved: list[str] = []
        self._placed: set[str] = set()
        self._use_bulk = bulk
        self.bulk: BulkPart | None = None
        self._bulk_busy = threading.Lock()

    async def open(self) -> None:
        """A full run over an empty graph, or over what a build cut short left (dropped
        first: the graph holds nothing the departments and the hub's records cannot give
        again), builds it anew, marked as being built until `finish`."""
        links = LinkGraph(self.store)
        begun = await links.unfinished()
        if self.full and begun is not None:
            log.warning("link graph: the build begun at %s did not finish; building it anew",
                        _when(begun))
            await self.store.clear()
        self.writer.fresh = self.full and await links.is_empty()
        if self.writer.fresh and self._use_bulk:
            load = await self.store.bulk_load()
            if load is not None:
                self.bulk = BulkPart(load, self.writer.run)
                load.nodes("LinkModel", MARKER_PROPS, [building_marker(self.writer.run)], [None])
        if self.writer.fresh and self.bulk is None:
            await links.begin_build(self.writer.run)

    def new_places(self, places: Any) -> list[PlaceRow]:
        """(id, props, parent) of the places not yet handed to a part (created ones only,
        on an incremental run)."""
        ids = places.nodes if self.full else places.created
        rows = [(i, places.nodes[i].props(), places.nodes[i].parent)
                for i in ids if i not in self._placed]
        self._placed.update(i for i, _, _ in rows)
        return rows

    async def part(self, plan: LinkPlan, places: list[PlaceRow]) -> None:
        writer = self.writer
        plan.nodes["Place"].update({i: props for i, props, _ in places})
        refs_written = _refs_with_nodes(plan) if writer.fresh else {}
        if self.bulk is not None:
            await asyncio.to_thread(self._write_bulk, self.bulk, plan, places, refs_written)
            return
        await asyncio.gather(
            *(writer.upsert_nodes(kind, list(nodes.items())) for kind, nodes in plan.nodes.items())
        )
        moved_lists = await asyncio.gather(
            *(writer.upsert_sources(kind, list(sources.values()), refs_written.get(kind, ()))
              for kind, sources in plan.sources.items()),
            _relations(writer, plan, places),
        )
        await writer.upsert_addressed(list(plan.addressed.items()))
        self.refs |= plan.refs
        self.moved += [entity for found in moved_lists[:-1] for entity in found or []]

    async def finish(self, scanned: list[Scanned]) -> int:
        """Unlink what this run no longer asserts; returns how many source records went."""
        writer = self.writer
        if self.bulk is not None:
            await self._end_bulk()
        if writer.fresh:
            await LinkGraph(self.store).mark_current()
            return 0
        await writer.drop_stale_relations(None if self.full else sorted(self.refs))
        gone = await _removed(writer, scanned, self.refs) if self.full else []
        if gone or self.moved:
            removed_from = await writer.remove_sources(gone)
            await writer.remove_orphans(sorted(set(self.moved) | set(removed_from)))
        return len(gone)

    def _write_bulk(self, bulk: BulkPart, plan: LinkPlan, places: list[PlaceRow],
                    refs_written: dict[str, set[str]]) -> None:
        with self._bulk_busy:  # a cancelled part's thread goes on: `abandon` waits for it
            bulk.write(plan, places, refs_written)

    async def _end_bulk(self) -> None:
        """Index the loaded graph, then what a bulk load cannot do: add refs to entities an
        earlier part created."""
        assert self.bulk is not None
        bulk, self.bulk = self.bulk, None
        await self.store.bulk_done(bulk.load)
        for kind, late in bulk.late_refs.items():
            await self.writer.add_refs(kind, list(late.items()))

    async def abandon(self) -> None:
        """After a failed run: a bulk load begun is sent and indexed, so that what it holds
        is found quickly until the next full run builds the graph anew (it keeps the mark of
        a build under way)."""
        if self.bulk is not None:
            bulk, self.bulk = self.bulk, None
            await asyncio.to_thread(self._bulk_busy.acquire)
            try:
                await self.store.bulk_done(bulk.load)
            except Exception as exc:  # the run's own error is the one to report
                log.warning("link graph: the interrupted bulk load did not finish: %s", exc)
            finally:
                self._bulk_busy.release()


def _when(run: int) -> str:
    return datetime.fromtimestamp(run / 1e6).isoformat(sep=" ", timespec="seconds")


def _refs_with_nodes(plan: LinkPlan) -> dict[str, set[str]]:
    """On a fresh graph: each new entity's source refs go into the node's own properties, so
    they cost nothing more to write. Returns, per kind, the entities that carry them."""
    written: dict[str, set[str]] = {}
    for kind, sources in plan.sources.items():
        nodes = plan.nodes.get(kind, {})
        for ref, *_, entity in sources.values():
            props = nodes.get(entity)
            if props is not None:
                props.setdefault("refs", []).append(ref)
        written[kind] = {entity for entity, props in nodes.items() if "refs" in props}
    return written


async def _relations(writer: LinkWriter, plan: LinkPlan, places: list[PlaceRow]) -> None:
    hierarchy = {"src": ""}
    parents = [(i, parent, hierarchy) for i, _, parent in places if parent]
    calls = [writer.upsert_relations(Rel.LOCATED_IN, "Place", "Place", parents)]
    for (rel, a, b), pairs in plan.relations.items():
        rows = [(x, y, props) for (x, y), props in pairs.items()]
        calls.append(writer.upsert_relations(rel, a, b, rows))
    calls.append(writer.upsert_relations(Rel.CANDIDATE, "Person", "Person", plan.candidates))
    await asyncio.gather(*calls)


async def _removed(writer: LinkWriter, scanned: list[Scanned], seen: set[str]) -> list[str]:
    """Refs the graph holds for completely scanned record types that this scan did not see."""
    gone: list[str] = []
    for batch in scanned:
        if batch.complete:
            gone += [r for r in await writer.source_refs(batch.connector, batch.record_type)
                     if r not in seen]
    return gone
