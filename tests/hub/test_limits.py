"""What one request may ask (hub/limits.toml): refused before execution, in milliseconds, with a
code, the limit and the value; higher limits for trusted roles; answers and kept answers
bounded; store calls shared out (the cases attackers found, issue 15)."""

import asyncio
import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from graphql import get_introspection_query
from prometheus_client import REGISTRY

from graph.falkordb_store import FalkorDBStore
from hub import embedded
from hub.errors import ConfigError
from hub.limits import LimitBook, Pool, load
from hub.runtime import Runtime
from resolvers.context import Context
from resolvers.schema import build_schema
from tests.conftest import DEMO_STREET, bearer

GRID_WORKER = bearer("grid_worker", DEMO_STREET + "001", "grid")


async def post(client: httpx.AsyncClient, query: str, headers: dict[str, str] | None = None,
               **body: object) -> httpx.Response:
    return await client.post("/graphql", json={"query": query, **body}, headers=headers or {})


def refused(response: httpx.Response, limit: str) -> dict[str, object]:
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX", error
    assert error["extensions"]["limit"] == limit and limit in error["message"], error
    return error  # type: ignore[no-any-return]


@pytest.fixture
def limits(runtime: Runtime) -> Iterator[LimitBook]:
    """The session's limits, put back after a test changes them."""
    saved, keep = runtime.limits, runtime.answers.keep_bytes
    yield saved
    runtime.limits, runtime.answers.keep_bytes = saved, keep


