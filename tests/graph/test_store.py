"""The GraphStore contract and the link model's Cypher, on every engine."""

import asyncio
from collections.abc import Callable

import pytest
from neo4j.exceptions import ClientError
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from graph.falkordb_store import FalkorDBStore
from graph.links import LinkGraph
from graph.model import Rel
from graph.review import candidate, candidates, merge, split
from graph.store import GraphStore
from graph.writer import LinkWriter
from tests.support.graph import assert_refs_mirror_sources

STREET, COMMUNITY, GRID = "330105004", "330105004001", "33010500400101"


async def _small_world(store: GraphStore, fresh: bool = True) -> LinkWriter:
    """A community › grid › building › room, two residents, one event, one owner candidate."""
    writer = LinkWriter(store, run=1, fresh=fresh)
    places = [("plc_c", "community", COMMUNITY), ("plc_g", "grid", GRID),
              ("plc_b", "building", GRID), ("plc_r", "room", GRID)]
    await writer.upsert_nodes(
        "Place", [(i, {"level": lvl, "jurisdiction": j}) for i, lvl, j in places]
    )
    people = [(p, {"jurisdiction": GRID, "idKey": f"k{p}"}) for p in ("prs_a", "prs_b", "prs_c")]
    await writer.upsert_nodes("Person", people)
    await writer.upsert_nodes("Event", [("evt_1", {"jurisdiction": GRID, "at": 100,
                                                   "eventType": "t"})])
    await writer.upsert_sources("Person", [
        (f"d/r/{p}", "d", "r", p, p) for p in ("prs_a", "prs_b", "prs_c")
    ])
    chain = [("plc_g", "plc_c"), ("plc_b", "plc_g"), ("plc_r", "plc_b")]
    await writer.upsert_relations(
        Rel.LOCATED_IN, "Place", "Place", [(a, b, {"src": ""}) for a, b in chain]
    )
    lives = [(p, "plc_r", {"src": f"d/r/{p}"}) for p in ("prs_a", "prs_b")]
    await writer.upsert_relations(Rel.LIVES_AT, "Person", "Place", lives)
    await writer.upsert_relations(
        Rel.OCCURRED_AT, "Event", "Place", [("evt_1", "plc_b", {"src": "e"})]
    )
    await writer.upsert_relations(Rel.CANDIDATE, "Person", "Person", [
        ("prs_c", "prs_a", {"score": 0.7, "evidence": "name+room", "ref": "d/r/prs_c"})
    ])
    return writer


async def test_nodes_carry_their_sources_and_respect_scope(store: GraphStore) -> None:
    await _small_world(store)
    links = LinkGraph(store)
    found = await links.nodes("Person", ["prs_a", "prs_x"], None)
    assert set(found) == {"prs_a"} and found["prs_a"].sources[0].ref == "d/r/prs_a"
    assert await links.nodes("Person", ["prs_a"], ["330106"]) == {}


async def test_rewriting_never_duplicates(store: GraphStore) -> None:
    await _small_world(store)
    await _small_world(store, fresh=False)
    rows = await store.read("MATCH (n) RETURN count(n) AS n")
    edges = await store.read("MATCH ()-[e]->() RETURN count(e) AS n")
    assert rows[0]["n"] == 4 + 3 + 1 + 3  # places, people, event, sources
    await assert_refs_mirror_sources(store)
    assert edges[0]["n"] == 3 + 3 + 2 + 1 + 1  # OF, LOCATED_IN, LIVES_AT, OCCURRED_AT, CANDIDATE


async def test_traversals_page_and_count_in_one_query(store: GraphStore) -> None:
    await _small_world(store)
    links = LinkGraph(store)
    page = await links.traverse_page("place_residents", ["plc_c", "plc_g"], None, 1, 1)
    assert page["plc_c"][1] == 2 and len(page["plc_c"][0]) == 1
    events = await links.traverse_page("place_events", ["plc_c"], None, 10, 0, (50, 150))
    (event,), total = events["plc_c"]
    assert (event.id, event.at, event.event_type, total) == ("evt_1", 100, "t", 1)
    assert (await links.traverse_page("place_events", ["plc_c"], None, 10, 0, (150, None)))[
        "plc_c"
    ] == ([], 0)
    neighbours = await links.traverse("person_neighbours", ["prs_a"], None, 10)
    assert neighbours == {"prs_a": ["prs_b"]}
    assert (await links.traverse("place_residents", ["plc_c"], ["330106"], 10)) == {"plc_c": []}


