"""FalkorDB's bulk loader: values of every type, edges by key or internal id, many commands."""

from collections.abc import AsyncIterator
from itertools import pairwise

import pytest
from redis import Redis

from graph.bulk import BulkError, BulkLoad, row_bytes, value_bytes
from graph.falkordb_store import FalkorDBStore
from graph.schema import falkordb_statements
from hub import embedded
from hub.errors import GraphUnavailable


@pytest.fixture
async def empty(falkordb: embedded.EmbeddedFalkorDB) -> AsyncIterator[FalkorDBStore]:
    store = FalkorDBStore(falkordb.url, "bulk_suite")
    await store.setup(falkordb_statements())
    await store.clear()
    yield store
    await store.clear()
    await store.close()


async def test_values_of_every_type_arrive_as_written(empty: FalkorDBStore) -> None:
    load = await empty.bulk_load()
    assert load is not None
    values = ["住宅小区", 42, -7.5, True, ["a/b/1", "c/d/2"], None]
    load.nodes(
        "Place",
        ("id", "s", "i", "f", "b", "l", "n"),
        [["plc_1", *values], ["plc_2", "二", 0, 0.0, False, [], None]],
        ["plc_1", "plc_2"],
    )
    written = load.edges(
        "LOCATED_IN", ("src",), [("plc_1", "plc_2", "x"), ("plc_1", "plc_unknown", "y")], tail=()
    )
    assert written == 1
    await empty.bulk_done(load)
    rows = await empty.read(
        "MATCH (p:Place {id: 'plc_1'})-[e:LOCATED_IN]->(q) "
        "RETURN p.s AS s, p.i AS i, p.f AS f, p.b AS b, p.l AS l, keys(p) AS keys, "
        "e.src AS src, q.id AS q"
    )
    assert rows == [
        {
            "s": "住宅小区",
            "i": 42,
            "f": -7.5,
            "b": True,
            "l": ["a/b/1", "c/d/2"],
            "keys": ["id", "s", "i", "f", "b", "l"],
            "src": "x",
            "q": "plc_2",
        }
    ]
    plan = await empty.read("CALL db.indexes() YIELD label, status RETURN label, status")
    assert {row["label"] for row in plan} >= {"Person", "Place", "Source"}
    assert {row["status"] for row in plan} == {"OPERATIONAL"}


async def test_many_commands_number_nodes_in_order(falkordb: embedded.EmbeddedFalkorDB) -> None:
    store = FalkorDBStore(falkordb.url, "bulk_many")
    await store.setup(falkordb_statements())
    await store.clear()
    try:
        load = await store.bulk_load()
        assert load is not None
        load.command_bytes = 2000  # a command every few dozen nodes
        people = [f"prs_{n:016x}" for n in range(500)]
        load.nodes("Person", ("id",), [[p] for p in people], people)
        first = load.next_id
        load.nodes("Source", ("ref",), [[f"police/resident/{n}"] for n in range(500)], [None] * 500)
        load.edges("OF", (), [(first + n, p) for n, p in enumerate(people)])
        load.edges(
            "RELATED_TO",
            ("relation", "run"),
            [(a, b, "household") for a, b in pairwise(people)],
            tail=(7,),
        )
        await store.bulk_done(load)
        assert load.created == load.sent == [1000, 999]
        rows = await store.read(
            "MATCH (s:Source)-[:OF]->(p:Person) RETURN s.ref AS ref, p.id AS id"
        )
        assert sorted((r["ref"], r["id"]) for r in rows) == sorted(
            (f"police/resident/{n}", p) for n, p in enumerate(people)
        )
        chain = await store.read(
            "MATCH (a:Person {id: $a})-[e:RELATED_TO]->(b) RETURN b.id AS b, e.relation AS r, e.run AS run",
            {"a": people[10]},
        )
        assert chain == [{"b": people[11], "r": "household", "run": 7}]
    finally:
        await store.clear()
        await store.close()


def test_rows_of_text_encode_as_value_by_value() -> None:
    rows = [
        ["prs_1", "310101", None, ["a/b/1", "居委会/记录/2"]],
        ["", None, [], ["x"] * 200],
        ["门牌3幢", 1_700_000_000, 2.5, True, ["a", 1]],
        [[["nested"]], None],
        [],
    ]
    for row in rows:
        assert row_bytes(row) == b"".join(value_bytes(v) for v in row)
    for row in (["a", "b\x00c"], [["ok", "bad\x00"]], [None, "\x00"]):
        with pytest.raises(BulkError, match="NUL"):
            row_bytes(row)


async def test_values_without_a_graph_form_are_refused(empty: FalkorDBStore) -> None:
    with pytest.raises(BulkError, match="NUL"):
        value_bytes("a\x00b")
    with pytest.raises(BulkError, match="dict"):
        value_bytes({"a": 1})
    load = await empty.bulk_load()
    assert load is not None
    with pytest.raises(BulkError, match="2 values for 1 properties"):
        load.nodes("Person", ("id",), [["prs_1", "x"]], ["prs_1"])
    with pytest.raises(BulkError, match="0 values for 1 properties"):
        load.edges("OF", ("src",), [("prs_1", "prs_1")])


async def test_a_second_begin_is_refused(
    empty: FalkorDBStore, falkordb: embedded.EmbeddedFalkorDB
) -> None:
    load = await empty.bulk_load()
    assert load is not None
    load.nodes("Person", ("id",), [["prs_1"]], ["prs_1"])
    await empty.bulk_done(load)
    assert await empty.bulk_load() is None  # the graph holds a node now
    redis = Redis.from_url(falkordb.url)
    again = BulkLoad(redis, "bulk_suite")
    again.nodes("Person", ("id",), [["prs_2"]], ["prs_2"])
    with pytest.raises(Exception, match=r"(?i)exist"):
        again.close()
    redis.close()


def test_a_graph_that_cannot_be_reached_is_named() -> None:
    load = BulkLoad(Redis(port=embedded.free_port(), socket_connect_timeout=1), "unreachable")
    load.nodes("Person", ("id",), [["prs_1"]], ["prs_1"])
    with pytest.raises(GraphUnavailable, match=r"link graph \(falkordb\) is unavailable") as caught:
        load.close()
    assert (caught.value.detail or "").startswith("graph unreachable: ")  # in the log


async def test_a_server_refusing_the_bulk_loader_gets_cypher(
    falkordb: embedded.EmbeddedFalkorDB,
) -> None:
    admin = Redis.from_url(falkordb.url)
    admin.execute_command(
        "ACL", "SETUSER", "no_bulk", "on", "nopass", "~*", "&*", "+@all", "-graph.bulk"
    )
    store = FalkorDBStore(f"redis://no_bulk@127.0.0.1:{falkordb.port}", "bulk_refused")
    try:
        await store.setup(falkordb_statements())
        await store.clear()
        assert await store.bulk_load() is None
        await store.write("CREATE (:Person {id: 'prs_1'})")  # Cypher still writes
        assert await store.read("MATCH (n:Person) RETURN n.id AS id") == [{"id": "prs_1"}]
    finally:
        await store.clear()
        await store.close()
        admin.execute_command("ACL", "DELUSER", "no_bulk")
        admin.close()
