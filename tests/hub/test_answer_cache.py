"""Kept answers: asked again by the same caller, answered without the graph or the departments;
per caller, logged like the first, retired when the data changes, never for other operations."""

import dataclasses
from collections.abc import Iterator

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import select

from hub.answers import PREFIX, data_changed
from hub.audit.table import AccessEntry
from hub.runtime import Runtime
from tests.conftest import DEMO_STREET, GraphQLClient, bearer

DEPARTMENTS = ("police", "civil", "urban")
EVERY = """{ ttlEvery: people(first: 3) { edges { node { name careLevel } } }
  cases: events(first: 3, filter: {eventType: "urban_case"}) { edges { node { status } } } }"""
PEOPLE = """{ people(first: 5) { totalCount edges { node {
  id name phone careLevel events(first: 2) { id title } } } } }"""


def _count(name: str, **labels: str) -> float:
    return sum(
        sample.value
        for metric in REGISTRY.collect()
        for sample in metric.samples
        if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items())
    )


def _work() -> tuple[float, float]:
    """Graph queries and department round-trips made so far."""
    return _count("hub_graph_queries_total"), _count("hub_connector_requests_total")


async def _last_entries(runtime: Runtime, n: int) -> list[AccessEntry]:
    async with runtime.sessions() as session:
        rows = await session.scalars(select(AccessEntry).order_by(AccessEntry.seq.desc()).limit(n))
        return list(rows)


async def test_the_same_question_is_answered_again_without_graph_or_departments(
    gql: GraphQLClient, runtime: Runtime
) -> None:
    await runtime.cache.invalidate()
    first = await gql(PEOPLE)
    work, hits = _work(), _count("hub_answer_cache_total", result="hit")
    again = await gql(PEOPLE)
    assert again == first and first["data"]["people"]["edges"]
    assert _work() == work
    assert _count("hub_answer_cache_total", result="hit") == hits + 1
    logged = await _last_entries(runtime, 2)
    assert logged[0].entities == logged[1].entities and logged[0].fields == logged[1].fields
    assert '"Person.phone":"allow"' in logged[0].fields and logged[0].entities.count("prs_") >= 5


async def test_kept_answers_belong_to_their_caller(gql: GraphQLClient, runtime: Runtime) -> None:
    await data_changed(runtime.redis)
    office = await gql(PEOPLE)
    person = next(e["node"]["id"] for e in office["data"]["people"]["edges"])
    found = (await gql(f'{{ person(id: "{person}") {{ jurisdiction }} }}'))["data"]["person"]
    worker = gql.as_(bearer("grid_worker", found["jurisdiction"], "grid-worker"))
    theirs = await worker(PEOPLE)
    office_total = office["data"]["people"]["totalCount"]
    assert theirs["data"]["people"]["totalCount"] < office_total
    resident = gql.as_(bearer("resident", DEMO_STREET, person))
    assert (await resident(PEOPLE))["data"] != office["data"]


async def test_a_data_change_retires_every_kept_answer(
    gql: GraphQLClient, runtime: Runtime
) -> None:
    await gql(PEOPLE)
    await gql(PEOPLE)
    work = _work()
    await data_changed(runtime.redis)  # what a linking run and a review decision do
    await gql(PEOPLE)
    assert _work()[0] > work[0]


async def test_only_entity_reads_without_errors_are_kept(
    gql: GraphQLClient, runtime: Runtime
) -> None:
    looked = _count("hub_answer_cache_total")
    await gql("{ linkReport { records } }")
    await gql("{ people(first: 1) { totalCount } linkReport { records } }")
    assert _count("hub_answer_cache_total") == looked  # hub records: not even looked up
    stored = _count("hub_answer_cache_total", result="stored")
    bad = await gql("{ people(first: 5000) { totalCount } }")
    assert bad["errors"][0]["extensions"]["code"] == "BAD_PAGE"
    await gql("{ people(first: 5000) { totalCount } }")
    assert _count("hub_answer_cache_total", result="stored") == stored


@pytest.fixture
def restored_settings(runtime: Runtime) -> Iterator[None]:
    """The test may change the runtime's settings; the rest of the session gets them back."""
    saved = runtime.settings
    yield
    runtime.settings = saved


async def _kept_ttls(gql: GraphQLClient, runtime: Runtime, query: str) -> list[int]:
    """TTLs of the answers kept by asking `query` (keys that were not there before)."""
    before = {key async for key in runtime.redis.scan_iter(f"{PREFIX}*")}
    assert "errors" not in await gql(query)
    keys = [key async for key in runtime.redis.scan_iter(f"{PREFIX}*") if key not in before]
    return [await runtime.redis.ttl(key) for key in keys]


def _within(ttls: list[int], seconds: int) -> bool:
    """One answer kept, expiring in `seconds` (less the few the test took to look)."""
    return len(ttls) == 1 and seconds - 10 < ttls[0] <= seconds


async def test_kept_no_longer_than_the_departments_allow(
    gql: GraphQLClient, runtime: Runtime, restored_settings: None
) -> None:
    runtime.settings = dataclasses.replace(runtime.settings, answer_cache_seconds=3600)
    await data_changed(runtime.redis)
    ttl = {name: int(runtime.registry.get(name).config.cache_ttl) for name in DEPARTMENTS}
    police_only = "{ ttlPolice: people(first: 3) { edges { node { name } } } }"
    assert _within(await _kept_ttls(gql, runtime, police_only), ttl["police"])  # 300 s
    assert _within(await _kept_ttls(gql, runtime, EVERY), min(ttl.values()))
    runtime.settings = dataclasses.replace(runtime.settings, answer_cache_seconds=60)
    fewer = PEOPLE.replace("people(", "ttlSetting: people(", 1)
    assert _within(await _kept_ttls(gql, runtime, fewer), 60)  # the setting is shorter
    runtime.settings = dataclasses.replace(runtime.settings, answer_cache_seconds=0)
    looked = _count("hub_answer_cache_total")
    assert await _kept_ttls(gql, runtime, PEOPLE.replace("people(", "ttlOff: people(", 1)) == []
    assert _count("hub_answer_cache_total") == looked  # switched off: not looked up
