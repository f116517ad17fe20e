"""Batched, idempotent writes of the link model: every statement is one UNWIND over rows."""

from collections.abc import Iterable, Sequence
from typing import Any

from graph.model import LABELS, Rel
from graph.store import GraphStore

BATCH = 5000


def _chunks(rows: Sequence[dict[str, Any]], size: int = BATCH) -> Iterable[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield list(rows[start : start + size])


def _label(kind: str) -> str:
    if kind not in LABELS:
        raise ValueError(f"not an entity kind: {kind}")
    return kind


class LinkWriter:
    def __init__(self, store: GraphStore) -> None:
        self.store = store

    async def upsert_nodes(self, kind: str, rows: Sequence[dict[str, Any]]) -> None:
        """rows: {id, props: {...}}; props are link metadata only (jurisdiction, keys, level)."""
        statement = f"UNWIND $rows AS r MERGE (n:{_label(kind)} {{id: r.id}}) SET n += r.props"
        for chunk in _chunks(rows):
            await self.store.write(statement, {"rows": chunk})

    async def upsert_sources(self, kind: str, rows: Sequence[dict[str, Any]]) -> None:
        """rows: {ref, connector, type, key, entity}; a ref that moved entity is re-pointed."""
        detach = (
            "UNWIND $rows AS r MATCH (s:Source {ref: r.ref})-[o:OF]->(old) "
            "WHERE old.id <> r.entity DELETE o"
        )
        attach = (
            "UNWIND $rows AS r MERGE (s:Source {ref: r.ref}) "
            "SET s.connector = r.connector, s.type = r.type, s.key = r.key "
            f"WITH s, r MATCH (n:{_label(kind)} {{id: r.entity}}) MERGE (s)-[:OF]->(n)"
        )
        for chunk in _chunks(rows):
            await self.store.write(detach, {"rows": chunk})
            await self.store.write(attach, {"rows": chunk})

    async def upsert_relations(
        self, rel: Rel, source: str, target: str, rows: Sequence[dict[str, Any]]
    ) -> None:
        """rows: {a, b, props}; MERGE keeps re-linking from duplicating edges."""
        statement = (
            f"UNWIND $rows AS r MATCH (a:{_label(source)} {{id: r.a}}) "
            f"MATCH (b:{_label(target)} {{id: r.b}}) "
            f"MERGE (a)-[e:{Rel(rel).value}]->(b) SET e += r.props"
        )
        for chunk in _chunks(rows):
            await self.store.write(statement, {"rows": chunk})

    async def remove_sources_except(self, connector: str, record_type: str, keep: set[str]) -> int:
        """Unlink source records that disappeared; entities left with no source go too."""
        rows = await self.store.read(
            "MATCH (s:Source) WHERE s.connector = $c AND s.type = $t RETURN s.ref AS ref",
            {"c": connector, "t": record_type},
        )
        gone = [row["ref"] for row in rows if row["ref"] not in keep]
        for start in range(0, len(gone), BATCH):
            await self.store.write(
                "UNWIND $refs AS ref MATCH (s:Source {ref: ref}) DETACH DELETE s",
                {"refs": gone[start : start + BATCH]},
            )
        if gone:
            await self.store.write(
                "MATCH (n) WHERE (n:Person OR n:Event OR n:Thing) AND NOT (n)<-[:OF]-(:Source) "
                "DETACH DELETE n"
            )
        return len(gone)
