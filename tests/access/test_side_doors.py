"""Nothing outside the view through traversals, filters, counts, errors, _entities, introspection."""

from dataclasses import replace

import httpx

from bench.leaks import check
from hub.access.gate import Gatekeeper
from hub.access.principal import Principal
from hub.runtime import Runtime
from hub.web import create_app
from tests.access.conftest import STREET, Demo
from tests.conftest import GraphQLClient, bearer


def _codes(result: dict) -> list[str]:
    return [e["extensions"]["code"] for e in result.get("errors") or []]


async def _outsider(gql: GraphQLClient, demo: Demo) -> dict:
    """A resident of the other grid, with her residence (read as the street office)."""
    result = await gql(
        "query($j: String) { people(first: 50, filter: {jurisdiction: $j}) { edges { node { id name residence { id } } } } }",
        j=demo.other_grid,
    )
    return next(e["node"] for e in result["data"]["people"]["edges"] if e["node"]["residence"])


async def test_out_of_scope_id_answers_like_an_unknown_id(
    gql: GraphQLClient, demo_places: Demo
) -> None:
    outsider = await _outsider(gql, demo_places)
    worker = gql.as_(bearer("grid_worker", demo_places.grid))
    query = "query($a: ID!, $b: ID!) { a: person(id: $a) { id name } b: node(id: $b) { id } }"
    hidden = await worker(query, a=outsider["id"], b=outsider["residence"]["id"])
    unknown = await worker(query, a="prs_0000000000000000", b="plc_0000000000000000")
    assert hidden == unknown == {"data": {"a": None, "b": None}}


async def test_traversals_stop_at_the_scope(gql: GraphQLClient, demo_places: Demo) -> None:
    community = await gql(
        "query($j: String) { places(first: 1, filter: {jurisdiction: $j, level: COMMUNITY}) { edges { node { id } } } }",
        j=demo_places.other_grid[:12],
    )
    place = community["data"]["places"]["edges"][0]["node"]["id"]
    everyone = await gql(
        "query($id: ID!) { place(id: $id) { residents(first: 1000) { id } } }", id=place
    )
    assert everyone["data"]["place"]["residents"], (
        "the street office sees the community's residents"
    )
    worker = gql.as_(bearer("grid_worker", demo_places.grid))
    seen = await worker(
        "query($id: ID!) { place(id: $id) { residents(first: 1000) { id } } }", id=place
    )
    assert seen == {"data": {"place": None}}  # the community is above her grid: not hers
    outsider = await _outsider(gql, demo_places)
    events = await worker(
        "query($id: ID!) { person(id: $id) { events { id } household { id } } }", id=outsider["id"]
    )
    assert events == {"data": {"person": None}}


async def test_no_filter_on_what_the_role_cannot_read(
    gql: GraphQLClient, demo_places: Demo
) -> None:
    outsider = await _outsider(gql, demo_places)
    manager = gql.as_(bearer("property_manager", demo_places.community))
    by_name = await manager(
        "query($n: String) { people(filter: {name: $n}) { totalCount } }", n=outsider["name"]
    )
    assert _codes(by_name) == ["FORBIDDEN"] and by_name["data"] == {"people": None}
    civil = gql.as_(bearer("grid_worker", demo_places.grid))
    by_subsidy = await civil('{ people(filter: {subsidyType: "高龄津贴"}) { totalCount } }')
    assert _codes(by_subsidy) == ["FORBIDDEN"]
    resident = gql.as_(bearer("resident", demo_places.grid, demo_places.resident))
    own_name = await resident(
        "query($n: String) { people(filter: {name: $n}) { totalCount } }", n=outsider["name"]
    )
    assert _codes(own_name) == ["FORBIDDEN"]


async def test_counts_and_filters_stay_in_scope(gql: GraphQLClient, demo_places: Demo) -> None:
    worker = gql.as_(bearer("grid_worker", demo_places.grid))
    query = "query($j: String) { people(first: 5, filter: {jurisdiction: $j}) { totalCount } }"
    elsewhere = await worker(query, j=demo_places.other_grid)
    assert elsewhere["data"]["people"]["totalCount"] == 0
    street = await worker(query, j=STREET)
    mine = await worker(query, j=demo_places.grid)
    assert street == mine and mine["data"]["people"]["totalCount"] > 0
    outsider = await _outsider(gql, demo_places)
    by_name = await worker(
        "query($n: String) { people(filter: {name: $n}) { totalCount edges { node { id } } } }",
        n=outsider["name"],
    )
    assert outsider["id"] not in {e["node"]["id"] for e in by_name["data"]["people"]["edges"]}


async def test_entities_answer_only_in_scope(gql: GraphQLClient, demo_places: Demo) -> None:
    outsider = await _outsider(gql, demo_places)
    worker = gql.as_(bearer("grid_worker", demo_places.grid))
    reps = [
        {"__typename": "Person", "id": outsider["id"]},
        {"__typename": "Person", "id": demo_places.resident},
    ]
    result = await worker(
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { id idNumber subsidyAmount } } }",
        r=reps,
    )
    hidden, mine = result["data"]["_entities"]
    assert hidden is None and mine["id"] == demo_places.resident
    assert mine["subsidyAmount"] is None and (mine["idNumber"] is None or "*" in mine["idNumber"])


async def test_production_mode_hides_introspection_and_the_ide(runtime: Runtime) -> None:
    settings = replace(
        runtime.settings, env="production", demo=False, link_secret="production-link-secret-" * 2
    )
    app = create_app(settings, runtime=runtime)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
        result = (
            await http.post("/graphql", json={"query": "{ __schema { types { name } } }"})
        ).json()
        assert result["data"] is None and "introspection" in result["errors"][0]["message"].lower()
        sdl = (await http.post("/graphql", json={"query": "{ _service { sdl } }"})).json()
        assert _codes(sdl) == ["FORBIDDEN"]
        brain = bearer("city_brain", STREET[:6])
        sdl = (
            await http.post("/graphql", json={"query": "{ _service { sdl } }"}, headers=brain)
        ).json()
        assert "type Person" in sdl["data"]["_service"]["sdl"]
        page = await http.get("/graphql", headers={"Accept": "text/html"})
        assert "graphiql" not in page.text.lower()


async def test_the_leak_check_finds_leaks_when_enforcement_is_off(
    runtime: Runtime, demo_places: Demo
) -> None:
    """The leak check can fail: with the guard switched off, a grid worker sees too much."""
    settings = replace(runtime.settings, enforce_access=False)
    app = create_app(settings, runtime=runtime)
    transport = httpx.ASGITransport(app=app)
    headers = bearer("grid_worker", demo_places.grid)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://hub", headers=headers
    ) as http:
        unguarded = GraphQLClient(http, headers)
        principal = Principal("t", ("grid_worker",), (demo_places.grid,))
        view = await Gatekeeper(runtime.settings).view(principal, runtime.policies, runtime.links)
        report = await check(runtime, view, unguarded.__call__, first=50)
    assert any("outside" in leak for leak in report.leaks)
    assert any("masked" in leak or "absent" in leak for leak in report.leaks)
