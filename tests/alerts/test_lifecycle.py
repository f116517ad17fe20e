"""raised → acknowledged → handled / dismissed, with notes; deduplicated and suppressed within
the rule's window; escalated when nobody acknowledged in time (the clock pinned)."""

from datetime import timedelta

import httpx

from hub import clock
from hub.runtime import Runtime
from tests.alerts.conftest import Building, ago, grid_worker, pick, settle, xadd
from tests.civic.conftest import Caller, codes
from tests.conftest import bearer

ONE = """query($place: ID) { alerts(filter: {placeId: $place, rule: "smoke_alarm"}) {
  totalCount edges { node { id status note repeats escalatedAt evidence { kind }
  history { action note } } } } }"""
MOVE = """mutation($id: ID!, $note: String!) { %s(id: $id, note: $note) { id status note } }"""


async def smoke(runtime: Runtime, building: Building, hours_ago: float = 0.01) -> None:
    await xadd(runtime, "smoke_alarm", ago(hours_ago), building.id,
               jurisdiction=building.jurisdiction)
    await settle(runtime)


async def only_alert(caller: Caller, building: Building) -> dict:
    data = await caller.data(ONE, place=building.id)
    assert data["alerts"]["totalCount"] == 1, data
    return data["alerts"]["edges"][0]["node"]


async def test_the_lifecycle_and_its_illegal_moves(
    runtime: Runtime, client: httpx.AsyncClient, buildings: list[Building]
) -> None:
    building = pick(buildings, 1, "lifecycle")[0]
    await smoke(runtime, building)
    worker = Caller(client, grid_worker(building.jurisdiction))
    alert = await only_alert(worker, building)
    early = await worker(MOVE % "handleAlert", id=alert["id"], note="已处理")
    assert codes(early) == ["BAD_STATE"]
    assert "allowed: acknowledge, dismiss" in early["errors"][0]["message"]
    acked = await worker.data(
        'mutation($id: ID!) { acknowledgeAlert(id: $id) { status } }', id=alert["id"])
    assert acked["acknowledgeAlert"]["status"] == "ACKNOWLEDGED"
    again = await worker('mutation($id: ID!) { acknowledgeAlert(id: $id) { status } }',
                         id=alert["id"])
    assert "allowed: handle, dismiss" in again["errors"][0]["message"]
    assert codes(await worker(MOVE % "handleAlert", id=alert["id"], note="  ")) == ["BAD_INPUT"]
    done = await worker.data(MOVE % "handleAlert", id=alert["id"], note="厨房油烟误报，已复位")
    assert done["handleAlert"] == {"id": alert["id"], "status": "HANDLED",
                                   "note": "厨房油烟误报，已复位"}
    closed = await worker(MOVE % "dismissAlert", id=alert["id"], note="重复")
    assert codes(closed) == ["BAD_STATE"] and "allowed: none" in closed["errors"][0]["message"]
    steps = (await only_alert(worker, building))["history"]
    assert [s["action"] for s in steps] == ["raised", "acknowledge", "handle"]


async def test_a_raised_alert_can_be_dismissed_with_a_note(
    runtime: Runtime, client: httpx.AsyncClient, buildings: list[Building]
) -> None:
    building = pick(buildings, 1, "dismiss")[0]
    await smoke(runtime, building)
    property_co = Caller(client, bearer("property_manager", building.community, "pm-2"))
    alert = await only_alert(property_co, building)
    done = await property_co.data(MOVE % "dismissAlert", id=alert["id"], note="设备测试")
    assert done["dismissAlert"]["status"] == "DISMISSED"


async def test_repeats_within_the_window_are_one_alert_and_later_ones_a_new_one(
    runtime: Runtime, client: httpx.AsyncClient, buildings: list[Building], later: None
) -> None:
    building = pick(buildings, 1, "dedup")[0]
    await smoke(runtime, building, 0.3)
    await smoke(runtime, building, 0.1)
    worker = Caller(client, grid_worker(building.jurisdiction))
    alert = await only_alert(worker, building)
    assert alert["repeats"] == 1 and len(alert["evidence"]) == 2
    clock.set_now(clock.now() + timedelta(hours=1, minutes=5))  # the 1 h window is over
    await smoke(runtime, building)
    data = await worker.data(ONE, place=building.id)
    assert data["alerts"]["totalCount"] == 2


async def test_an_alert_nobody_acknowledges_is_escalated_once(
    runtime: Runtime, client: httpx.AsyncClient, buildings: list[Building], later: None
) -> None:
    waiting, taken = pick(buildings, 2, "escalation")
    await smoke(runtime, waiting)
    await smoke(runtime, taken)
    worker = Caller(client, grid_worker(taken.jurisdiction))
    await worker.data('mutation($id: ID!) { acknowledgeAlert(id: $id) { status } }',
                      id=(await only_alert(worker, taken))["id"])
    street_of = {b.id: Caller(client, bearer("street_admin", b.jurisdiction[:9], "street-2"))
                 for b in (waiting, taken)}
    start = clock.now()
    clock.set_now(start + timedelta(minutes=9), running=False)
    await runtime.alerts.tick()
    assert (await street_of[waiting.id].data(ONE, place=waiting.id))["alerts"]["totalCount"] == 0
    clock.set_now(start + timedelta(minutes=11), running=False)
    await runtime.alerts.tick()
    await runtime.alerts.tick()
    escalated = await only_alert(street_of[waiting.id], waiting)
    assert escalated["escalatedAt"] is not None
    assert [s["action"] for s in escalated["history"]] == ["raised", "escalated"]
    assert (await street_of[taken.id].data(ONE, place=taken.id))["alerts"]["totalCount"] == 0


FILTERED = """query($place: ID, $status: [AlertStatus!], $since: DateTime, $rule: String) {
  alerts(filter: {placeId: $place, status: $status, since: $since, rule: $rule}) { totalCount }
  alertCounts(filter: {placeId: $place}) { raised acknowledged handled dismissed } }"""


async def test_alerts_are_filtered_by_status_rule_place_and_time(
    runtime: Runtime, client: httpx.AsyncClient, buildings: list[Building]
) -> None:
    building = pick(buildings, 1, "filters")[0]
    await smoke(runtime, building)
    worker = Caller(client, grid_worker(building.jurisdiction))
    alert = await only_alert(worker, building)
    await worker.data(MOVE % "dismissAlert", id=alert["id"], note="测试按钮误触")

    async def total(**given: object) -> int:
        data = await worker.data(FILTERED, place=building.id, **given)
        return int(data["alerts"]["totalCount"])

    assert await total(status=["DISMISSED"]) == 1
    assert await total(status=["RAISED", "ACKNOWLEDGED"]) == 0
    assert await total(rule="lift_faults") == 0
    assert await total(since=(clock.now() + timedelta(minutes=1)).isoformat()) == 0
    assert await total(since=(clock.now() - timedelta(minutes=5)).isoformat()) == 1
    counts = (await worker.data(FILTERED, place=building.id))["alertCounts"]
    assert counts == {"raised": 0, "acknowledged": 0, "handled": 0, "dismissed": 1}
