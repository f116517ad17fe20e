"""Batched, idempotent writes of the link model: every statement is one UNWIND over rows.

Relations carry `src` (the source record that asserted them) and `run` (the linking run that
last wrote them), so a later run can remove exactly what a record no longer asserts.
"""

import asyncio
from collections.abc import Iterable, Sequence
from typing import Any

from graph.model import LABELS, Rel
from graph.store import GraphStore

BATCH = 5000
IN_FLIGHT = 3  # statements sent ahead: the server runs one while the next is being encoded
ENTITIES_WITHOUT_PLACES = ("Person", "Event", "Thing")


def _chunks(rows: Sequence[Any], size: int = BATCH) -> Iterable[list[Any]]:
    for start in range(0, len(rows), size):
        yield list(rows[start : start + size])


def _label(kind: str) -> str:
    if kind not in LABELS:
        raise ValueError(f"not an entity kind: {kind}")
    return kind


class LinkWriter:
    """`fresh`: the graph holds nothing of these rows yet, so CREATE stands in for MERGE."""

    def __init__(
        self, store: GraphStore, run: int = 0, batch: int = BATCH, fresh: bool = False
    ) -> None:
        self.store = store
        self.run = run
        self.batch = batch
        self.fresh = fresh
        self._slots = asyncio.Semaphore(IN_FLIGHT)

    async def _one(self, statement: str, params: dict[str, Any]) -> list[dict]:
        async with self._slots:
            return await self.store.write(statement, params)

    async def _each(self, statement: str, rows: Sequence[Any], **params: Any) -> list[dict]:
        """The statement over every chunk of rows, several in flight (chunks are disjoint)."""
        calls = [self._one(statement, {"rows": c, **params}) for c in _chunks(rows, self.batch)]
        return [row for rows_out in await asyncio.gather(*calls) for row in rows_out]

    async def upsert_nodes(self, kind: str, rows: Sequence[dict[str, Any]]) -> None:
        """rows: {id, props: {...}}; props are link metadata only (jurisdiction, keys, level)."""
        verb = "CREATE" if self.fresh else "MERGE"
        statement = f"UNWIND $rows AS r {verb} (n:{_label(kind)} {{id: r.id}}) SET n += r.props"
        await self._each(statement, rows)

    async def upsert_sources(self, kind: str, rows: Sequence[dict[str, Any]]) -> list[str]:
        """rows: {ref, connector, type, key, entity}; a ref that moved entity is re-pointed.
        Returns the ids of entities a ref moved away from (they may now have no source)."""
        moved: list[str] = []
        if self.fresh:
            await self._each(
                f"UNWIND $rows AS r MATCH (n:{_label(kind)} {{id: r.entity}}) "
                "CREATE (s:Source {ref: r.ref, connector: r.connector, type: r.type, key: r.key})"
                "-[:OF]->(n)",
                rows,
            )
            return moved
        detach = (
            "UNWIND $rows AS r MATCH (s:Source {ref: r.ref})-[o:OF]->(old) "
            "WHERE old.id <> r.entity DELETE o RETURN old.id AS id"
        )
        moved = [row["id"] for row in await self._each(detach, rows)]
        attach = (
            f"UNWIND $rows AS r MATCH (n:{_label(kind)} {{id: r.entity}}) "
            "MERGE (s:Source {ref: r.ref}) "
            "SET s.connector = r.connector, s.type = r.type, s.key = r.key "
            "MERGE (s)-[:OF]->(n)"
        )
        await self._each(attach, rows)
        return moved

    async def upsert_relations(
        self, rel: Rel, source: str, target: str, rows: Sequence[dict[str, Any]]
    ) -> None:
        """rows: {a, b, props}; MERGE keeps re-linking from duplicating edges."""
        verb = "CREATE" if self.fresh else "MERGE"
        statement = (
            f"UNWIND $rows AS r MATCH (a:{_label(source)} {{id: r.a}}) "
            f"MATCH (b:{_label(target)} {{id: r.b}}) "
            f"{verb} (a)-[e:{Rel(rel).value}]->(b) SET e += r.props, e.run = $run"
        )
        await self._each(statement, rows, run=self.run)

    async def upsert_addressed(self, rows: Sequence[dict[str, str]]) -> None:
        """rows: {ref, place}: the place a source record's address names."""
        statement = (
            "UNWIND $rows AS r MATCH (s:Source {ref: r.ref}) MATCH (p:Place {id: r.place}) "
            f"{'CREATE' if self.fresh else 'MERGE'} (s)-[e:ADDRESSED_AT]->(p) "
            "SET e.src = r.ref, e.run = $run"
        )
        await self._each(statement, rows, run=self.run)

    async def drop_stale_relations(self, refs: Sequence[str] | None) -> None:
        """Relations an earlier run wrote that this run did not: of the given source refs
        (incremental), or all of them (`refs` None: a full run rewrote everything)."""
        if refs is None:
            await self.store.write(
                "MATCH ()-[e]->() WHERE e.run IS NOT NULL AND e.run <> $run DELETE e",
                {"run": self.run},
            )
            return
        await self._each(
            "UNWIND $rows AS ref MATCH (s:Source {ref: ref})-[:OF]->(n)-[e]-() "
            "WHERE e.src = ref AND e.run <> $run DELETE e",
            refs, run=self.run,
        )
        await self._each(
            "UNWIND $rows AS ref MATCH (s:Source {ref: ref})-[e:ADDRESSED_AT]->() "
            "WHERE e.run <> $run DELETE e",
            refs, run=self.run,
        )

    async def source_refs(self, connector: str, record_type: str) -> list[str]:
        rows = await self.store.read(
            "MATCH (s:Source) WHERE s.connector = $c AND s.type = $t RETURN s.ref AS ref",
            {"c": connector, "t": record_type},
        )
        return [row["ref"] for row in rows]

    async def remove_sources(self, refs: Sequence[str]) -> list[str]:
        """Unlink source records that disappeared, with the relations they asserted.
        Returns the entities they were of (which may now have no source)."""
        entities = await self._each(
            "UNWIND $rows AS ref MATCH (s:Source {ref: ref})-[:OF]->(n) "
            "OPTIONAL MATCH (n)-[e]-() WHERE e.src = ref DELETE e "
            "WITH DISTINCT s, n DETACH DELETE s RETURN n.id AS id",
            refs,
        )
        return [row["id"] for row in entities]

    async def remove_orphans(self, ids: Sequence[str]) -> None:
        """Of `ids`, people, events and things that no source describes any more."""
        for kind in ENTITIES_WITHOUT_PLACES:
            await self._each(
                f"UNWIND $rows AS wanted MATCH (n:{kind} {{id: wanted}}) "
                "WHERE NOT (n)<-[:OF]-(:Source) DETACH DELETE n",
                ids,
            )