def nested_places(levels: int) -> str:
    inner = "name"
    for _ in range(levels // 2):
        inner = f"children {{ parent {{ {inner} }} }}"
    return f"{{ places(first: 1) {{ edges {{ node {{ {inner} }} }} }} }}"


async def test_children_and_parent_nested_14_levels_is_refused_at_once(
    client: httpx.AsyncClient,
) -> None:
    started = time.perf_counter()
    response = await post(client, nested_places(14))
    assert time.perf_counter() - started < 0.5
    assert refused(response, "cost")["extensions"]["value"] > 10**14  # type: ignore[index]
    error = refused(await post(client, nested_places(18)), "depth")
    assert "exceeds the limit of 20 for your role" in str(error["message"])


async def test_many_tokens_directives_and_aliases_are_refused_before_parsing(
    client: httpx.AsyncClient,
) -> None:
    typenames = "{" + " __typename" * 20_000 + "}"  # 220 kB: the street office may send it
    started = time.perf_counter()
    refused(await post(client, typenames), "tokens")
    assert time.perf_counter() - started < 0.2
    skips = "{ " + " ".join(["__typename @skip(if: false)"] * 300) + " }"
    refused(await post(client, skips), "directives")
    wide = "{ " + " ".join(f"a{n}: people(first: 20) {{ totalCount }}" for n in range(1000))
    refused(await post(client, wide + " }"), "tokens")  # 1,000 aliases: 9,000 tokens
    aliases = "{ " + " ".join(f"a{n}: people(first: 20) {{ totalCount }}" for n in range(150))
    refused(await post(client, aliases + " }"), "aliases")


async def test_anonymous_callers_have_the_lowest_limits(client: httpx.AsyncClient) -> None:
    anonymous = {"Authorization": ""}
    skips = "{ " + " ".join(["__typename @skip(if: false)"] * 20) + " }"
    refused(await post(client, skips, anonymous), "directives")
    assert (await post(client, skips)).status_code == 200  # the street office may
    pages = "{ people(first: 1000) { edges { node { events(first: 100) { id } } } } }"
    refused(await post(client, pages, anonymous), "cost")
    refused(await post(client, pages, GRID_WORKER), "cost")
    assert (await post(client, pages)).json()["data"]["people"] is not None


async def test_the_cost_counts_page_sizes_down_the_tree_variables_and_fragments_too(
    client: httpx.AsyncClient,
) -> None:
    query = """query($n: Int!) { people(first: $n) { edges { node { ...P } } } }
               fragment P on Person { household { events(first: 50) { id } } }"""
    # 1000 people x 20 household members (its default page) x 50 events
    refused(await post(client, query, variables={"n": 1000}), "cost")
    assert "errors" not in (await post(client, query, variables={"n": 2})).json()


async def test_fragments_spread_twice_over_cost_a_walk_not_an_explosion(
    client: httpx.AsyncClient,
) -> None:
    fragments = [f"fragment F{n} on Query {{ ...F{n + 1} ...F{n + 1} }}" for n in range(30)]
    query = "{ ...F0 } " + " ".join(fragments) + " fragment F30 on Query { __typename }"
    started = time.perf_counter()
    response = await post(client, query)
    assert time.perf_counter() - started < 0.5
    assert response.json()["errors"], response.text  # 2^30 __typename: refused
    cycle = "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }"
    answer = (await post(client, cycle)).json()
    assert answer["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_two_operations_without_an_operation_name_are_a_bad_request(
    client: httpx.AsyncClient,
) -> None:
    two = "query A { people(first: 1) { totalCount } } mutation B { __typename }"
    response = await post(client, two)
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    named = await post(client, two, operationName="A")
    assert named.status_code == 200 and named.json()["data"]["people"]["totalCount"] > 0


async def test_limits_come_from_a_settings_file(tmp_path: Path) -> None:
    text = (Path(load.__code__.co_filename).with_name("limits.toml")).read_text()
    custom = tmp_path / "limits.toml"
    custom.write_text(text.replace("[roles.police]", "[roles.police]\ndepth = 3"))
    book = load(custom)
    from hub.access.principal import Principal

    police = Principal("p", ("police",), (DEMO_STREET,))
    assert book.of(police).depth == 3 and load().of(police).depth == 15
    both = Principal("p", ("police", "street_admin"), (DEMO_STREET,))
    assert book.of(both).depth == 20  # the higher of its roles'
    custom.write_text(text.replace("depth = 15", "depht = 15", 1))
    with pytest.raises(ConfigError, match="depht"):
        load(custom)


async def test_an_answer_over_the_ceiling_is_refused_and_a_large_one_not_kept(
    client: httpx.AsyncClient, runtime: Runtime, limits: LimitBook
) -> None:
    office = limits.roles["street_admin"]
    small = dataclasses.replace(office, answer_bytes=5_000)
    runtime.limits = dataclasses.replace(limits, roles={**limits.roles, "street_admin": small})
    page = "{ people(first: 200) { edges { node { id name } } } }"
    answer = (await post(client, page)).json()
    assert answer["data"] is None
    assert answer["errors"][0]["extensions"]["code"] == "ANSWER_TOO_LARGE"
    runtime.limits = limits
    runtime.settings = dataclasses.replace(runtime.settings, answer_cache_seconds=30)
    try:
        runtime.answers.keep_bytes = 2_000
        before = _count("hub_answer_cache_total", result="too_large")
        kept = page.replace("200", "150")  # not asked before: not kept before
        assert (await post(client, kept)).json()["data"]["people"]
        assert _count("hub_answer_cache_total", result="too_large") == before + 1
    finally:
        runtime.settings = dataclasses.replace(runtime.settings, answer_cache_seconds=0)


async def test_a_full_pool_waits_for_a_connection_instead_of_failing(
    falkordb: embedded.EmbeddedFalkorDB, link_report: object
) -> None:
    store = FalkorDBStore(falkordb.url, "test", Pool(connections=2, wait_seconds=10))
    try:
        rows = await asyncio.gather(*(store.read("RETURN $n AS n", {"n": n}) for n in range(60)))
    finally:
        await store.close()
    assert [r[0]["n"] for r in rows] == list(range(60))


async def test_one_request_takes_only_its_share_of_store_calls(
    client: httpx.AsyncClient, runtime: Runtime, limits: LimitBook
) -> None:
    """Ten aliased pages in a request: no more than its share of graph calls under way at
    once; twenty such requests at once all answer."""
    graph, under_way, most = runtime.store._graph, [0], [0]  # type: ignore[attr-defined]
    run = graph.execute_command

    async def counted(*args: object) -> object:
        under_way[0] += 1
        most[0] = max(most[0], under_way[0])
        try:
            return await run(*args)
        finally:
            under_way[0] -= 1

    pages = "{ " + " ".join(
        f"p{n}: places(first: {n + 1}) {{ totalCount edges {{ node {{ id }} }} }}"
        for n in range(10)) + " }"
    graph.execute_command = counted
    try:
        runtime.limits = dataclasses.replace(limits, pool=dataclasses.replace(
            limits.pool, per_request=2))
        alone = await post(client, pages)
        assert "errors" not in alone.json() and most[0] <= 2, (alone.text, most)
        answers = await asyncio.gather(*(post(client, pages) for _ in range(20)))
    finally:
        graph.execute_command = run
    assert all("errors" not in a.json() for a in answers)


def _count(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_graphiql_introspection_fits_an_anonymous_caller(client: httpx.AsyncClient) -> None:
    query = get_introspection_query(descriptions=True, specified_by_url=True,
                                    directive_is_repeatable=True, schema_description=True,
                                    input_value_deprecation=True, one_of=True)
    answer = await post(client, query, {"Authorization": ""})
    assert answer.status_code == 200 and answer.json()["data"]["__schema"]["types"]


async def test_operations_not_over_http_are_held_to_the_same_limits(runtime: Runtime) -> None:
    schema = build_schema()
    result = await schema.execute(nested_places(14), context_value=Context.for_request(runtime))
    assert result.errors and result.errors[0].extensions["code"] == "QUERY_TOO_COMPLEX"
