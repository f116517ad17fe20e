"""A grid worker of another grid gets nothing: not by query, count, id, move or subscription
(delivered by another hub process, through Redis), and the access log names only what each
one read."""

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection

from hub.runtime import Runtime
from hub.settings import Settings
from tests.alerts.conftest import Building, ago, grid_worker, pick, settle, xadd
from tests.civic.conftest import Caller, codes
from tests.civic.test_subscriptions import opened, subscribe
from tests.conftest import TEST_JWT_SECRET, bearer
from tests.support.hub_process import running_hub

UPDATES = """subscription { alertUpdates { change alert { id rule place { id } message
  evidence { kind eventType } } } }"""
LIST = "query($p: ID) { alerts(filter: {placeId: $p}) { totalCount edges { node { id } } } }"


@pytest.fixture(scope="module")
def other_hub(settings: Settings, link_report: object) -> Iterator[str]:
    with running_hub(settings, TEST_JWT_SECRET, HUB_ALERT_TICK_SECONDS="3600") as url:
        yield url.replace("http://", "ws://") + "/graphql"


def two_grids(buildings: list[Building], salt: str) -> tuple[Building, Building]:
    mine = pick(buildings, 1, salt)[0]
    return mine, pick(buildings, 1, salt, other_than=mine.jurisdiction)[0]


async def listening(runtime: Runtime, grid: str, before: int) -> None:
    """Until the other hub listens for the grid worker's alerts of `grid` (patterns are not
    named by Redis, but a publish says how many heard it: the probe names no alert)."""
    for _ in range(200):
        heard = await runtime.redis.publish(f"alerts:to:grid_worker:{grid}/probe", "{}")
        if heard > before:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the other hub never subscribed")


async def listeners(runtime: Runtime, grid: str) -> int:
    return int(await runtime.redis.publish(f"alerts:to:grid_worker:{grid}/probe", "{}"))


async def next_update(ws: ClientConnection, timeout: float = 10) -> dict[str, Any]:
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), timeout))
        assert message["type"] == "next", message
        return message["payload"]["data"]["alertUpdates"]  # type: ignore[no-any-return]


async def test_another_grid_hears_nothing_of_an_alert_by_subscription(
    other_hub: str, runtime: Runtime, buildings: list[Building]
) -> None:
    mine, other = two_grids(buildings, "scope-sub")
    before = {b.jurisdiction: await listeners(runtime, b.jurisdiction) for b in (mine, other)}
    me = await opened(other_hub, grid_worker(mine.jurisdiction))
    them = await opened(other_hub, grid_worker(other.jurisdiction))
    try:
        await subscribe(me, "a", UPDATES)
        await subscribe(them, "b", UPDATES)
        for building in (mine, other):
            await listening(runtime, building.jurisdiction, before[building.jurisdiction])
        await xadd(runtime, "smoke_alarm", ago(0.01), mine.id, jurisdiction=mine.jurisdiction)
        await settle(runtime)
        got = await next_update(me)
        assert got["change"] == "raised" and got["alert"]["place"]["id"] == mine.id
        with pytest.raises(TimeoutError):
            await next_update(them, timeout=1.5)
        await xadd(runtime, "smoke_alarm", ago(0.01), other.id, jurisdiction=other.jurisdiction)
        await settle(runtime)
        theirs = await next_update(them)  # their subscription was live all along
        assert theirs["alert"]["place"]["id"] == other.id
    finally:
        await me.close()
        await them.close()


async def test_another_grid_reads_nothing_of_an_alert(
    runtime: Runtime, client: httpx.AsyncClient, buildings: list[Building]
) -> None:
    mine, other = two_grids(buildings, "scope-query")
    await xadd(runtime, "smoke_alarm", ago(0.01), mine.id, jurisdiction=mine.jurisdiction)
    await settle(runtime)
    owner = Caller(client, grid_worker(mine.jurisdiction))
    alert_id = (await owner.data(LIST, p=mine.id))["alerts"]["edges"][0]["node"]["id"]
    stranger = Caller(client, bearer("grid_worker", other.jurisdiction, "stranger"))
    assert (await stranger.data(LIST, p=mine.id))["alerts"]["totalCount"] == 0
    assert (await stranger.data("query($id: ID!) { alert(id: $id) { id } }", id=alert_id)) == {
        "alert": None}
    counts = await stranger.data(
        "query($p: ID) { alertCounts(filter: {placeId: $p}) { raised acknowledged } }", p=mine.id)
    assert counts["alertCounts"] == {"raised": 0, "acknowledged": 0}
    moved = await stranger('mutation($id: ID!) { acknowledgeAlert(id: $id) { id } }',
                           id=alert_id)
    unknown = await stranger('mutation { acknowledgeAlert(id: "999999999") { id } }')
    assert codes(moved) == codes(unknown) == ["NOT_FOUND"]
    assert moved["errors"][0]["message"].replace(alert_id, "N") == (
        unknown["errors"][0]["message"].replace("999999999", "N"))
    auditor = Caller(client, bearer("auditor", [], "auditor-2"))
    log = await auditor.data(
        '{ accessLog(first: 1000, filter: {principal: "stranger"}) { edges { node { entities '
        "} } } }")
    seen = [e["node"]["entities"] for e in log["accessLog"]["edges"]]
    assert seen and all(alert_id not in (json.loads(s) if isinstance(s, str) else s).get(
        "Alert", []) for s in seen)
    mine_log = await auditor.data(
        '{ accessLog(first: 1000, filter: {principal: "grid-' + mine.jurisdiction[-4:] + '"}) '
        "{ edges { node { entities } } } }")
    assert any(alert_id in (json.loads(s) if isinstance(s, str) else s).get("Alert", [])
               for s in [e["node"]["entities"] for e in mine_log["accessLog"]["edges"]])