async def test_stale_relations_and_vanished_sources_go(store: GraphStore) -> None:
    await _small_world(store)
    writer = LinkWriter(store, run=2)
    await writer.upsert_relations(
        Rel.LIVES_AT, "Person", "Place", [("prs_a", "plc_b", {"src": "d/r/prs_a"})]
    )
    await writer.drop_stale_relations(["d/r/prs_a"])
    lives = await LinkGraph(store).traverse("person_residence", ["prs_a", "prs_b"], None, 5)
    assert lives == {"prs_a": ["plc_b"], "prs_b": ["plc_r"]}
    entities = await writer.remove_sources(["d/r/prs_b"])
    await writer.remove_orphans(entities)
    assert await LinkGraph(store).nodes("Person", ["prs_b"], None) == {}
    await assert_refs_mirror_sources(store)


async def test_candidates_split_and_merge(store: GraphStore) -> None:
    await _small_world(store)
    rows, total = await candidates(store, None, 0, 10)
    assert total == 1 and rows[0]["evidence"] == "name+room"
    assert await candidate(store, "d/r/prs_c", "prs_a") is not None
    await merge(store, "d/r/prs_c", "prs_c", "prs_a")
    assert (await candidates(store, None, 0, 10))[1] == 0
    merged = await LinkGraph(store).nodes("Person", ["prs_a", "prs_c"], None)
    assert set(merged) == {"prs_a"} and len(merged["prs_a"].sources) == 2
    await assert_refs_mirror_sources(store)
    await split(store, "d/r/prs_c", "prs_a")  # nothing left to split: no error


async def test_parameters_travel_safely(store: GraphStore) -> None:
    tricky = 'a"b\\c,"id":'
    writer = LinkWriter(store)
    await writer.upsert_nodes("Place", [("plc_q", {"name": tricky, "n": 1.5})])
    rows = await store.read("MATCH (p:Place {id: $id}) RETURN p.name AS name", {"id": "plc_q"})
    assert rows == [{"name": tricky}]


async def test_a_source_that_changed_entity_is_re_pointed(store: GraphStore) -> None:
    await _small_world(store)
    writer = LinkWriter(store, run=2)
    moved = await writer.upsert_sources("Person", [
        ("d/r/prs_b", "d", "r", "prs_b", "prs_a")
    ])
    assert moved == ["prs_b"]
    rows = await store.read("MATCH (:Source {ref: 'd/r/prs_b'})-[:OF]->(p) RETURN p.id AS id")
    assert rows == [{"id": "prs_a"}]
    found = await LinkGraph(store).nodes("Person", ["prs_a", "prs_b"], None)
    assert {ref.ref for ref in found["prs_a"].sources} == {"d/r/prs_a", "d/r/prs_b"}
    assert found["prs_b"].sources == ()
    await assert_refs_mirror_sources(store)


async def test_checkpoint_persists_what_was_written(
    store: GraphStore, reopen: Callable[[str], GraphStore]
) -> None:
    await _small_world(store)
    await store.checkpoint()
    counts = (
        "MATCH (n) WHERE NOT n:LinkModel OPTIONAL MATCH (n)-[e]->() "
        "RETURN count(DISTINCT n) AS nodes, count(e) AS edges"
    )
    other = reopen(store.engine)  # what a restarted hub opens: committed writes only
    try:
        assert await other.read(counts) == [{"nodes": 11, "edges": 10}]
    finally:
        await other.close()
    if isinstance(store, FalkorDBStore):  # Neo4j: every transaction is durable already
        server = Redis.from_url(store.url, decode_responses=True)
        try:
            for _ in range(200):
                info = await server.info("persistence")
                if not info["rdb_bgsave_in_progress"] and not info.get("rdb_saves_pending"):
                    break
                await asyncio.sleep(0.05)
            assert info["rdb_changes_since_last_save"] == 0
            assert info["rdb_last_bgsave_status"] == "ok"
        finally:
            await server.aclose()


async def test_pages_cover_every_node_once_in_a_stable_order(store: GraphStore) -> None:
    writer = LinkWriter(store, run=1, fresh=True)
    people = [(f"prs_{i:04x}{'z' if i % 3 else 'a'}", {"jurisdiction": GRID}) for i in range(40)]
    await writer.upsert_nodes("Person", list(reversed(people)))
    await writer.upsert_sources("Person", [(f"d/r/{p}", "d", "r", p, p) for p, _ in people])
    links = LinkGraph(store)
    pages = [await links.page("Person", [STREET], offset, 7, {}) for offset in range(0, 42, 7)]
    seen = [node.id for nodes, _ in pages for node in nodes]
    assert sorted(seen) == sorted(p for p, _ in people)  # each exactly once
    again = [await links.page("Person", [STREET], offset, 7, {}) for offset in range(0, 42, 7)]
    assert [node.id for nodes, _ in again for node in nodes] == seen
    assert pages[0][1] == 40 and all(n.sources[0].ref == f"d/r/{n.id}" for n in pages[0][0])
    assert (await links.page("Person", ["330106"], 0, 7, {}))[0] == []


