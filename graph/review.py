"""Candidate pairs in the graph: listing them for review, and applying a reviewer's decision.

A candidate is `(a:Person)-[:CANDIDATE {score, evidence, ref}]->(b:Person)`: the record `ref`
became person `a` because the evidence that it is `b` fell short of the merge threshold.
"""

from collections.abc import Sequence
from typing import Any

from graph.links import IN_SCOPE
from graph.model import Rel
from graph.store import GraphStore, Row

# Relations a person's own records assert, moved to the other person on a confirmed merge.
_OUT = (Rel.LIVES_AT, Rel.REGISTERED_AT, Rel.OWNS, Rel.RELATED_TO, Rel.MEMBER_OF)
_IN = (Rel.INVOLVES, Rel.RELATED_TO)


async def candidates(
    store: GraphStore, scope: Sequence[str] | None, offset: int, limit: int
) -> tuple[list[Row], int]:
    """Candidate pairs in scope (by the held-apart person's jurisdiction), best first."""
    match = f"MATCH (a:Person)-[c:CANDIDATE]->(b:Person) WHERE {IN_SCOPE.format(var='a')}"
    params: dict[str, Any] = {"scope": None if scope is None else list(scope)}
    total = await store.read(f"{match} RETURN count(c) AS total", params)
    rows = await store.read(
        f"{match} RETURN a.id AS a, b.id AS b, c.score AS score, c.evidence AS evidence, "
        "c.ref AS ref ORDER BY c.score DESC, c.ref, b.id SKIP $offset LIMIT $limit",
        params | {"offset": offset, "limit": limit},
    )
    return rows, int(total[0]["total"]) if total else 0


async def candidate(store: GraphStore, ref: str, person: str) -> Row | None:
    rows = await store.read(
        "MATCH (a:Person)-[c:CANDIDATE]->(b:Person {id: $b}) WHERE c.ref = $ref "
        "RETURN a.id AS a, b.id AS b, c.score AS score, a.jurisdiction AS jurisdiction",
        {"ref": ref, "b": person},
    )
    return rows[0] if rows else None


async def split(store: GraphStore, ref: str, person: str) -> None:
    """They are two people: the candidate pair goes, both people stay as they are."""
    await store.write(
        "MATCH (:Person)-[c:CANDIDATE]->(:Person {id: $b}) WHERE c.ref = $ref DELETE c",
        {"ref": ref, "b": person},
    )


async def merge(store: GraphStore, ref: str, a: str, b: str) -> None:
    """The record `ref` (now person `a`) is person `b`: its source and relations move to `b`;
    `a` goes when no other record describes it."""
    params = {"ref": ref, "a": a, "b": b}
    await store.write(
        "MATCH (s:Source {ref: $ref})-[o:OF]->(a:Person {id: $a}) MATCH (b:Person {id: $b}) "
        "DELETE o MERGE (s)-[:OF]->(b) "
        "SET a.refs = [x IN coalesce(a.refs, []) WHERE x <> $ref], "
        "b.refs = [x IN coalesce(b.refs, []) WHERE x <> $ref] + $ref",
        params,
    )
    for rel in _OUT:
        await store.write(
            f"MATCH (a:Person {{id: $a}})-[e:{rel.value}]->(x) WHERE e.src = $ref "
            f"MATCH (b:Person {{id: $b}}) MERGE (b)-[f:{rel.value}]->(x) "
            "SET f.src = e.src, f.run = e.run DELETE e",
            params,
        )
    for rel in _IN:
        await store.write(
            f"MATCH (x)-[e:{rel.value}]->(a:Person {{id: $a}}) WHERE NOT (a)<-[:OF]-(:Source) "
            f"MATCH (b:Person {{id: $b}}) MERGE (x)-[f:{rel.value}]->(b) "
            "SET f.src = e.src, f.run = e.run DELETE e",
            params,
        )
    await split(store, ref, b)
    await store.write(
        "MATCH (a:Person {id: $a}) WHERE NOT (a)<-[:OF]-(:Source) DETACH DELETE a", params
    )
