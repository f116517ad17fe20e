"""Batched, idempotent writes of the link model: every statement is one UNWIND over rows.

Rows travel as lists, not maps (`r[0]`, not `r.id`): less to encode and for the server to
parse. On a fresh graph, node and relation properties become columns of the row and are set
in the CREATE itself (a null column sets nothing); otherwise a map is merged with `+=`, which
keeps what earlier runs wrote.

Relations carry `src` (the source record that asserted them) and `run` (the linking run that
last wrote them), so a later run can remove exactly what a record no longer asserts.
"""

import asyncio
import re
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from graph.model import LABELS, Rel
from graph.store import GraphStore

BATCH = 5000
IN_FLIGHT = 3  # statements sent ahead: the server runs one while the next is being encoded
ENTITIES_WITHOUT_PLACES = ("Person", "Event", "Thing")
_PROPERTY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

NodeRow = tuple[str, dict[str, Any]]  # (id, props)
SourceRow = tuple[str, str, str, str, str]  # (ref, connector, type, key, entity)
RelationRow = tuple[str, str, dict[str, Any]]  # (a id, b id, props)


def _chunks(rows: Sequence[Any], size: int = BATCH) -> Iterable[list[Any]]:
    for start in range(0, len(rows), size):
        yield list(rows[start : start + size])


def property_names(props: Iterable[dict[str, Any]]) -> list[str]:
    """The property names in `props`, sorted; they come from our code, checked anyway since
    they are written into statements."""
    names = sorted({name for p in props for name in p})
    for name in names:
        if not _PROPERTY.match(name):
            raise ValueError(f"not a property name: {name!r}")
    return names


def _columns(props: Iterable[dict[str, Any]], first: int) -> tuple[list[str], str]:
    """The property names in `props` and their Cypher map `{name: r[first], …}`."""
    names = property_names(props)
    return names, ", ".join(f"{n}: r[{first + i}]" for i, n in enumerate(names))


