"""Writing a linking run's plan to the graph, and unlinking what a full scan no longer saw.

Statements go in three waves (nodes; then sources and relations between them; then what hangs
off sources), each wave's statements concurrently so the graph server is never idle.
"""

import asyncio
import time
from typing import Any

from graph.model import Rel
from graph.store import GraphStore
from graph.writer import LinkWriter
from hub.linking.scan import Scanned


async def write_plan(store: GraphStore, linker: Any, scanned: list[Scanned]) -> int:
    """Write nodes, sources and relations; returns how many source records were unlinked."""
    plan, full = linker.plan, linker.report.full
    fresh = full and not await _has_sources(store)
    writer = LinkWriter(store, run=time.time_ns() // 1000, fresh=fresh)
    places = linker.places
    place_ids = places.nodes if full else places.created
    plan.nodes["Place"].update({i: places.nodes[i].props() for i in place_ids})
    await asyncio.gather(
        *(writer.upsert_nodes(kind, [{"id": i, "props": p} for i, p in nodes.items()])
          for kind, nodes in plan.nodes.items())
    )
    moved_lists = await asyncio.gather(
        *(writer.upsert_sources(kind, list(sources.values()))
          for kind, sources in plan.sources.items()),
        _relations(writer, linker, place_ids),
    )
    await writer.upsert_addressed(
        [{"ref": ref, "place": place} for ref, place in plan.addressed.items()]
    )
    if fresh:
        return 0
    await writer.drop_stale_relations(None if full else sorted(plan.refs))
    gone = await _removed(writer, scanned, plan.refs) if full else []
    moved = [entity for found in moved_lists[:-1] for entity in found or []]
    if gone or moved:
        await writer.remove_orphans(sorted(set(moved) | set(await writer.remove_sources(gone))))
    return len(gone)


async def _has_sources(store: GraphStore) -> bool:
    return bool(await store.read("MATCH (s:Source) RETURN s.ref AS ref LIMIT 1"))


async def _relations(writer: LinkWriter, linker: Any, place_ids: Any) -> None:
    nodes, plan = linker.places.nodes, linker.plan
    parents = [
        {"a": i, "b": nodes[i].parent, "props": {"src": ""}} for i in place_ids if nodes[i].parent
    ]
    calls = [writer.upsert_relations(Rel.LOCATED_IN, "Place", "Place", parents)]
    for (rel, a, b), pairs in plan.relations.items():
        rows = [{"a": x, "b": y, "props": props} for (x, y), props in pairs.items()]
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
