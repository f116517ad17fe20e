"""The walk (resolvers.walk) answers exactly as graphql-core's own path: same data, same errors,
same access log entry, for every role; and it is what answers a page of people."""

import collections
import dataclasses
import gc
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

import resolvers.executor
from hub.audit.table import AccessEntry
from hub.runtime import Runtime
from resolvers.walk import Unwalkable
from tests.conftest import DEMO_STREET, DemoEnv, GraphQLClient, bearer, restart

PEOPLE = """query($n: Int!, $events: Int!) { people(first: $n) { totalCount
  pageInfo { hasNextPage endCursor } edges { cursor node {
  __typename id jurisdiction name gender birthDate idNumber phone residenceAddress careLevel
  subsidyAmount sources { connector recordType key }
  recent: events(first: $events) { id title category status occurredAt sources { key } }
  events(first: 2) { id place { id name } people(first: 3) { id name } }
  residence { id name parent { id name level } }
  household { id name }
} } } }"""

PLACES = """{ places(first: 40, filter: {level: "building"}) { edges { node {
  ...placeFields children(first: 5) { ...placeFields residents(first: 2) { id name } }
} } } }
fragment placeFields on Place { id __typename name level jurisdiction parent { id name } }"""

EVENTS = """{ events(first: 60) { edges { node {
  id eventType occurredAt category status title place { id name } people(first: 2) { id phone }
  sources { connector key }
} } } }"""

# The urban department's cases, whatever else happened lately (gate events are far more).
URBAN_EVENTS = EVENTS.replace("events(first: 60)", 'events(first: 20, filter: {eventType: "urban_case"})')

NODE = """query($id: ID!) { node(id: $id) { id ... on Person { name events(first: 2) { id } } } }"""

CALLERS = {
    "street office": bearer("street_admin", DEMO_STREET, "street-admin"),
    "police": bearer("police", DEMO_STREET, "police-officer"),
    "civil affairs": bearer("civil_affairs", DEMO_STREET, "civil-officer"),
}


@pytest.fixture
async def uncached(runtime: Runtime) -> AsyncIterator[None]:
    """Kept answers off: each request is executed."""
    saved = runtime.settings
    runtime.settings = dataclasses.replace(saved, answer_cache_seconds=0)
    yield
    runtime.settings = saved


async def _both(
    gql: GraphQLClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch, query: str, **v: Any
) -> tuple[dict[str, Any], dict[str, Any], int]:
    """The answer and its log entry walked, then without the walk; and how many walks."""
    walked = 0
    walk = resolvers.executor.walk

    def counted(*args: Any) -> Any:
        nonlocal walked
        result = walk(*args)
        walked += 1
        return result

    def never(*_args: Any) -> Any:
        raise Unwalkable

    monkeypatch.setattr(resolvers.executor, "walk", counted)
    with_walk = await gql(query, **v), await _last_entry(runtime)
    monkeypatch.setattr(resolvers.executor, "walk", never)
    without = await gql(query, **v), await _last_entry(runtime)
    monkeypatch.setattr(resolvers.executor, "walk", walk)
    assert with_walk == without
    return with_walk[0], with_walk[1], walked


async def _last_entry(runtime: Runtime) -> dict[str, Any]:
    async with runtime.sessions() as session:
        entry = (
            await session.scalars(select(AccessEntry).order_by(AccessEntry.seq.desc()).limit(1))
        ).one()
    return {"entities": entry.entities, "fields": entry.fields, "decision": entry.decision}


@pytest.mark.parametrize("caller", list(CALLERS))
async def test_the_walk_answers_as_graphql_core_for_every_caller(
    gql: GraphQLClient,
    runtime: Runtime,
    monkeypatch: pytest.MonkeyPatch,
    uncached: None,
    caller: str,
) -> None:
    ask = gql.as_(CALLERS[caller])
    people, _, walked = await _both(ask, runtime, monkeypatch, PEOPLE, n=50, events=3)
    assert walked, "a page of people is walked"
    edges = people["data"]["people"]["edges"]
    assert len(edges) == 50
    if caller == "street office":  # civil affairs may not follow events: []
        assert any(e["node"]["recent"] for e in edges)
    await _both(ask, runtime, monkeypatch, PLACES)
    await _both(ask, runtime, monkeypatch, EVENTS)
    await _both(ask, runtime, monkeypatch, NODE, id=edges[0]["node"]["id"])


async def test_a_masking_caller_and_a_failing_department_answer_the_same_walked_or_not(
    gql: GraphQLClient,
    runtime: Runtime,
    demo: DemoEnv,
    monkeypatch: pytest.MonkeyPatch,
    uncached: None,
) -> None:
    office = await gql(PEOPLE, n=5, events=2)
    person = office["data"]["people"]["edges"][0]["node"]
    worker = gql.as_(bearer("grid_worker", person["jurisdiction"], "grid-worker"))
    await _both(worker, runtime, monkeypatch, PEOPLE, n=20, events=3)
    await runtime.cache.invalidate()
    demo.systems.stop_one("urban")
    try:
        await gql(URBAN_EVENTS)  # opens urban's breaker: both answers below meet it open
        failed, _, _ = await _both(gql, runtime, monkeypatch, URBAN_EVENTS)
    finally:
        restart(demo, runtime, "urban")
        await runtime.cache.invalidate()
    assert {e["extensions"]["connector"] for e in failed["errors"]} == {"urban"}


async def test_an_answered_request_leaves_its_data_to_reference_counting(
    gql: GraphQLClient,
) -> None:
    """What a request loaded (nodes, records, loaders, plans) is freed when it is answered,
    not left in reference cycles for the cycle collector: that collector's passes over ~2,400
    objects a request once cost more than a department call."""
    from graph.model import Node, SourceRef

    await gql(PEOPLE, n=29, events=3)  # caches warm (another question: not a kept answer)
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        answer = await gql(PEOPLE, n=30, events=3)
        gc.collect()
        left = collections.Counter(type(o) for o in gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert len(answer["data"]["people"]["edges"]) == 30
    # (graphql-core's executor is a cycle of its own, holding the request's context: what
    # the context loaded is let go when the operation is answered)
    assert left[Node] == left[SourceRef] == 0, left.most_common(8)
