"""Aggregates for the city brain: counts only, small cells suppressed, within jurisdiction."""

from hub.access.stats import suppressed
from tests.access.conftest import STREET, Demo
from tests.conftest import GraphQLClient, bearer

QUERY = "{ stats { residentsByCommunity { code name count suppressed } } }"


def test_small_cells_are_suppressed() -> None:
    assert [suppressed(n) for n in (0, 1, 4, 5, 120)] == [False, True, True, False, False]


async def test_city_brain_gets_counts_not_rows(gql: GraphQLClient) -> None:
    brain = gql.as_(bearer("city_brain", STREET[:6]))
    rows = (await brain(QUERY))["data"]["stats"]["residentsByCommunity"]
    everyone = (await gql("{ people(first: 1) { totalCount } }"))["data"]["people"]["totalCount"]
    assert rows and all(r["code"].startswith(STREET[:6]) and r["name"] for r in rows)
    for row in rows:  # a number to add up, or nothing and said so
        assert row["suppressed"] is (row["count"] is None), row
        count = row["count"]
        assert count is None or (isinstance(count, int) and (count == 0 or count >= 5)), row
    assert sum(r["count"] or 0 for r in rows) <= everyone
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