async def test_a_graph_of_the_first_link_model_is_upgraded_once(store: GraphStore) -> None:
    """Graphs linked before entities kept their refs: upgrade() fills them, then marks the
    graph so that later start-ups skip the walk."""
    await _small_world(store)
    await store.write("MATCH (n) WHERE n.refs IS NOT NULL REMOVE n.refs")
    links = LinkGraph(store)
    assert (await links.nodes("Person", ["prs_a"], None))["prs_a"].sources == ()
    await links.upgrade()
    assert (await links.nodes("Person", ["prs_a"], None))["prs_a"].sources[0].ref == "d/r/prs_a"
    await assert_refs_mirror_sources(store)
    await store.write("MATCH (n:Person {id: 'prs_b'}) REMOVE n.refs")
    await links.upgrade()  # marked: not walked again
    assert (await links.nodes("Person", ["prs_b"], None))["prs_b"].sources == ()


async def test_scalars_lists_and_maps_come_back_typed(store: GraphStore) -> None:
    rows = await store.read(
        "RETURN 1.5 AS d, true AS t, false AS f, 7 AS i, 'x' AS s, null AS z, "
        "[1, 'a', null, [2.5]] AS l, {a: [1, 'b'], c: {d: false}} AS m"
    )
    assert rows == [{"d": 1.5, "t": True, "f": False, "i": 7, "s": "x", "z": None,
                     "l": [1, "a", None, [2.5]], "m": {"a": [1, "b"], "c": {"d": False}}}]
    assert await store.read("UNWIND [] AS x RETURN x") == []


async def test_nodes_in_a_reply_are_read_too(store: GraphStore) -> None:
    await _small_world(store)
    rows = await store.read("MATCH (p:Person {id: 'prs_a'}) RETURN p, p.id AS id")
    assert rows[0]["id"] == "prs_a" and rows[0]["p"] is not None


async def test_reads_return_every_kind_of_value(store: GraphStore) -> None:
    await _small_world(store)
    rows = await store.read(
        "MATCH (p:Person {id: 'prs_a'}) RETURN p.id AS id, 3 AS n, 2.5 AS x, true AS yes, "
        "false AS no, null AS nothing, [1, 'a', [null, 0.5]] AS items, "
        "{name: '张伟', ages: [1, 2], inner: {ok: true}} AS map, [] AS empty"
    )
    assert rows == [{
        "id": "prs_a", "n": 3, "x": 2.5, "yes": True, "no": False, "nothing": None,
        "items": [1, "a", [None, 0.5]], "map": {"name": "张伟", "ages": [1, 2],
                                                 "inner": {"ok": True}},
        "empty": [],
    }]
    assert isinstance(rows[0]["x"], float) and isinstance(rows[0]["n"], int)
    assert await store.read("MATCH (p:Person {id: 'nobody'}) RETURN p.id AS id") == []


async def test_reads_return_nodes_whole(store: GraphStore) -> None:
    """A read returning graph entities, not plain values, still gets them with properties."""
    await _small_world(store)
    rows = await store.read(
        "MATCH (p:Person {id: 'prs_a'}) RETURN p AS person, p.id AS id, [p] AS people"
    )
    person = rows[0]["person"]
    properties = getattr(person, "properties", None) or dict(person)
    assert properties["id"] == "prs_a" and rows[0]["id"] == "prs_a"
    assert len(rows[0]["people"]) == 1


# What each engine raises for a statement it refuses, and what the error says: the refusal of
# the statement, never a lost connection (GraphUnavailable) or any other failure.
REFUSALS = {
    "falkordb": (ResponseError, "errMsg: Invalid input", "Type mismatch"),
    "neo4j": (ClientError, "Neo.ClientError.Statement.SyntaxError", "Neo.ClientError.Statement."),
}


async def test_a_failing_read_raises_and_the_store_goes_on(store: GraphStore) -> None:
    await _small_world(store)
    kind, syntax, typing = REFUSALS[store.engine]
    bad = (("MATCH (p:Person RETURN p", syntax), ("RETURN toInteger([1]) + 'x' AS bad", typing))
    for cypher, says in bad:
        with pytest.raises(kind) as caught:
            await store.read(cypher)
        said = caught.value.code if isinstance(caught.value, ClientError) else str(caught.value)
        assert said.startswith(says), said
    assert await store.read("RETURN 1 AS one") == [{"one": 1}]
