"""A smoke alarm reaches at once the grid worker, the property company and the building's
residents' contact; nobody else."""

import httpx

from hub.runtime import Runtime
from tests.alerts.conftest import Building, ago, grid_worker, pick, settle, xadd
from tests.civic.conftest import Caller, codes
from tests.conftest import bearer

LIST = """query($place: ID) { alerts(filter: {placeId: $place}) { totalCount edges { node {
  id rule status title message severity evidence { kind eventType at } } } } }"""


async def test_a_smoke_alarm_reaches_its_three_recipients(
    runtime: Runtime, client: httpx.AsyncClient, buildings: list[Building]
) -> None:
    building = pick(buildings, 1, "smoke")[0]
    await xadd(runtime, "smoke_alarm", ago(0.01), building.id, jurisdiction=building.jurisdiction)
    await settle(runtime)
    for headers in (grid_worker(building.jurisdiction),
                    bearer("property_manager", building.community, "pm-1"),
                    bearer("building_contact", building.jurisdiction, "lz-1")):
        data = await Caller(client, headers).data(LIST, place=building.id)
        nodes = [e["node"] for e in data["alerts"]["edges"] if e["node"]["rule"] == "smoke_alarm"]
        assert len(nodes) == 1, headers
        assert nodes[0]["status"] == "RAISED" and "烟感报警" in nodes[0]["message"]
    contact = await Caller(client, bearer("building_contact", building.jurisdiction)).data(
        LIST, place=building.id)
    assert contact["alerts"]["edges"][0]["node"]["evidence"] == []  # she reads no events
    worker = await Caller(client, grid_worker(building.jurisdiction)).data(LIST, place=building.id)
    assert worker["alerts"]["edges"][0]["node"]["evidence"][0]["eventType"] == "smoke_alarm"


async def test_roles_the_rule_does_not_name_get_nothing(
    runtime: Runtime, client: httpx.AsyncClient, buildings: list[Building]
) -> None:
    building = pick(buildings, 1, "smoke-others")[0]
    await xadd(runtime, "smoke_alarm", ago(0.01), building.id, jurisdiction=building.jurisdiction)
    await settle(runtime)
    community = await Caller(client, bearer("community_worker", building.community)).data(
        LIST, place=building.id)
    assert community["alerts"]["totalCount"] == 0  # not named by the rule (until escalation)
    police = await Caller(client, bearer("police", building.community))(LIST, place=building.id)
    assert codes(police) == ["FORBIDDEN"]
