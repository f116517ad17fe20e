"""Checks on the link graph shared by the graph and linking tests."""

from graph.store import GraphStore


async def assert_refs_mirror_sources(store: GraphStore) -> None:
    """Every entity's `refs` lists exactly the Source nodes OF it."""
    rows = await store.read(
        "MATCH (n) WHERE n.refs IS NOT NULL OR (n)<-[:OF]-(:Source) "
        "RETURN n.id AS id, n.refs AS refs, [(s:Source)-[:OF]->(n) | s.ref] AS truth"
    )
    wrong = [row for row in rows if sorted(row["refs"] or []) != sorted(row["truth"])]
    assert rows and not wrong, wrong[:5]
