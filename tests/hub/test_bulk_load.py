"""An empty graph built by FalkorDB's bulk loader is the graph Cypher CREATE builds."""

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from graph.falkordb_store import FalkorDBStore
from graph.links import LinkGraph
from graph.schema import falkordb_statements
from hub.linking.config import load_linking
from hub.linking.linker import Linker
from hub.linking.report import LinkReport
from hub.linking.run import link
from hub.runtime import Runtime, open_runtime
from hub.settings import Settings
from tests.conftest import STREET_ADMIN, TEST_JWT_SECRET
from tests.support.graph import assert_refs_mirror_sources, graph_contents
from tests.support.hub_process import running_hub


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


class _Interrupted(Exception):
    pass


_stage = Linker._stage


def _cut_before_people(self: Linker, kinds: tuple[str, ...], scanned: list) -> None:
    if "Person" in kinds:
        raise _Interrupted
    _stage(self, kinds, scanned)


async def _cut_short(
    runtime: Runtime, store: FalkorDBStore, monkeypatch: pytest.MonkeyPatch, bulk: bool
) -> None:
    """A first build cut off after its places (Ctrl-C, a department gone)."""
    with monkeypatch.context() as patch:
        patch.setattr(Linker, "_stage", _cut_before_people)
        with pytest.raises(_Interrupted):
            await _link(runtime, store, bulk)


async def _people(store: FalkorDBStore) -> int:
    return (await store.read("MATCH (p:Person) RETURN count(p) AS n"))[0]["n"]


@pytest.mark.parametrize("bulk", [True, False], ids=["bulk", "cypher"])
async def test_an_interrupted_build_is_built_again(
    runtime: Runtime,
    two_graphs: tuple[FalkorDBStore, FalkorDBStore],
    monkeypatch: pytest.MonkeyPatch,
    bulk: bool,
) -> None:
    """A build cut short leaves a graph that holds nodes but not its people: it is never
    taken for a linked graph, and the next full run builds it anew, equal to a build that
    was never cut short."""
    store, clean = two_graphs
    await _cut_short(runtime, store, monkeypatch, bulk)
    links = LinkGraph(store)
    if bulk:  # the bulk load sends its places part on; Cypher's part may have been cancelled
        assert await store.read("MATCH (p:Place) RETURN p.id AS id LIMIT 1")
    assert await _people(store) == 0
    assert await links.unfinished()
    await links.upgrade()  # what every runtime does when it opens: not a linked graph yet
    assert await links.unfinished()

    report = await _link(runtime, store, bulk)
    assert report.bulk_loaded == bulk
    assert await links.unfinished() is None
    await _link(runtime, clean, bulk)
    assert await graph_contents(store) == await graph_contents(clean)


@pytest.fixture
async def cut_short(
    runtime: Runtime,
    link_report: LinkReport,
    two_graphs: tuple[FalkorDBStore, FalkorDBStore],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> tuple[FalkorDBStore, Settings]:
    """A graph whose first build was cut short, and the settings of a hub of its own over it
    (its link runs not in the session's records)."""
    store, _ = two_graphs
    await _cut_short(runtime, store, monkeypatch, bulk=True)
    records = f"sqlite:///{tmp_path / 'hub.sqlite'}"
    return store, replace(runtime.settings, graph_name="bulk-built", database_url=records)


async def test_the_hub_builds_a_cut_short_graph_before_it_answers(
    runtime: Runtime, cut_short: tuple[FalkorDBStore, Settings]
) -> None:
    """`python app.py` over a graph whose first build was cut short (Ctrl-C during the first
    `make run`) builds it again before it answers: it never serves the part."""
    store, settings = cut_short
    with running_hub(settings, TEST_JWT_SECRET) as url:
        answer = httpx.post(f"{url}/graphql", json={"query": "{ people { totalCount } }"},
                            headers=STREET_ADMIN, timeout=30)
    assert answer.json()["data"]["people"]["totalCount"] == await _people(runtime.store) > 0
    assert await _people(store) == await _people(runtime.store)
    assert await LinkGraph(store).unfinished() is None


async def test_a_run_of_changes_over_a_cut_short_build_builds_it_all(
    runtime: Runtime, cut_short: tuple[FalkorDBStore, Settings]
) -> None:
    """`hub link --changed` after a build cut short: what changed since is everything."""
    store, settings = cut_short
    cut = await open_runtime(settings)
    try:
        report = await link(cut, changed_only=True)
    finally:
        await cut.close()
    assert report.bulk_loaded
    assert await _people(store) == await _people(runtime.store)
    assert await LinkGraph(store).unfinished() is None