def _by_entity(rows: Sequence[SourceRow]) -> list[tuple[str, list[str], list[Sequence[str]]]]:
    """(entity, its refs, its source rows) for each entity the rows name."""
    grouped: dict[str, list[SourceRow]] = {}
    for row in rows:
        grouped.setdefault(row[4], []).append(row)
    return [(entity, [r[0] for r in group], [r[:4] for r in group])
            for entity, group in grouped.items()]


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

    async def upsert_nodes(self, kind: str, rows: Sequence[NodeRow]) -> None:
        """rows: (id, props); props are link metadata only (jurisdiction, keys, level)."""
        label = _label(kind)
        if not self.fresh:
            statement = f"UNWIND $rows AS r MERGE (n:{label} {{id: r[0]}}) SET n += r[1]"
            await self._each(statement, rows)
            return
        names, columns = _columns((props for _, props in rows), 1)
        table = [[node, *[props.get(n) for n in names]] for node, props in rows]
        await self._each(f"UNWIND $rows AS r CREATE (n:{label} {{id: r[0]{', ' if names else ''}"
                         f"{columns}}})", table)

    async def upsert_sources(
        self, kind: str, rows: Sequence[SourceRow], refs_written: Collection[str] = ()
    ) -> list[str]:
        """rows: (ref, connector, type, key, entity); a ref that moved entity is re-pointed.
        Returns the ids of entities a ref moved away from (they may now have no source).

        Each entity keeps its refs in `refs` as well, so that reading entities never walks to
        their Source nodes (six times the cost of the node's own fields). On a fresh graph the
        entities in `refs_written` were created with theirs (`upsert_nodes`); the others get
        them here, rows grouped by entity so that a statement sets each entity's `refs` once."""
        label = _label(kind)
        if self.fresh:
            created = [row for row in rows if row[4] in refs_written]
            await self._each(
                f"UNWIND $rows AS r MATCH (n:{label} {{id: r[4]}}) "
                "CREATE (s:Source {ref: r[0], connector: r[1], type: r[2], key: r[3]})-[:OF]->(n)",
                created,
            )
            await self._each(
                f"UNWIND $rows AS r MATCH (n:{label} {{id: r[0]}}) "
                "SET n.refs = coalesce(n.refs, []) + r[1] WITH n, r UNWIND r[2] AS x "
                "CREATE (s:Source {ref: x[0], connector: x[1], type: x[2], key: x[3]})-[:OF]->(n)",
                _by_entity([row for row in rows if row[4] not in refs_written]),
            )
            return []
        detach = (  # with what the ref asserted of the entity it leaves (an old owner's flat)
            "UNWIND $rows AS r MATCH (s:Source {ref: r[0]})-[o:OF]->(old) "
            "WHERE old.id <> r[4] "
            "OPTIONAL MATCH (old)-[e]-() WHERE e.src = r[0] AND e.run <> $run DELETE e "
            "WITH DISTINCT o, old, r DELETE o "
            "RETURN old.id AS id, labels(old)[0] AS label, r[0] AS ref"
        )
        detached = await self._each(detach, rows, run=self.run)
        await self._forget_refs(detached)
        attach = (
            f"UNWIND $rows AS r MATCH (n:{label} {{id: r[4]}}) "
            "MERGE (s:Source {ref: r[0]}) "
            "SET s.connector = r[1], s.type = r[2], s.key = r[3] "
            "MERGE (s)-[:OF]->(n)"
        )
        await self._each(attach, rows)
        await self._each(  # a re-link changes few: only those are written
            f"UNWIND $rows AS r MATCH (n:{label} {{id: r[0]}}) "
            "WHERE n.refs IS NULL OR any(x IN r[1] WHERE NOT x IN n.refs) "
            "SET n.refs = [x IN coalesce(n.refs, []) WHERE NOT x IN r[1]] + r[1]",
            [(entity, refs) for entity, refs, _ in _by_entity(rows)],
        )
        return [row["id"] for row in detached]

    async def add_refs(self, kind: str, rows: Sequence[tuple[str, list[str]]]) -> None:
        """rows: (entity, refs) to add to the entity's `refs`."""
        await self._each(
            f"UNWIND $rows AS r MATCH (n:{_label(kind)} {{id: r[0]}}) "
            "SET n.refs = coalesce(n.refs, []) + r[1]",
            rows,
        )

    async def _forget_refs(self, rows: Sequence[dict[str, Any]]) -> None:
        """rows: {id, label, ref} of source refs that no longer point at entity `id`."""
        gone: dict[tuple[str, str], list[str]] = {}
        for row in rows:
            gone.setdefault((row["label"], row["id"]), []).append(row["ref"])
        for label in {label for label, _ in gone}:
            await self._each(
                f"UNWIND $rows AS r MATCH (n:{_label(label)} {{id: r[0]}}) "
                "SET n.refs = [x IN coalesce(n.refs, []) WHERE NOT x IN r[1]]",
                [(i, refs) for (lab, i), refs in gone.items() if lab == label],
            )

    async def upsert_relations(
        self, rel: Rel, source: str, target: str, rows: Sequence[RelationRow]
    ) -> None:
        """rows: (a, b, props); MERGE keeps re-linking from duplicating edges."""
        ends = (f"UNWIND $rows AS r MATCH (a:{_label(source)} {{id: r[0]}}) "
                f"MATCH (b:{_label(target)} {{id: r[1]}}) ")
        if not self.fresh:
            statement = f"{ends}MERGE (a)-[e:{Rel(rel).value}]->(b) SET e += r[2], e.run = $run"
            await self._each(statement, rows, run=self.run)
            return
        names, columns = _columns((props for _, _, props in rows), 2)
        table = [[a, b, *[props.get(n) for n in names]] for a, b, props in rows]
        props = f"{columns}{', ' if names else ''}run: $run"
        statement = f"{ends}CREATE (a)-[e:{Rel(rel).value} {{{props}}}]->(b)"
        await self._each(statement, table, run=self.run)

    async def upsert_addressed(self, rows: Sequence[tuple[str, str]]) -> None:
        """rows: (ref, place): the place a source record's address names."""
        statement = (
            "UNWIND $rows AS r MATCH (s:Source {ref: r[0]}) MATCH (p:Place {id: r[1]}) "
            f"{'CREATE' if self.fresh else 'MERGE'} (s)-[e:ADDRESSED_AT]->(p) "
            "SET e.src = r[0], e.run = $run"
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
            "WITH DISTINCT ref, s, n DETACH DELETE s "
            "RETURN n.id AS id, labels(n)[0] AS label, ref",
            refs,
        )
        await self._forget_refs(entities)
        return [row["id"] for row in entities]

    async def remove_orphans(self, ids: Sequence[str]) -> None:
        """Of `ids`, people, events and things that no source describes any more."""
        for kind in ENTITIES_WITHOUT_PLACES:
            await self._each(
                f"UNWIND $rows AS wanted MATCH (n:{kind} {{id: wanted}}) "
                "WHERE NOT (n)<-[:OF]-(:Source) DETACH DELETE n",
                ids,
            )
