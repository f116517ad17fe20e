"""Aggregates for the city brain: counts only, small cells suppressed, within jurisdiction."""

from hub.access.stats import suppressed
from tests.access.conftest import STREET, Demo
from tests.conftest import GraphQLClient, bearer

QUERY = "{ stats { residentsByCommunity { code name count } } }"


def test_small_cells_are_suppressed() -> None:
    assert [suppressed(n) for n in (0, 1, 4, 5, 120)] == ["0", "<5", "<5", "5", "120"]


async def test_city_brain_gets_counts_not_rows(gql: GraphQLClient) -> None:
    brain = gql.as_(bearer("city_brain", STREET[:6]))
    rows = (await brain(QUERY))["data"]["stats"]["residentsByCommunity"]
    everyone = (await gql("{ people(first: 1) { totalCount } }"))["data"]["people"]["totalCount"]
    assert rows and all(r["code"].startswith(STREET[:6]) and r["name"] for r in rows)
    assert all(r["count"] == "<5" or int(r["count"]) >= 5 or r["count"] == "0" for r in rows)
    shown = sum(int(r["count"]) for r in rows if r["count"] != "<5")
    assert shown <= everyone
    people = await brain("{ people { totalCount } }")
    assert people["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_stats_stay_in_jurisdiction_and_need_permission(
    gql: GraphQLClient, demo_places: Demo
) -> None:
    worker = gql.as_(bearer("community_worker", demo_places.community))
    rows = (await worker(QUERY))["data"]["stats"]["residentsByCommunity"]
    assert [r["code"] for r in rows] == [demo_places.community]
    grid = gql.as_(bearer("grid_worker", demo_places.grid))
    assert (await grid(QUERY))["errors"][0]["extensions"]["code"] == "FORBIDDEN"
