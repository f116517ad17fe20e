"""N+1 is a bug: source round-trips and graph queries per request stay constant in page size."""

from connectors.base import round_trips
from graph.store import GRAPH_QUERIES
from hub.runtime import Runtime
from tests.conftest import GraphQLClient

QUERY = """query($n: Int!) { people(first: $n) { edges { node {
  id name idNumber careLevel subsidyAmount
  residence { id floors: parent { name } }
  events(first: 5) { id title category status }
} } } }"""


def _graph_queries() -> float:
    return sum(
        s.value for m in GRAPH_QUERIES.collect() for s in m.samples if s.name.endswith("_total")
    )


async def _measure(gql: GraphQLClient, runtime: Runtime, n: int) -> tuple[int, float]:
    await runtime.cache.invalidate()  # cold: every attribute comes from its department
    before_sources, before_graph = round_trips(), _graph_queries()
    result = await gql(QUERY, n=n)
    assert "errors" not in result, result["errors"][:3]
    assert len(result["data"]["people"]["edges"]) == n
    return round_trips() - before_sources, _graph_queries() - before_graph


async def test_round_trips_do_not_grow_with_page_size(gql: GraphQLClient, runtime: Runtime) -> None:
    await gql("{ __typename }")  # the access gate reads the jurisdiction codes once, first
    small = await _measure(gql, runtime, 10)
    large = await _measure(gql, runtime, 300)
    assert large[0] <= small[0] + 2, (
        small,
        large,
    )  # more kinds of records may appear, never per row
    assert large[1] == small[1], (small, large)
    assert large[0] <= 8  # one batched call per (connector, record type) touched


async def test_warm_cache_asks_no_department(gql: GraphQLClient, runtime: Runtime) -> None:
    await _measure(gql, runtime, 50)
    before = round_trips()
    result = await gql(QUERY, n=50)
    assert "errors" not in result
    assert round_trips() == before


async def test_traversals_looked_ahead_add_no_query(gql: GraphQLClient, runtime: Runtime) -> None:
    """The look-ahead (resolvers.prefetch) loads what the resolvers then read: one graph query
    per traversal, which brings its nodes, exactly as without it, with `first` literal or
    variable."""
    query = """query($k: Int!) { people(first: 20) { edges { node { id
      events(first: $k) { id title } household(first: 3) { id } residence { id }
    } } } }"""
    await runtime.cache.invalidate()
    before = _graph_queries()
    result = await gql(query, k=2)
    assert "errors" not in result, result["errors"][:3]
    people = [e["node"] for e in result["data"]["people"]["edges"]]
    assert any(p["events"] for p in people) and any(p["residence"] for p in people)
    # the page; the events, household and residence traversals, each with its nodes
    assert _graph_queries() - before == 4


async def test_aliases_and_levels_of_one_traversal_each_get_what_they_select(
    gql: GraphQLClient,
) -> None:
    """Two fields following the same traversal with the same page size (aliases, or a person
    reached again one level down) are looked ahead together but answer each with its own
    selection: neither gets the other's objects without its attributes."""
    both = await gql("""{ people(first: 30) { edges { node { id
      a: events(first: 2) { id title } b: events(first: 2) { id category }
      household(first: 5) { id events(first: 2) { id eventType } } } } } }""")
    alone_a = await gql(
        "{ people(first: 30) { edges { node { a: events(first: 2) { id title } } } } }"
    )
    alone_b = await gql(
        "{ people(first: 30) { edges { node { b: events(first: 2) { id category } } } } }"
    )
    nodes = [edge["node"] for edge in both["data"]["people"]["edges"]]
    assert [n["a"] for n in nodes] == [e["node"]["a"] for e in alone_a["data"]["people"]["edges"]]
    assert [n["b"] for n in nodes] == [e["node"]["b"] for e in alone_b["data"]["people"]["edges"]]
    assert any(event["title"] for n in nodes for event in n["a"])
    members = [m for n in nodes for m in n["household"] if m["events"]]
    assert members and all(e["eventType"] for m in members for e in m["events"])
