"""地点名录: a resident lists her street's estates, buildings and units by name to pick a place,
and learns nothing else by it: no address or attribute, no place read through it, nothing for
staff or strangers (the street is pushed into the graph query; the demo has one street)."""

import re

import httpx

from hub.runtime import Runtime
from tests.civic.conftest import Caller, codes, resident
from tests.conftest import bearer
from tests.services.conftest import MINE, residents_of

DIRECTORY = """query($e: String, $b: ID) { placeDirectory(estate: $e, building: $b) {
  id name level } }"""
STREET = MINE[:9]


async def _truth(runtime: Runtime) -> dict[str, dict[str, str]]:
    """Estate → building name → id, straight from the graph."""
    rows = await runtime.store.read(
        "MATCH (b:Place {level: 'building'}) WHERE b.jurisdiction STARTS WITH $s "
        "RETURN b.id AS id, b.name AS name", {"s": STREET})
    estates: dict[str, dict[str, str]] = {}
    for row in rows:
        if found := re.fullmatch(r"(.+?)\d+幢", row["name"] or ""):
            estates.setdefault(found.group(1), {})[row["name"]] = row["id"]
    return estates


async def test_a_resident_picks_estate_building_unit_from_lists(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    truth = await _truth(runtime)
    [person] = await residents_of(runtime, MINE, 1)
    me = Caller(client, resident(person))
    estates = (await me.data(DIRECTORY))["placeDirectory"]
    assert [e["name"] for e in estates] == sorted(truth)
    assert {(e["id"], e["level"]) for e in estates} == {(None, "estate")}
    estate = sorted(truth)[0]
    found = (await me.data(DIRECTORY, e=estate))["placeDirectory"]
    assert {b["name"]: b["id"] for b in found} == truth[estate]
    assert {b["level"] for b in found} == {"building"}
    numbers = [int(re.search(r"(\d+)幢$", b["name"]).group(1)) for b in found]  # type: ignore[union-attr]
    assert numbers == sorted(numbers)
    units = (await me.data(DIRECTORY, b=found[0]["id"]))["placeDirectory"]
    expected = await runtime.store.read(
        "MATCH (u:Place {level: 'unit'})-[:LOCATED_IN]->(:Place {id: $id}) RETURN u.name AS n",
        {"id": found[0]["id"]})
    assert sorted(u["name"] for u in units) == sorted(r["n"] for r in expected)
    assert all(u["level"] == "unit" and u["id"].startswith("plc_") for u in units)
    assert (await me.data(DIRECTORY, e="不存在的小区"))["placeDirectory"] == []


async def test_the_directory_reveals_nothing_else(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    [person] = await residents_of(runtime, MINE, 1)
    me = Caller(client, resident(person))
    estate = sorted(await _truth(runtime))[0]
    building = (await me.data(DIRECTORY, e=estate))["placeDirectory"][0]["id"]
    asked = await me("query($b: ID) { placeDirectory(building: $b) { id name address } }",
                     b=building)
    assert codes(asked) == ["GRAPHQL_VALIDATION_FAILED"]  # names and levels are all it has
    read = await me("query($id: ID!) { place(id: $id) { name address floors } }", id=building)
    assert read["data"]["place"] is None and codes(read) == ["FORBIDDEN"]
    assert codes(await me(DIRECTORY, b=person)) == ["BAD_ID"]
    worker = Caller(client, bearer("grid_worker", MINE + "01", "grid-1"))
    assert codes(await worker(DIRECTORY)) == ["FORBIDDEN"]
    stranger = Caller(client, resident("prs_unknownresident0"))
    assert codes(await stranger(DIRECTORY)) == ["FORBIDDEN"]
    assert codes(await Caller(client)(DIRECTORY)) in (["FORBIDDEN"], ["UNAUTHENTICATED"])
