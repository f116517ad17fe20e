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


async def graph_contents(store: GraphStore) -> tuple[dict, list]:
    """Every node (by id, or ref for sources) with its labels and properties, and every edge
    with its type, ends and properties (`run` only as present: each run has its own)."""
    nodes = await store.read(
        "MATCH (n) WHERE NOT n:LinkModel RETURN labels(n) AS labels, properties(n) AS props"
    )
    edges = await store.read(
        "MATCH (a)-[e]->(b) RETURN type(e) AS type, coalesce(a.id, a.ref) AS a, "
        "coalesce(b.id, b.ref) AS b, properties(e) AS props"
    )
    by_key = {row["props"].get("id") or row["props"]["ref"]: (sorted(row["labels"]), row["props"])
              for row in nodes}
    assert len(by_key) == len(nodes), "two nodes share an id or ref"
    listed = [
        (row["type"], row["a"], row["b"],
         sorted({**row["props"], "run": "run" in row["props"]}.items()))
        for row in edges
    ]
    return by_key, sorted(listed, key=repr)


async def places_below(store: GraphStore, place: str) -> set[str]:
    """The place and every place below it, found by walking the LOCATED_IN edges in Python
    (apart from the variable-length patterns the traversals use)."""
    edges = await store.read(
        "MATCH (c:Place)-[:LOCATED_IN]->(p:Place) RETURN c.id AS child, p.id AS parent"
    )
    children: dict[str, list[str]] = {}
    for edge in edges:
        children.setdefault(edge["parent"], []).append(edge["child"])
    below, frontier = {place}, [place]
    while frontier:
        frontier = [c for p in frontier for c in children.get(p, ()) if c not in below]
        below.update(frontier)
    return below


async def residents_below(store: GraphStore, place: str, scope: str) -> set[str]:
    """People living at the place or below it whose jurisdiction lies in `scope`."""
    below = await places_below(store, place)
    rows = await store.read(
        "MATCH (p:Person)-[:LIVES_AT]->(r:Place) RETURN p.id AS id, p.jurisdiction AS j, r.id AS r"
    )
    return {row["id"] for row in rows if row["r"] in below and row["j"].startswith(scope)}
