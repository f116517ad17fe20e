"""Per-role contract over every type (anonymous / constrained / full), leak-checked field by field."""

import re

import pytest

from bench.leaks import check
from hub.access.gate import Gatekeeper
from hub.access.principal import ANONYMOUS, Principal
from hub.runtime import Runtime
from tests.access.conftest import STREET, Demo
from tests.conftest import GraphQLClient, bearer

# every field of every type, a long page of each: see largest_limits
pytestmark = pytest.mark.usefixtures("largest_limits")

# (role, which jurisdiction of the demo street it holds)
PRINCIPALS = [
    ("street_admin", "street"),
    ("community_worker", "community"),
    ("grid_worker", "grid"),
    ("grid_worker", "other_grid"),
    ("police", "street"),
    ("police", "community"),
    ("civil_affairs", "street"),
    ("property_manager", "community"),
    ("property_manager", "other_grid"),
    ("resident", "grid"),
    ("city_brain", "district"),
    ("auditor", "none"),
]


def _place(demo: Demo, which: str) -> list[str]:
    return {
        "street": [STREET],
        "district": [STREET[:6]],
        "community": [demo.community],
        "grid": [demo.grid],
        "other_grid": [demo.other_grid],
        "none": [],
    }[which]


async def _leaks(runtime: Runtime, gql: GraphQLClient, principal: Principal, headers: dict) -> None:
    view = await Gatekeeper(runtime.settings).view(principal, runtime.policies, runtime.links)
    report = await check(runtime, view, gql.as_(headers).__call__, first=150)
    assert not report.leaks, report.leaks[:10]
    return report


@pytest.mark.parametrize(("role", "which"), PRINCIPALS)
async def test_no_role_reads_outside_its_view(
    runtime: Runtime, gql: GraphQLClient, demo_places: Demo, role: str, which: str
) -> None:
    places = _place(demo_places, which)
    subject = demo_places.resident if role == "resident" else f"{role}-1"
    principal = Principal(subject, (role,), tuple(places))
    report = await _leaks(runtime, gql, principal, bearer(role, places, subject))
    if role in ("city_brain", "auditor"):
        assert report.rows == 0
    else:
        assert report.rows > 0, "a constrained role still reads its own rows"


async def test_anonymous_reads_nothing(runtime: Runtime, gql: GraphQLClient) -> None:
    report = await _leaks(runtime, gql, ANONYMOUS, {})
    assert report.rows == 0
    result = await gql.as_({})('{ node(id: "prs_0000000000000000") { id } }')
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_street_office_reads_every_resident_with_ids_masked(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    _, everyone = await runtime.links.page("Person", None, 0, 0, {})
    result = await gql(
        "{ people(first: 50) { totalCount edges { node { idNumber phone name } } } }"
    )
    people = result["data"]["people"]
    assert people["totalCount"] == everyone
    ids = [p["node"]["idNumber"] for p in people["edges"] if p["node"]["idNumber"]]
    assert ids and all(re.fullmatch(r"\d{6}\*{5,8}[\dXx]{4}", i) for i in ids), ids[:3]
    assert all(
        re.fullmatch(r"1\d{10}", p["node"]["phone"]) for p in people["edges"] if p["node"]["phone"]
    )


async def test_police_read_id_numbers_but_not_care(gql: GraphQLClient) -> None:
    police = gql.as_(bearer("police", STREET))
    result = await police(
        "{ people(first: 30) { edges { node { idNumber careLevel subsidyAmount } } } }"
    )
    nodes = [e["node"] for e in result["data"]["people"]["edges"]]
    assert any(n["idNumber"] and "*" not in n["idNumber"] for n in nodes)
    assert all(n["careLevel"] is None and n["subsidyAmount"] is None for n in nodes)


async def test_grid_worker_sees_her_grid_only(gql: GraphQLClient, demo_places: Demo) -> None:
    worker = gql.as_(bearer("grid_worker", demo_places.grid))
    result = await worker(
        "{ people(first: 1000) { totalCount edges { node { jurisdiction name } } } }"
    )
    people = result["data"]["people"]
    everyone = (await gql("{ people(first: 1) { totalCount } }"))["data"]["people"]["totalCount"]
    assert 0 < people["totalCount"] < everyone
    assert all(e["node"]["jurisdiction"].startswith(demo_places.grid) for e in people["edges"])


async def test_resident_reads_own_record_and_household(
    gql: GraphQLClient, demo_places: Demo
) -> None:
    me = gql.as_(bearer("resident", demo_places.grid, demo_places.resident))
    result = await me("{ people(first: 100) { totalCount edges { node { id name idNumber } } } }")
    ids = {e["node"]["id"] for e in result["data"]["people"]["edges"]}
    assert demo_places.household <= ids
    assert result["data"]["people"]["totalCount"] == len(ids) <= 12
    mine = await me(
        "query($id: ID!) { person(id: $id) { id name household { id } } }", id=demo_places.resident
    )
    assert mine["data"]["person"]["name"]


async def test_property_manager_sees_buildings_not_people(
    gql: GraphQLClient, demo_places: Demo
) -> None:
    manager = gql.as_(bearer("property_manager", demo_places.community))
    result = await manager(
        "{ people(first: 20) { edges { node { name phone idNumber careLevel birthDate } } } "
        "  places(first: 20, filter: {level: BUILDING}) { edges { node { name floors residents { id } } } } }"
    )
    people = [e["node"] for e in result["data"]["people"]["edges"]]
    assert people and all(
        p["idNumber"] is None and p["careLevel"] is None and p["birthDate"] is None for p in people
    )
    assert all("*" in p["name"] for p in people if p["name"])
    buildings = [e["node"] for e in result["data"]["places"]["edges"]]
    assert buildings and all(b["residents"] == [] for b in buildings)
    assert any(b["floors"] for b in buildings)
