"""Each example rule of policies/rules fires on what it names, and not on less."""

import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from hub import clock
from hub.alerts import inputs
from hub.alerts.inputs import Demand
from hub.civic.intake import Submission
from hub.civic.records import Opinion
from hub.runtime import Runtime
from tests.alerts.conftest import Building, ago, grid_worker, pick, settle, xadd
from tests.civic.conftest import Caller
from tests.conftest import bearer

LIST = """query($place: ID, $rule: String) { alerts(filter: {placeId: $place, rule: $rule}) {
  totalCount edges { node { id rule message person { id } evidence { kind eventType opinionId }
  } } } }"""


async def alerts_for(client: httpx.AsyncClient, headers: dict[str, str], rule: str,
                     place: str | None = None) -> list[dict]:
    data = await Caller(client, headers).data(LIST, place=place, rule=rule)
    return [e["node"] for e in data["alerts"]["edges"]]


async def opinion(runtime: Runtime, place: str, text: str, hours_ago: float = 1.0) -> str:
    receipt = await runtime.civic.intake.submit(Submission(
        text=text, channel="app", client="app", idempotency_key=uuid.uuid4().hex,
        place_id=place, received_at=ago(hours_ago)))
    return receipt.opinion.id


async def heard_of(runtime: Runtime, buildings: list[Building], word: str) -> frozenset[str]:
    """The buildings where a resident wrote `word` in the last weeks (the demo's opinions and
    other tests' write some): a test that needs a rule to hear only its own avoids them."""
    since = ago(24 * 30)
    async with runtime.sessions() as session:
        places = set(await session.scalars(select(Opinion.place_id).where(
            Opinion.text.contains(word), Opinion.created_at > since)))
    heard = set()
    for building in buildings:
        if places & set(await runtime.alerts.world.within(building.id)):
            heard.add(building.id)
    return frozenset(heard)


async def test_three_lift_faults_and_a_complaint_reach_property_and_street(
    runtime: Runtime, client: httpx.AsyncClient, buildings: list[Building]
) -> None:
    avoid = await heard_of(runtime, buildings, "电梯")
    complained, quiet, few = pick(buildings, 3, "lift", avoid=avoid)
    for building, faults in ((complained, 3), (quiet, 3), (few, 2)):
        for day in range(faults):
            await xadd(runtime, "lift_fault", ago(24 * (2 * day + 1)), building.id,
                       jurisdiction=building.jurisdiction)
    await opinion(runtime, complained.id, "3单元电梯这周又坏了，老人下不了楼")
    await opinion(runtime, few.id, "电梯异响，希望检修")
    await settle(runtime)
    await runtime.alerts.tick()  # the complaint came after the faults: the clock's check
    street = bearer("street_admin", complained.jurisdiction[:9], "street-1")
    property_co = bearer("property_manager", complained.community, "pm-1")
    found = await alerts_for(client, street, "lift_faults", complained.id)
    assert len(found) == 1
    kinds = sorted(e["kind"] for e in found[0]["evidence"])
    assert kinds == ["event", "event", "event", "opinion"]
    assert len(await alerts_for(client, property_co, "lift_faults", complained.id)) == 1
    assert await alerts_for(client, street, "lift_faults", quiet.id) == []  # no complaint
    assert await alerts_for(client, street, "lift_faults", few.id) == []  # two faults only


async def test_faults_a_week_apart_do_not_count_together(
    runtime: Runtime, client: httpx.AsyncClient, buildings: list[Building]
) -> None:
    building = pick(buildings, 1, "lift-spread")[0]
    for days in (20, 12, 1):
        await xadd(runtime, "lift_fault", ago(24 * days), building.id,
                   jurisdiction=building.jurisdiction)
    await opinion(runtime, building.id, "电梯老是停运")
    await settle(runtime)
    await runtime.alerts.tick()
    street = bearer("street_admin", building.jurisdiction[:9])
    assert await alerts_for(client, street, "lift_faults", building.id) == []


