"""Row scope holds however deep a query goes: traversals down the place tree, across a
household and back up to places above the caller's own stay within her jurisdiction, and
every count is the graph's count of what she may see."""

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from hub.answers import data_changed
from hub.runtime import Runtime
from tests.access.conftest import Demo, as_role
from tests.conftest import GraphQLClient
from tests.support.graph import residents_below

RESIDENTS = "residentsConnection(first: 1000) { totalCount edges { node { id jurisdiction } } }"
DOWN = f"""query($id: ID!) {{ place(id: $id) {{ id jurisdiction {RESIDENTS}
  children(first: 20) {{ id jurisdiction {RESIDENTS}
    children(first: 20) {{ id jurisdiction {RESIDENTS} }} }} }} }}"""
UP = "parent { id jurisdiction level " + RESIDENTS + " %s }"
CLIMB = f"""{{ people(first: 5) {{ edges {{ node {{ id jurisdiction
  household(first: 5) {{ id jurisdiction residence {{ id jurisdiction {RESIDENTS}
    {UP % UP % UP % UP % ""} }} }} }} }} }} }}"""



@pytest.fixture(autouse=True)
def whole_subtrees(runtime: Runtime) -> Iterator[None]:
    """Whole subtrees in long pages, to see every row at every depth: the check's need, not a
    caller's (a cost of ~2 million); the limits are tested in tests/hub/test_limits.py."""
    saved = runtime.limits
    lifted = replace(saved.largest, cost=10**9)
    runtime.limits = replace(saved, roles={role: lifted for role in saved.roles})
    yield
    runtime.limits = saved


GRID = "MATCH (g:Place {level: 'grid', jurisdiction: $grid}) RETURN g.id AS id"
ROOM = (
    "MATCH (g:Place {level: 'grid', jurisdiction: $grid})<-[:LOCATED_IN*1..4]-(r:Place)"
    "<-[:LIVES_AT]-(:Person) WHERE r.level = 'room' RETURN r.id AS id ORDER BY id LIMIT 1"
)
PERSON = "MATCH (p:Person {jurisdiction: $grid}) RETURN p.id AS id ORDER BY id LIMIT 1"
MOVE_IN = (
    "MATCH (p:Person {id: $person}), (r:Place {id: $room}) "
    "CREATE (p)-[:LIVES_AT {src: 'tests/deep_scope'}]->(r)"
)
MOVE_OUT = "MATCH (:Person {id: $person})-[e:LIVES_AT {src: 'tests/deep_scope'}]->() DELETE e"


def _lists(place: dict[str, Any], person: str) -> bool:
    return person in {e["node"]["id"] for e in place["residentsConnection"]["edges"]}


def _places(value: Any) -> list[dict[str, Any]]:
    """Every object in an answer that carries a residentsConnection (a place)."""
    if isinstance(value, list):
        return [p for item in value for p in _places(item)]
    if not isinstance(value, dict):
        return []
    found = [value] if "residentsConnection" in value else []
    return found + [p for v in value.values() for p in _places(v)]


async def _judge(runtime: Runtime, places: list[dict[str, Any]], grid: str) -> None:
    """Each place within the grid, its residents exactly those the graph has for her."""
    for place in {p["id"]: p for p in places}.values():
        assert place["jurisdiction"].startswith(grid), place["id"]
        listed = {edge["node"]["id"] for edge in place["residentsConnection"]["edges"]}
        truth = await residents_below(runtime.store, place["id"], grid)
        assert place["residentsConnection"]["totalCount"] == len(listed) == len(truth)
        assert listed == truth, place["id"]


async def test_down_the_place_tree_two_levels(
    gql: GraphQLClient, runtime: Runtime, demo_places: Demo
) -> None:
    grid = demo_places.grid
    worker = as_role(gql, "grid_worker", grid, "grid-worker")
    ids = await runtime.store.read(GRID, {"grid": grid})
    answer = await worker(DOWN, id=ids[0]["id"])
    assert "errors" not in answer, answer["errors"]
    places = _places(answer["data"])
    assert len(places) > 10 and places[0]["residentsConnection"]["totalCount"] > 100
    await _judge(runtime, places, grid)


async def test_a_resident_of_another_grid_living_in_hers_stays_hidden(
    gql: GraphQLClient, runtime: Runtime, demo_places: Demo
) -> None:
    """Registered in another grid, living in hers (the police file by registration): her
    places are in scope, he is not, at every level of the tree."""
    grid, elsewhere = demo_places.grid, demo_places.other_grid
    place = (await runtime.store.read(GRID, {"grid": grid}))[0]["id"]
    room = (await runtime.store.read(ROOM, {"grid": grid}))[0]["id"]
    stranger = (await runtime.store.read(PERSON, {"grid": elsewhere}))[0]["id"]
    await runtime.store.write(MOVE_IN, {"person": stranger, "room": room})
    await data_changed(runtime.redis)
    try:
        office = _places((await gql(DOWN, id=place))["data"])
        assert any(_lists(p, stranger) for p in office)  # he lives there for the street office
        answer = await as_role(gql, "grid_worker", grid, "grid-worker")(DOWN, id=place)
        assert "errors" not in answer, answer["errors"]
        places = _places(answer["data"])
        assert not any(_lists(p, stranger) for p in places)
        await _judge(runtime, places, grid)
    finally:
        await runtime.store.write(MOVE_OUT, {"person": stranger})
        await data_changed(runtime.redis)


async def test_across_the_household_and_up_past_her_grid(
    gql: GraphQLClient, runtime: Runtime, demo_places: Demo
) -> None:
    """Room › unit › building › grid › community: the climb shows her grid's places and ends
    there, as null, not at the community with every resident of it."""
    grid = demo_places.grid
    worker = as_role(gql, "grid_worker", grid, "grid-worker")
    answer = await worker(CLIMB)
    assert "errors" not in answer, answer["errors"]
    places = _places(answer["data"])
    assert {"grid", "building"} <= {p.get("level") for p in places}
    await _judge(runtime, places, grid)
    community = await gql(CLIMB)  # the street office climbs to the community
    assert "community" in {p.get("level") for p in _places(community["data"])}
