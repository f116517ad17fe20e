"""Intake through GraphQL: validated, located, understood, stored once, answered the same."""

import asyncio
import uuid

import httpx
from sqlalchemy import func, select

from hub.civic.records import Opinion
from hub.runtime import Runtime
from tests.civic.conftest import STAFF, Caller, codes, resident

SUBMIT = """mutation($input: OpinionInput!) { submitOpinion(input: $input) {
  created opinion { id text category keywords placeId placeName placePrecision jurisdiction
                    status channel } } }"""


async def a_building(gql: Caller) -> dict:
    body = await gql.data(
        "{ places(first: 1, filter: {level: BUILDING}) { edges { node { id name jurisdiction } } } }"
    )
    return body["places"]["edges"][0]["node"]


def opinion(text: str, **extra: object) -> dict:
    return {"text": text, "idempotencyKey": str(uuid.uuid4()), "channel": "app", **extra}


async def test_an_address_is_placed_and_keywords_computed(client: httpx.AsyncClient) -> None:
    gql = Caller(client, resident("prs_0000000000000001"))
    building = await a_building(Caller(client, STAFF))
    body = await gql.data(SUBMIT, input=opinion(
        "楼道里电动车飞线充电太危险了，希望增设充电桩，谢谢", address=f"拱墅区{building['name']}"))
    found = body["submitOpinion"]
    assert found["created"] is True
    op = found["opinion"]
    assert op["placeId"] == building["id"] and op["placePrecision"] == "building"
    assert op["jurisdiction"] == building["jurisdiction"]
    assert "充电桩" in op["keywords"] and "谢谢" not in op["keywords"]
    assert op["category"] in ("safety", "traffic") and op["status"] == "RECEIVED"


async def test_same_key_same_payload_is_the_same_opinion(client: httpx.AsyncClient) -> None:
    gql = Caller(client, resident("prs_0000000000000002"))
    building = await a_building(Caller(client, STAFF))
    payload = opinion("小区垃圾桶满了没人清运", placeId=building["id"])
    first = (await gql.data(SUBMIT, input=payload))["submitOpinion"]
    again = (await gql.data(SUBMIT, input=payload))["submitOpinion"]
    assert first["created"] is True and again["created"] is False
    assert again["opinion"]["id"] == first["opinion"]["id"]
    changed = await gql(SUBMIT, input={**payload, "text": "换了内容"})
    assert codes(changed) == ["IDEMPOTENCY_CONFLICT"]


async def test_bad_input_gets_clear_codes(client: httpx.AsyncClient) -> None:
    gql = Caller(client)
    building = await a_building(Caller(client, STAFF))
    where = {"placeId": building["id"]}
    assert codes(await gql(SUBMIT, input=opinion("   ", **where))) == ["BAD_INPUT"]
    assert codes(await gql(SUBMIT, input=opinion("长" * 4001, **where))) == ["BAD_INPUT"]
    assert codes(await gql(SUBMIT, input=opinion("电梯坏了", address="火星基地99幢"))) == [
        "UNKNOWN_PLACE"]
    assert codes(await gql(SUBMIT, input=opinion("电梯坏了"))) == ["UNKNOWN_PLACE"]
    assert codes(await gql(SUBMIT, input=opinion("电梯坏了", placeId="plc_ffffffffffffffff"))) == [
        "UNKNOWN_PLACE"]
    assert codes(await gql(SUBMIT, input=opinion("电梯坏了", category="nope", **where))) == [
        "BAD_INPUT"]
    assert codes(await gql(SUBMIT, input=opinion("电梯坏了", channel="hotline", **where))) == [
        "BAD_INPUT"]


async def test_markup_is_stored_as_text(client: httpx.AsyncClient, runtime: Runtime) -> None:
    gql = Caller(client, resident("prs_0000000000000003"))
    building = await a_building(Caller(client, STAFF))
    text = "<script>alert('x')</script><b>电梯</b>又坏了"
    op = (await gql.data(SUBMIT, input=opinion(text, placeId=building["id"])))["submitOpinion"]
    assert op["opinion"]["text"] == text
    async with runtime.sessions() as session:
        stored = await session.get(Opinion, op["opinion"]["id"])
    assert stored is not None and stored.text == text


async def test_fifty_concurrent_retries_store_one(client: httpx.AsyncClient, runtime: Runtime) -> None:
    gql = Caller(client, resident("prs_0000000000000004"))
    building = await a_building(Caller(client, STAFF))
    payload = opinion("路灯坏了一个月了，晚上很黑", placeId=building["id"])
    answers = await asyncio.gather(*(gql.data(SUBMIT, input=payload) for _ in range(50)))
    ids = {a["submitOpinion"]["opinion"]["id"] for a in answers}
    assert len(ids) == 1
    assert sum(a["submitOpinion"]["created"] for a in answers) == 1
    async with runtime.sessions() as session:
        stored = await session.scalar(select(func.count()).where(Opinion.id == ids.pop()))
    assert stored == 1


async def test_the_author_sees_their_opinion_others_do_not(client: httpx.AsyncClient) -> None:
    author = Caller(client, resident("prs_0000000000000005"))
    building = await a_building(Caller(client, STAFF))
    op = (await author.data(SUBMIT, input=opinion("健身器材坏了", placeId=building["id"])))
    opinion_id = op["submitOpinion"]["opinion"]["id"]
    query = "query($id: ID!) { opinion(id: $id) { id text } }"
    assert (await author.data(query, id=opinion_id))["opinion"]["id"] == opinion_id
    stranger = Caller(client, resident("prs_0000000000000006"))
    assert codes(await stranger(query, id=opinion_id)) == ["FORBIDDEN"]


async def test_a_hotline_order_with_an_unknown_address_is_kept(runtime: Runtime) -> None:
    from hub.civic.imports import _hotline_history, _order_submission
    from hub.civic.intake import store_batch

    record = {"_key": "GD-UNPLACED-1", "_jurisdiction": "330105004001", "description": "井盖缺失",
              "address": "某某路口", "reporterPhone": "13800000009"}
    report = await store_batch(runtime.civic.intake, [_order_submission(record)],
                               _hotline_history([record]))
    again = await store_batch(runtime.civic.intake, [_order_submission(record)],
                              _hotline_history([record]))
    assert (report.created, report.unresolved, again.created, again.existing) == (1, 1, 0, 1)
    async with runtime.sessions() as session:
        stored = await session.scalar(select(Opinion).where(Opinion.external_ref == "GD-UNPLACED-1"))
    assert stored is not None and stored.place_id is None
    assert stored.jurisdiction == "330105004001" and stored.channel == "hotline"
