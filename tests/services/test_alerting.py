"""A forecast above a module's capacity raises the `service_capacity` early warning, for the
community's staff only."""

import httpx
import pytest

from hub.runtime import Runtime
from hub.services import alerting
from tests.alerts.test_rules import alerts_for
from tests.conftest import bearer

pytestmark = pytest.mark.usefixtures("services_demo")


async def test_demand_forecast_above_capacity_warns_the_community(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    runtime.services.feed_alerts()  # as at start (an alerts test may have put its own input)
    demands = await alerting.over_capacity(runtime.services, "330105004")
    assert demands, "the demo plants needs whose forecast outgrows their module"
    assert all(d.forecast > d.capacity and d.jurisdiction.startswith("330105004")
               for d in demands)
    await runtime.alerts.tick()
    for demand in demands:
        mine = await alerts_for(client, bearer("community_worker", demand.jurisdiction),
                                "service_capacity", demand.place_id)
        assert len(mine) == 1, demand
    others = {d.jurisdiction for d in demands} ^ {"330105004001", "330105004002"}
    for community in others:
        assert await alerts_for(client, bearer("community_worker", community),
                                "service_capacity") == []
