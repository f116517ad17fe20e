"""Civic permissions for tokens naming several jurisdictions or roles: each (role, jurisdiction)
pair grants in its own jurisdiction only, never with another pair's scope."""

import httpx
import pytest

from tests.civic.conftest import STREET, Caller, codes
from tests.conftest import bearer

pytestmark = pytest.mark.usefixtures("civic_imports")

PAGE = """query($j: String) { opinions(jurisdiction: $j, first: 50) {
  totalCount edges { node { id jurisdiction } } } }"""
ONE = "query($id: ID!) { opinion(id: $id) { id text } }"
HOTSPOTS = "query($j: String!) { hotspots(jurisdiction: $j, month: \"2026-01\") { title } }"
KPIS = "query($j: String!) { kpis(jurisdiction: $j, month: \"2026-01\") { received } }"


async def _communities(staff: Caller) -> list[str]:
    rows = await staff.data("{ stats { residentsByCommunity { code } } }")
    return [r["code"] for r in rows["stats"]["residentsByCommunity"]]


async def _an_opinion_in(staff: Caller, community: str) -> str:
    page = await staff.data(PAGE, j=community)
    return page["opinions"]["edges"][0]["node"]["id"]


@pytest.mark.parametrize("street_first", [True, False])
async def test_a_community_worker_naming_her_street_acts_in_her_community_only(
    client: httpx.AsyncClient, staff: Caller, street_first: bool
) -> None:
    mine, other = (await _communities(staff))[:2]
    places = [STREET, mine] if street_first else [mine, STREET]
    worker = Caller(client, bearer("community_worker", places, "staff-pairs"))
    alone = Caller(client, bearer("community_worker", mine, "staff-pairs"))

    for query in (PAGE, HOTSPOTS, KPIS):
        assert codes(await worker(query, j=other)) == ["FORBIDDEN"], query
        assert codes(await worker(query, j=STREET)) == ["FORBIDDEN"], query
    assert codes(await worker(ONE, id=await _an_opinion_in(staff, other))) == ["FORBIDDEN"]
    assert (await worker.data(ONE, id=await _an_opinion_in(staff, mine)))["opinion"]

    everything = (await worker.data(PAGE, j=None))["opinions"]
    assert everything == (await alone.data(PAGE, j=None))["opinions"]
    assert everything["totalCount"] > 0
    assert all(e["node"]["jurisdiction"].startswith(mine) for e in everything["edges"])


async def test_two_communities_read_both_and_nothing_else(
    client: httpx.AsyncClient, staff: Caller
) -> None:
    first, second, *rest = await _communities(staff)
    worker = Caller(client, bearer("community_worker", [first, second], "staff-two"))
    both = (await worker.data(PAGE, j=None))["opinions"]["totalCount"]
    each = [
        (await worker.data(PAGE, j=j))["opinions"]["totalCount"] for j in (first, second)
    ]
    assert both == sum(each) > 0
    for other in rest[:2]:
        assert codes(await worker(PAGE, j=other)) == ["FORBIDDEN"]


async def test_a_role_without_civic_grants_adds_no_scope(
    client: httpx.AsyncClient, staff: Caller
) -> None:
    mine, other = (await _communities(staff))[:2]
    # police reads people in the whole street but no opinions: its pair must not widen hers
    mixed = Caller(client, bearer(["community_worker", "police"], [mine, STREET], "staff-mixed"))
    assert codes(await mixed(PAGE, j=other)) == ["FORBIDDEN"]
    assert codes(await mixed(KPIS, j=STREET)) == ["FORBIDDEN"]


AGENDA = """query($j: String!) { agenda(jurisdiction: $j, first: 50) { id
  opinions(first: 200) { id jurisdiction } } }"""
GENERATE = """mutation($j: String!, $m: String!) { generateAgenda(jurisdiction: $j, month: $m,
  top: 10) { id } }"""
ATTACH = """mutation($item: ID!, $op: ID!) { attachOpinion(agendaItemId: $item, opinionId: $op)
  { id } }"""


async def test_a_topic_shows_a_worker_only_her_communitys_opinions(
    client: httpx.AsyncClient, staff: Caller
) -> None:
    first, second = (await _communities(staff))[:2]
    await staff.data(GENERATE, j=STREET, m="2026-01")
    item = next(i for i in (await staff.data(AGENDA, j=STREET))["agenda"]
                if i["opinions"] and i["opinions"][0]["jurisdiction"].startswith(first))
    other = await _an_opinion_in(staff, second)
    await staff.data(ATTACH, item=item["id"], op=other)  # the topic now spans both
    opinions = next(i for i in (await staff.data(AGENDA, j=STREET))["agenda"]
                    if i["id"] == item["id"])["opinions"]
    for community in (first, second):
        worker = Caller(client, bearer("community_worker", community, "staff-topic"))
        seen = next(i for i in (await worker.data(AGENDA, j=community))["agenda"]
                    if i["id"] == item["id"])
        mine = {o["id"] for o in opinions if o["jurisdiction"].startswith(community)}
        assert {o["id"] for o in seen["opinions"]} == mine and mine