async def test_high_throw_twice_in_thirty_days(
    runtime: Runtime, client: httpx.AsyncClient, buildings: list[Building]
) -> None:
    twice, once, apart = pick(buildings, 3, "throw")
    for building, days in ((twice, (25, 2)), (once, (3,)), (apart, (45, 2))):
        for d in days:
            await xadd(runtime, "high_throw", ago(24 * d), building.id,
                       jurisdiction=building.jurisdiction, source="security")
    await settle(runtime)
    for building, expected in ((twice, 1), (once, 0), (apart, 0)):
        found = await alerts_for(client, grid_worker(building.jurisdiction),
                                 "repeated_high_throw", building.id)
        assert len(found) == expected, building


async def test_an_elderly_person_alone_and_quiet_for_36_hours_gets_a_visit(
    runtime: Runtime, client: httpx.AsyncClient, later: None
) -> None:
    world = runtime.alerts.world
    people = [p for p in await world.population("Person.livingAlone", True)
              if p.jurisdiction and len(p.jurisdiction) == 14]
    homes = await world.residences([p.id for p in people])
    watched = [p for p in people if p.id in homes][:3]
    assert len(watched) == 3, "the demo street has people living alone"
    quiet, busy, unwatched = watched
    start = clock.now()
    await xadd(runtime, "door_access", start - timedelta(hours=1), person=quiet.id,
               jurisdiction=quiet.jurisdiction, source="security")
    for hours in (-2, 10):  # the meter at her home, in the morning and at night
        await xadd(runtime, "water_use", start + timedelta(hours=hours), homes[busy.id],
                   jurisdiction=busy.jurisdiction, value="12.5", source="water")
    await settle(runtime)
    headers = grid_worker(quiet.jurisdiction)
    clock.set_now(start + timedelta(hours=34), running=False)  # quiet for 35 h
    await runtime.alerts.tick()
    assert [a for a in await alerts_for(client, headers, "inactive_elderly")
            if a["person"] and a["person"]["id"] == quiet.id] == []
    clock.set_now(start + timedelta(hours=36), running=False)  # quiet for 37 h
    await runtime.alerts.tick()
    mine = {a["person"]["id"] for a in await alerts_for(client, headers, "inactive_elderly")
            if a["person"]}
    assert quiet.id in mine
    for other in (busy, unwatched):  # active 26 h ago; never watched by any device
        found = await alerts_for(client, grid_worker(other.jurisdiction), "inactive_elderly")
        assert other.id not in {a["person"]["id"] for a in found if a["person"]}


async def test_a_hotline_surge_at_one_place(
    runtime: Runtime, client: httpx.AsyncClient, buildings: list[Building]
) -> None:
    surging, usual = pick(buildings, 2, "surge")
    for i in range(6):
        await opinion(runtime, surging.id, f"楼下餐馆油烟太大，第{i + 1}次反映", hours_ago=2 + i)
    for i in range(2):
        await opinion(runtime, usual.id, "小区门口路灯不亮", hours_ago=3 + i)
    await runtime.alerts.tick()
    worker = bearer("community_worker", surging.community)
    found = await alerts_for(client, worker, "hotline_surge", surging.id)
    assert len(found) == 1 and len([e for e in found[0]["evidence"]
                                    if e["kind"] == "opinion"]) == 6
    assert await alerts_for(client, bearer("community_worker", usual.community),
                            "hotline_surge", usual.id) == []


@pytest.fixture
def forecast(buildings: list[Building]):  # type: ignore[no-untyped-def]
    over, under = pick(buildings, 2, "capacity")

    async def provider(prefix: str) -> list[Demand]:
        return [Demand("助餐", over.id, over.jurisdiction, 130, 100),
                Demand("助餐", under.id, under.jurisdiction, 80, 100)]

    inputs.provide("services.demand_forecast", provider)
    yield over, under
    inputs.withdraw("services.demand_forecast")


async def test_demand_above_capacity_through_the_services_input(
    runtime: Runtime, client: httpx.AsyncClient, forecast: tuple[Building, Building]
) -> None:
    over, under = forecast
    await runtime.alerts.tick()
    worker = bearer("community_worker", over.community)
    assert len(await alerts_for(client, worker, "service_capacity", over.id)) == 1
    assert await alerts_for(client, bearer("community_worker", under.community),
                            "service_capacity", under.id) == []
