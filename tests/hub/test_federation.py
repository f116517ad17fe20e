"""The hub as an Apollo Federation v2 subgraph, composed with a second subgraph in a real gateway."""

from collections.abc import Iterator

import httpx
import pytest

from hub.linking.report import LinkReport
from hub.settings import Settings
from tests.conftest import STREET_ADMIN, TEST_JWT_SECRET, GraphQLClient, bearer
from tests.support.gateway import running_gateway, running_volunteer_subgraph
from tests.support.hub_process import running_hub


@pytest.fixture(scope="module")
def hub_url(settings: Settings, link_report: LinkReport) -> Iterator[str]:
    """The hub as its own process (`python app.py`), over the session's graph and departments."""
    with running_hub(settings, TEST_JWT_SECRET) as url:
        yield f"{url}/graphql"


async def test_service_sdl_declares_entity_keys(gql: GraphQLClient) -> None:
    sdl = (await gql("{ _service { sdl } }"))["data"]["_service"]["sdl"]
    for kind in ("Person", "Place", "Event", "Thing", "Organization"):
        assert f'type {kind} implements Entity @key(fields: "id")' in sdl


async def test_entities_resolve_through_the_loaders(gql: GraphQLClient) -> None:
    page = await gql("{ people(first: 3) { edges { node { id name } } } }")
    people = [e["node"] for e in page["data"]["people"]["edges"]]
    reps = [{"__typename": "Person", "id": p["id"]} for p in people]
    reps.append({"__typename": "Person", "id": "prs_0000000000000000"})
    result = await gql(
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { id name } } }",
        r=reps,
    )
    assert result["data"]["_entities"] == [*people, None]


def test_gateway_joins_hub_and_volunteer_subgraph(hub_url: str) -> None:
    people = httpx.post(
        hub_url,
        json={"query": "{ people(first: 4) { edges { node { id } } } }"},
        headers=STREET_ADMIN,
    )
    ids = [e["node"]["id"] for e in people.json()["data"]["people"]["edges"]]
    with (
        running_volunteer_subgraph(ids) as volunteer,
        running_gateway(hub_url, volunteer.url) as gw,
    ):
        query = "{ people(first: 4) { edges { node { id name residence { name } volunteerHours volunteerTeams } } } }"
        result = httpx.post(gw.url, json={"query": query}, headers=STREET_ADMIN, timeout=30).json()
    assert "errors" not in result, result
    nodes = [e["node"] for e in result["data"]["people"]["edges"]]
    assert [n["id"] for n in nodes] == ids
    for node in nodes:
        assert node["name"]
        assert node["volunteerHours"] == volunteer.people[node["id"]]["hours"]
        assert node["volunteerTeams"] == volunteer.people[node["id"]]["teams"]


TWO_COMMUNITIES = """{ a: people(first: 15, filter: {jurisdiction: "330105004001"}) {
  edges { node { id jurisdiction } } }
  b: people(first: 15, filter: {jurisdiction: "330105004002"}) {
  edges { node { id jurisdiction } } } }"""


def test_entities_through_the_gateway_keep_the_callers_row_scope(hub_url: str) -> None:
    """The volunteer system names people of every grid; the gateway asks the hub for their
    fields by `_entities` with a grid worker's token: people outside her grid come back null."""
    pages = httpx.post(hub_url, json={"query": TWO_COMMUNITIES}, headers=STREET_ADMIN).json()
    grid_of = {
        e["node"]["id"]: e["node"]["jurisdiction"]
        for page in pages["data"].values()
        for e in page["edges"]
    }
    grid = next(iter(grid_of.values()))
    assert 0 < sum(g == grid for g in grid_of.values()) < len(grid_of)  # both kinds asked
    worker = bearer("grid_worker", grid, "grid-worker")
    query = "{ volunteers { id jurisdiction name volunteerHours } }"
    with (
        running_volunteer_subgraph(list(grid_of)) as volunteer,
        running_gateway(hub_url, volunteer.url) as gw,
    ):
        mine = httpx.post(gw.url, json={"query": query}, headers=worker, timeout=30).json()
        office = httpx.post(gw.url, json={"query": query}, headers=STREET_ADMIN, timeout=30)
    assert "errors" not in mine, mine
    for person in mine["data"]["volunteers"]:
        inside = grid_of[person["id"]] == grid
        assert person["jurisdiction"] == (grid if inside else None), person
        assert (person["name"] is not None) == inside, person
        assert person["volunteerHours"] == volunteer.people[person["id"]]["hours"]
    seen = {p["id"]: p["jurisdiction"] for p in office.json()["data"]["volunteers"]}
    assert seen == grid_of  # the street office gets every one of them
