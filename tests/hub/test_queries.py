"""The federated core through GraphQL, against the real demo departments."""

import sqlite3

import pytest

from tests.conftest import DemoEnv, GraphQLClient

PERSON_FIELDS = """
  id name gender birthDate idNumber phone residenceAddress careLevel subsidyType
  sources { connector recordType key }
"""


def _errors(result: dict) -> list[dict]:
    return list(result.get("errors") or [])


async def test_people_page_gathers_every_department(gql: GraphQLClient) -> None:
    result = await gql(
        f"{{ people(first: 200) {{ totalCount edges {{ node {{ {PERSON_FIELDS} }} }} }} }}"
    )
    assert not _errors(result)
    people = [edge["node"] for edge in result["data"]["people"]["edges"]]
    assert result["data"]["people"]["totalCount"] >= 1000
    assert all(p["name"] for p in people)
    connectors = {s["connector"] for p in people for s in p["sources"]}
    assert {"police", "civil", "property"} <= connectors
    with_care = [p for p in people if p["careLevel"]]
    assert with_care, "elderly residents carry civil-affairs attributes"
    assert all({"police", "civil"} <= {s["connector"] for s in p["sources"]} for p in with_care[:5])


async def test_cursor_pagination_walks_without_overlap(gql: GraphQLClient) -> None:
    query = "query($after: String) { people(first: 50, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }"
    first = (await gql(query))["data"]["people"]
    second = (await gql(query, after=first["pageInfo"]["endCursor"]))["data"]["people"]
    ids_a = {e["node"]["id"] for e in first["edges"]}
    ids_b = {e["node"]["id"] for e in second["edges"]}
    assert len(ids_a) == 50 and len(ids_b) == 50 and not ids_a & ids_b
    assert first["pageInfo"]["hasNextPage"]


async def test_unknown_id_is_null_without_error(gql: GraphQLClient) -> None:
    result = await gql(
        '{ person(id: "prs_0000000000000000") { id } node(id: "plc_0000000000000000") { id } }'
    )
    assert result == {"data": {"person": None, "node": None}}


async def test_bad_input_gets_codes(gql: GraphQLClient) -> None:
    cases = {
        '{ person(id: "12345") { id } }': "BAD_ID",
        '{ person(id: "plc_0000000000000000") { id } }': "BAD_ID",
        "{ people(first: 1001) { totalCount } }": "BAD_PAGE",
        "{ people(first: -1) { totalCount } }": "BAD_PAGE",
        '{ people(first: 5, after: "not-a-cursor") { totalCount } }': "BAD_PAGE",
        '{ people(filter: {gender: "女", careLevel: "失能"}) { totalCount } }': "BAD_FILTER",
        '{ events(filter: {since: "2026-02-01T00:00:00Z", until: "2026-01-01T00:00:00Z"}) { totalCount } }': "BAD_FILTER",
        "{ people { nosuchfield } }": "GRAPHQL_VALIDATION_FAILED",
    }
    for query, code in cases.items():
        result = await gql(query)
        assert _errors(result), query
        assert result["errors"][0]["extensions"]["code"] == code, (query, result)


async def test_name_filter_is_answered_by_the_department(gql: GraphQLClient) -> None:
    some = (await gql("{ people(first: 30) { edges { node { name } } } }"))["data"]["people"]
    name = some["edges"][7]["node"]["name"]
    result = await gql(
        "query($n: String) { people(first: 50, filter: {name: $n}) { totalCount edges { node { name } } } }",
        n=name,
    )
    found = result["data"]["people"]
    assert found["totalCount"] >= 1
    assert {e["node"]["name"] for e in found["edges"]} == {name}


@pytest.mark.parametrize(("field", "column", "value"), [
    ("careLevel", "care_level", "失能"),
    ("subsidyType", "subsidy_type", "高龄津贴"),
])
async def test_civil_filters_find_the_people_of_the_civil_records(
    gql: GraphQLClient, demo: DemoEnv, field: str, column: str, value: str
) -> None:
    """careLevel and subsidyType are answered by civil affairs, in the caller's scope."""
    with sqlite3.connect(demo.data_dir / "demo" / "civil.sqlite") as db:
        records = {r for (r,) in db.execute(
            f"SELECT record_id FROM care_records WHERE {column} = ?", (value,))}
    result = await gql(
        f"query($v: String) {{ people(first: 1000, filter: {{{field}: $v}}) {{ totalCount "
        f"edges {{ node {{ {field} sources {{ connector recordType key }} }} }} }} }}",
        v=value,
    )
    assert "errors" not in result, result["errors"]
    found = result["data"]["people"]
    assert found["totalCount"] == len(records) > 0
    assert {e["node"][field] for e in found["edges"]} == {value}
    keys = {s["key"] for e in found["edges"] for s in e["node"]["sources"]
            if s["recordType"] == "care_record"}
    assert keys == records


async def test_jurisdiction_filter_scopes_rows_and_counts(gql: GraphQLClient) -> None:
    grid = await gql(
        "{ places(first: 1, filter: {level: GRID}) { edges { node { jurisdiction } } } }"
    )
    code = grid["data"]["places"]["edges"][0]["node"]["jurisdiction"]
    everyone = (await gql("{ people(first: 1) { totalCount } }"))["data"]["people"]["totalCount"]
    result = await gql(
        "query($j: String) { people(first: 1000, filter: {jurisdiction: $j}) { totalCount edges { node { jurisdiction } } } }",
        j=code,
    )
    scoped = result["data"]["people"]
    assert 0 < scoped["totalCount"] < everyone
    assert all(e["node"]["jurisdiction"].startswith(code) for e in scoped["edges"])
