"""The place index on a machine whose monotonic clock starts near zero (a fresh boot, a CI
container): it must load on first use, not wait until the clock passes the refresh period."""

import pytest

from hub.civic import places
from hub.civic.places import REFRESH_SECONDS, PlaceIndex
from hub.linking.report import LinkReport
from hub.runtime import Runtime


@pytest.mark.parametrize("uptime", [0.0, 30.0, REFRESH_SECONDS - 1])
async def test_a_freshly_booted_machine_places_addresses(
    runtime: Runtime, link_report: LinkReport, monkeypatch: pytest.MonkeyPatch, uptime: float
) -> None:
    monkeypatch.setattr(places.time, "monotonic", lambda: uptime)
    rows = await runtime.links.store.read(
        "MATCH (p:Place) WHERE p.level = 'building' RETURN p.id AS id, p.name AS name LIMIT 1"
    )
    found = await PlaceIndex(runtime.links).resolve(rows[0]["name"])
    assert found is not None and (found.id, found.precision) == (rows[0]["id"], "building")


async def test_the_index_reloads_after_its_refresh_period(
    runtime: Runtime, link_report: LinkReport, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [10.0]
    monkeypatch.setattr(places.time, "monotonic", lambda: clock[0])
    index = PlaceIndex(runtime.links)
    await index.refresh()
    index._buildings.clear()  # as if the graph had nothing when last read
    clock[0] += REFRESH_SECONDS - 1
    await index.refresh()
    assert not index._buildings
    clock[0] += 1
    await index.refresh()
    assert index._buildings
