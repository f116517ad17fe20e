"""A failing department fails only the fields it serves, with an error naming it."""

import sqlite3

from hub.runtime import Runtime
from tests.conftest import DemoEnv, GraphQLClient, restart

EVENTS = """{ events(first: 30, filter: {eventType: "urban_case"}) { edges { node {
  id eventType occurredAt category place { id } } } } }"""


async def test_department_down_gives_field_errors_naming_it(
    gql: GraphQLClient, runtime: Runtime, demo: DemoEnv
) -> None:
    await runtime.cache.invalidate()
    demo.systems.stop_one("urban")
    try:
        result = await gql(EVENTS)
    finally:
        restart(demo, runtime, "urban")
    events = [e["node"] for e in result["data"]["events"]["edges"]]
    assert events and all(e["id"] and e["eventType"] == "urban_case" and e["place"] for e in events)
    assert all(e["category"] is None for e in events)
    codes = {
        (err["extensions"]["code"], err["extensions"]["connector"]) for err in result["errors"]
    }
    assert codes == {("SOURCE_UNAVAILABLE", "urban")}
    assert all("urban" in err["message"] for err in result["errors"])
    address = demo.env["HUB_URBAN_URL"].split("//")[1]  # in the server log, not the answer
    assert address not in str(result) and "127.0.0.1" not in str(result)
    healed = await gql(EVENTS)
    assert "errors" not in healed


async def test_malformed_row_fails_only_its_fields(
    gql: GraphQLClient, runtime: Runtime, demo: DemoEnv
) -> None:
    page = await gql(
        "{ people(first: 300) { edges { node { id subsidyAmount sources { connector key } } } } }"
    )
    person = next(e["node"] for e in page["data"]["people"]["edges"] if e["node"]["subsidyAmount"])
    key = next(s["key"] for s in person["sources"] if s["connector"] == "civil")
    civil = demo.data_dir / "demo" / "civil.sqlite"
    _set_subsidy(civil, key, "八百")
    await runtime.cache.invalidate()
    try:
        result = await gql(
            "query($id: ID!) { person(id: $id) { id name careLevel subsidyAmount } }",
            id=person["id"],
        )
    finally:
        _set_subsidy(civil, key, person["subsidyAmount"])
        await runtime.cache.invalidate()
    assert result["data"]["person"]["name"]
    assert result["data"]["person"]["subsidyAmount"] is None
    failed = {tuple(err["path"]) for err in result["errors"]}
    assert ("person", "subsidyAmount") in failed and ("person", "name") not in failed
    error = next(err for err in result["errors"] if err["path"][-1] == "subsidyAmount")
    assert error["extensions"] == {"code": "SOURCE_MALFORMED", "connector": "civil"}
    assert "八百" not in error["message"]


def _set_subsidy(path: object, key: str, value: object) -> None:
    with sqlite3.connect(str(path)) as db:
        db.execute("UPDATE care_records SET subsidy_amount = ? WHERE record_id = ?", (value, key))
