"""A resident reaches her own opinions whatever the channel: one given with her phone (Open311,
the hotline) is hers where the graph links that phone to her, and only hers."""

import uuid

import httpx
import pytest

from hub.civic.open311 import demo_key
from hub.runtime import Runtime
from tests.civic.conftest import Caller, codes, resident
from tests.civic.test_open311 import BASE, a_building_name

pytestmark = pytest.mark.usefixtures("civic_imports")

MINE = "{ myOpinions(first: 100) { totalCount edges { node { id channel } } } }"
ONE = "query($id: ID!) { opinion(id: $id) { id channel } }"


async def _a_person_with_a_phone(client: httpx.AsyncClient, runtime: Runtime) -> tuple[str, str]:
    """(person id, phone) of a resident whose phone the link graph holds, read as staff."""
    body = await client.post("/graphql", json={
        "query": "{ people(first: 200) { edges { node { id phone } } } }"})
    people = [e["node"] for e in body.json()["data"]["people"]["edges"] if e["node"]["phone"]]
    keyed = await runtime.links.store.read(
        "UNWIND $ids AS wanted MATCH (p:Person {id: wanted}) WHERE p.phoneKey IS NOT NULL "
        "RETURN p.id AS id", {"ids": [p["id"] for p in people]})
    known = {row["id"] for row in keyed}
    person = next(p for p in people if p["id"] in known)
    return person["id"], person["phone"]


async def test_an_opinion_given_by_phone_is_its_authors(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    person, phone = await _a_person_with_a_phone(client, runtime)
    form = {
        "api_key": demo_key(runtime.keys), "service_code": "housing",
        "description": "卫生间天花板渗水", "address_string": await a_building_name(client),
        "phone": f"+86 {phone[:3]}-{phone[3:7]}-{phone[7:]}",  # another way to write it
    }
    posted = await client.post(f"{BASE}/requests.json", data=form,
                               headers={"Idempotency-Key": str(uuid.uuid4())})
    assert posted.status_code == 201, posted.text
    opinion_id = posted.json()[0]["service_request_id"]

    her = Caller(client, resident(person))
    assert (await her.data(ONE, id=opinion_id))["opinion"]["channel"] == "open311"
    mine = (await her.data(MINE))["myOpinions"]
    assert opinion_id in [e["node"]["id"] for e in mine["edges"]]

    app = await her.data(
        "mutation($i: OpinionInput!) { submitOpinion(input: $i) { opinion { id } } }",
        i={"text": "楼下夜间施工噪音", "idempotencyKey": str(uuid.uuid4()),
           "address": form["address_string"]})
    again = (await her.data(MINE))["myOpinions"]
    assert again["totalCount"] == mine["totalCount"] + 1
    assert app["submitOpinion"]["opinion"]["id"] in [e["node"]["id"] for e in again["edges"]]

    stranger = Caller(client, resident("prs_00000000000000ff"))
    assert codes(await stranger(ONE, id=opinion_id)) == ["FORBIDDEN"]
    theirs = (await stranger.data(MINE))["myOpinions"]["edges"]
    assert opinion_id not in [e["node"]["id"] for e in theirs]


async def test_my_opinions_needs_a_signed_in_resident(client: httpx.AsyncClient) -> None:
    assert codes(await Caller(client)(MINE)) == ["FORBIDDEN"]
