"""Traversals across the link graph: person ↔ place ↔ event, the place hierarchy."""

from hub.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.support.graph import places_below


async def _a_resident(gql: GraphQLClient) -> dict:
    result = await gql(
        """{ people(first: 100) { edges { node { id name residence { id name level
              parent { name level parent { name level parent { name level parent { level name } } } } } } } } }"""
    )
    people = [e["node"] for e in result["data"]["people"]["edges"] if e["node"]["residence"]]
    assert people, result
    return people[0]


async def test_residence_climbs_the_hierarchy(gql: GraphQLClient) -> None:
    person = await _a_resident(gql)
    levels = []
    place = person["residence"]
    while place:
        levels.append(place["level"])
        place = place.get("parent")
    assert levels[0] == "room"
    assert levels[1:] in (
        ["unit", "building", "grid", "community"],
        ["building", "grid", "community", "street"],
    )


async def test_place_residents_include_the_person(gql: GraphQLClient) -> None:
    person = await _a_resident(gql)
    result = await gql(
        "query($id: ID!) { place(id: $id) { residents(first: 50) { id } children { id } } }",
        id=person["residence"]["id"],
    )
    assert person["id"] in {p["id"] for p in result["data"]["place"]["residents"]}


async def test_events_link_people_and_places(gql: GraphQLClient) -> None:
    result = await gql(
        """{ events(first: 50, filter: {eventType: "gate_access"}) { totalCount edges { node {
              id eventType occurredAt direction place { id level } people { id name } } } } }"""
    )
    events = [e["node"] for e in result["data"]["events"]["edges"]]
    assert events and all(e["eventType"] == "gate_access" for e in events)
    assert all(e["people"] for e in events), "every gate event names its resident"
    assert all(e["place"] for e in events)
    person = events[0]["people"][0]["id"]
    mine = await gql("query($id: ID!) { person(id: $id) { events(first: 100) { id } } }", id=person)
    assert events[0]["id"] in {e["id"] for e in mine["data"]["person"]["events"]}


async def _events_below(runtime: Runtime, place: str) -> set[str]:
    """The truth, found apart from the traversal: events that occurred at the place or at any
    place below it (tests.support.graph.places_below walks the tree in Python)."""
    below = await places_below(runtime.store, place)
    rows = await runtime.store.read(
        "MATCH (e:Event)-[:OCCURRED_AT]->(p:Place) RETURN e.id AS event, p.id AS place"
    )
    return {row["event"] for row in rows if row["place"] in below}


async def _events_of(gql: GraphQLClient, place: str) -> tuple[int, list[str]]:
    """A place's eventsConnection, every page: its totalCount and the ids it lists."""
    query = """query($id: ID!, $after: String) { place(id: $id) {
      eventsConnection(first: 1000, after: $after) {
        totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } } }"""
    ids, after = [], None
    while True:
        page = (await gql(query, id=place, after=after))["data"]["place"]["eventsConnection"]
        ids += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return page["totalCount"], ids
        after = page["pageInfo"]["endCursor"]


async def test_community_events_include_events_below_it(
    gql: GraphQLClient, runtime: Runtime
) -> None:
    communities = await gql(
        "{ places(first: 5, filter: {level: COMMUNITY}) { edges { node { id events(first: 20) { id } } } } }"
    )
    nodes = [e["node"] for e in communities["data"]["places"]["edges"]]
    assert len(nodes) == 2  # the session's demo: two communities of one street
    for community in nodes:
        truth = await _events_below(runtime, community["id"])
        total, listed = await _events_of(gql, community["id"])
        assert total == len(listed) == len(set(listed)) == len(truth) > 1000
        assert set(listed) == truth
        assert len(community["events"]) == 20 and {e["id"] for e in community["events"]} <= truth


async def test_urban_cases_and_repairs_carry_department_attributes(gql: GraphQLClient) -> None:
    for event_type, connector_field in (("urban_case", "category"), ("repair_order", "category")):
        result = await gql(
            "query($t: String) { events(first: 20, filter: {eventType: $t}) { edges { node { category status description place { level } sources { connector } } } } }",
            t=event_type,
        )
        assert "errors" not in result, result
        events = [e["node"] for e in result["data"]["events"]["edges"]]
        assert events and all(e[connector_field] for e in events)
        assert all(e["place"] for e in events), event_type


async def test_buildings_have_things_and_managers(gql: GraphQLClient) -> None:
    result = await gql(
        "{ places(first: 20, filter: {level: BUILDING}) { edges { node { name floors builtYear propertyCompany things { category } managers { name category } } } } }"
    )
    buildings = [e["node"] for e in result["data"]["places"]["edges"]]
    assert buildings and all(b["floors"] for b in buildings)
    assert any(b["things"] for b in buildings)
    assert all(
        b["managers"] and b["managers"][0]["name"] == b["propertyCompany"] for b in buildings
    )


async def test_household_members_are_related(gql: GraphQLClient) -> None:
    result = await gql(
        "{ people(first: 200) { edges { node { id householdNo household { id householdNo } } } } }"
    )
    people = [e["node"] for e in result["data"]["people"]["edges"] if e["node"]["household"]]
    assert people
    for person in people[:20]:
        assert all(m["householdNo"] == person["householdNo"] for m in person["household"])
