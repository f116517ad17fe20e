"""An empty graph built by FalkorDB's bulk loader is the graph Cypher CREATE builds."""

from collections.abc import AsyncIterator

import pytest

from graph.falkordb_store import FalkorDBStore
from graph.schema import falkordb_statements
from hub.linking.config import load_linking
from hub.linking.linker import Linker
from hub.linking.report import LinkReport
from hub.runtime import Runtime
from tests.support.graph import assert_refs_mirror_sources, graph_contents


@pytest.fixture
async def two_graphs(runtime: Runtime) -> AsyncIterator[tuple[FalkorDBStore, FalkorDBStore]]:
    url = runtime.settings.redis_url
    assert url is not None
    stores = (FalkorDBStore(url, "bulk-built"), FalkorDBStore(url, "cypher-built"))
    for store in stores:
        await store.setup(falkordb_statements())
        await store.clear()
    yield stores
    for store in stores:
        await store.clear()
        await store.close()


async def _link(runtime: Runtime, store: FalkorDBStore, bulk: bool) -> LinkReport:
    linker = Linker(runtime.registry, store, runtime.keys, load_linking(), bulk=bulk)
    return await linker.run()


async def test_bulk_load_builds_what_cypher_builds(
    runtime: Runtime, two_graphs: tuple[FalkorDBStore, FalkorDBStore]
) -> None:
    bulk_store, cypher_store = two_graphs
    assert (await _link(runtime, bulk_store, bulk=True)).bulk_loaded
    assert not (await _link(runtime, cypher_store, bulk=False)).bulk_loaded
    bulk_nodes, bulk_edges = await graph_contents(bulk_store)
    cypher_nodes, cypher_edges = await graph_contents(cypher_store)
    assert len(bulk_nodes) > 1000 and len(bulk_edges) > 1000
    assert bulk_nodes == cypher_nodes
    assert bulk_edges == cypher_edges
    await assert_refs_mirror_sources(bulk_store)
    indexes = "CALL db.indexes() YIELD label, properties, status RETURN label, properties, status"
    assert sorted(map(repr, await bulk_store.read(indexes))) == sorted(
        map(repr, await cypher_store.read(indexes))
    )
    model = "MATCH (m:LinkModel) RETURN m.version AS version"
    assert await bulk_store.read(model) == await cypher_store.read(model)


async def test_a_graph_holding_nodes_is_not_rebuilt(
    runtime: Runtime, two_graphs: tuple[FalkorDBStore, FalkorDBStore]
) -> None:
    store, _ = two_graphs
    await store.write("CREATE (:Person {id: 'prs_00000000000000aa'})")
    assert await store.bulk_load() is None
    assert not (await _link(runtime, store, bulk=True)).bulk_loaded
    assert await store.read("MATCH (n:Person {id: 'prs_00000000000000aa'}) RETURN n.id AS id")
