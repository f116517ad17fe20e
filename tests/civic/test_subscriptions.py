"""Answers reach their authors over graphql-transport-ws from another hub process (Redis fan-out)."""

import asyncio
import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from hub.civic import events
from hub.runtime import Runtime
from hub.settings import Settings
from tests.civic.conftest import STAFF, Caller, resident
from tests.conftest import TEST_JWT_SECRET, bearer
from tests.support.hub_process import running_hub


@pytest.fixture(scope="module")
def other_hub(settings: Settings, link_report: object) -> Iterator[str]:
    with running_hub(settings, TEST_JWT_SECRET) as url:
        yield url.replace("http://", "ws://") + "/graphql"


async def subscribe(ws: ClientConnection, sub_id: str, query: str, **variables: Any) -> None:
    message = {"id": sub_id, "type": "subscribe",
               "payload": {"query": query, "variables": variables}}
    await ws.send(json.dumps(message))


async def opened(url: str, headers: dict[str, str]) -> ClientConnection:
    ws = await connect(url, subprotocols=["graphql-transport-ws"], additional_headers=headers)
    await ws.send(json.dumps({"type": "connection_init"}))
    assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "connection_ack"
    return ws


async def until_listening(runtime: Runtime, channel: str) -> None:
    """Until the other hub has subscribed to `channel` itself."""
    for _ in range(100):
        if dict(await runtime.redis.pubsub_numsub(channel)).get(channel.encode(), 0) > 0:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the other hub never subscribed to {channel}")


async def listeners(runtime: Runtime, jurisdiction: str) -> int:
    """How many subscribers hear of a new opinion of `jurisdiction` (by pattern). Redis names
    no pattern, but PUBLISH answers how many received: the probe goes to a channel only the
    patterns for that jurisdiction (or above it) match, and names no opinion, so they skip it."""
    probe = events.new_opinion_channel(jurisdiction) + f"/probe-{uuid.uuid4().hex}"
    return int(await runtime.redis.publish(probe, json.dumps({"opinionId": "op_probe"})))


async def until_more_listeners(runtime: Runtime, jurisdiction: str, before: int) -> None:
    for _ in range(100):
        if await listeners(runtime, jurisdiction) > before:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the other hub never listened for new opinions of {jurisdiction}")


async def next_payload(ws: ClientConnection) -> dict[str, Any]:
    message = json.loads(await asyncio.wait_for(ws.recv(), 10))
    assert message["type"] == "next", message
    return {"id": message["id"], **message["payload"]["data"]}


UPDATES = """subscription($id: ID!) { opinionUpdates(opinionId: $id) {
  opinionId status response { kind text } } }"""
MINE = "subscription { myResponses { opinionId status response { kind } } }"


async def test_an_answer_reaches_the_author_through_another_process(
    other_hub: str, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    subject = "prs_00000000000000aa"
    author = resident(subject)
    places = await Caller(client, STAFF).data(
        "{ places(first: 1, filter: {level: BUILDING}) { edges { node { id } } } }")
    place = places["places"]["edges"][0]["node"]["id"]
    submitted = await Caller(client, author).data(
        "mutation($i: OpinionInput!) { submitOpinion(input: $i) { opinion { id } } }",
        i={"text": "单元门禁坏了", "idempotencyKey": str(uuid.uuid4()), "placeId": place})
    opinion_id = submitted["submitOpinion"]["opinion"]["id"]
    ws = await opened(other_hub, author)
    try:
        await subscribe(ws, "updates", UPDATES, id=opinion_id)
        await subscribe(ws, "mine", MINE)
        await until_listening(runtime, events.opinion_channel(opinion_id))
        await until_listening(runtime, events.author_channel(runtime.civic.author_key(
            subject)))
        await Caller(client, STAFF).data(
            'mutation($id: ID!) { respondToOpinion(opinionId: $id, text: "已派维修人员", '
            "kind: FINAL) { id } }", id=opinion_id)
        got = {p["id"]: p for p in [await next_payload(ws), await next_payload(ws)]}
    finally:
        await ws.close()
    update = got["updates"]["opinionUpdates"]
    assert update == {"opinionId": opinion_id, "status": "CLOSED",
                      "response": {"kind": "FINAL", "text": "已派维修人员"}}
    assert got["mine"]["myResponses"]["opinionId"] == opinion_id


async def test_staff_see_new_opinions_live(
    other_hub: str, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ws = await opened(other_hub, STAFF)
    before = await listeners(runtime, "330105004")
    try:
        await subscribe(ws, "new", "subscription { newOpinions(jurisdiction: \"330105004\") "
                                   "{ id text } }")
        await until_more_listeners(runtime, "330105004", before)
        places = await Caller(client, STAFF).data(
            "{ places(first: 1, filter: {level: BUILDING}) { edges { node { id } } } }")
        place = places["places"]["edges"][0]["node"]["id"]
        await Caller(client).data(
            "mutation($i: OpinionInput!) { submitOpinion(input: $i) { opinion { id } } }",
            i={"text": "路灯不亮", "idempotencyKey": str(uuid.uuid4()), "placeId": place})
        payload = await next_payload(ws)
    finally:
        await ws.close()
    assert payload["newOpinions"]["text"] == "路灯不亮"


async def test_anonymous_cannot_follow_new_opinions(other_hub: str) -> None:
    ws = await opened(other_hub, {})
    try:
        await subscribe(ws, "new", "subscription { newOpinions(jurisdiction: \"330105004\") { id } }")
        message = json.loads(await asyncio.wait_for(ws.recv(), 10))
    finally:
        await ws.close()
    assert message["type"] in ("error", "next")
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"



async def test_a_bad_token_is_refused_at_the_handshake(other_hub: str) -> None:
    """The gate closes the socket before accepting it; the server answers the upgrade 403."""
    forged = {"Authorization": "Bearer not.a.token"}
    with pytest.raises(InvalidStatus) as refused:
        async with connect(other_hub, subprotocols=["graphql-transport-ws"],
                           additional_headers=forged):
            pass
    assert refused.value.response.status_code == 403


async def _submitted(client: httpx.AsyncClient, author: dict[str, str], text: str) -> str:
    places = await Caller(client, STAFF).data(
        "{ places(first: 1, filter: {level: BUILDING}) { edges { node { id } } } }")
    place = places["places"]["edges"][0]["node"]["id"]
    submitted = await Caller(client, author).data(
        "mutation($i: OpinionInput!) { submitOpinion(input: $i) { opinion { id } } }",
        i={"text": text, "idempotencyKey": str(uuid.uuid4()), "placeId": place})
    return submitted["submitOpinion"]["opinion"]["id"]


async def _first_message(ws: ClientConnection) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(ws.recv(), 10))  # type: ignore[no-any-return]


@pytest.mark.parametrize("who", ["anonymous", "another resident", "other community staff"])
async def test_only_who_may_read_an_opinion_follows_it(
    other_hub: str, client: httpx.AsyncClient, who: str
) -> None:
    opinion_id = await _submitted(client, resident("prs_00000000000000ab"), "楼道灯坏了")
    found = await Caller(client, STAFF).data(
        "query($id: ID!) { opinion(id: $id) { jurisdiction } }", id=opinion_id)
    mine = found["opinion"]["jurisdiction"][:12]
    other = next(c for c in ("330105004001", "330105004002") if c != mine)
    headers = {
        "anonymous": {},
        "another resident": resident("prs_00000000000000ac"),
        "other community staff": bearer("community_worker", other, "staff-x"),
    }[who]
    ws = await opened(other_hub, headers)
    try:
        await subscribe(ws, "spy", UPDATES, id=opinion_id)
        message = await _first_message(ws)
    finally:
        await ws.close()
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"], message


async def test_a_token_in_connection_init_acts_for_its_principal(
    other_hub: str, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    subject = "prs_00000000000000ad"
    author = resident(subject)
    opinion_id = await _submitted(client, author, "小区门口积水")
    ws = await connect(other_hub, subprotocols=["graphql-transport-ws"])
    try:
        await ws.send(json.dumps({"type": "connection_init", "payload": author}))
        assert (await _first_message(ws))["type"] == "connection_ack"
        await subscribe(ws, "updates", UPDATES, id=opinion_id)
        await until_listening(runtime, events.opinion_channel(opinion_id))
        await Caller(client, STAFF).data(
            'mutation($id: ID!) { respondToOpinion(opinionId: $id, text: "已疏通", '
            "kind: FINAL) { id } }", id=opinion_id)
        update = (await next_payload(ws))["opinionUpdates"]
    finally:
        await ws.close()
    assert update["opinionId"] == opinion_id and update["response"]["text"] == "已疏通"


REFUSALS = '{ accessLog(first: 1, filter: {decision: "unauthenticated"}) { totalCount } }'


async def test_a_bad_token_in_connection_init_is_refused_and_recorded(
    other_hub: str, client: httpx.AsyncClient
) -> None:
    auditor = Caller(client, bearer("auditor", [], "auditor-1"))
    before = (await auditor.data(REFUSALS))["accessLog"]["totalCount"]
    ws = await connect(other_hub, subprotocols=["graphql-transport-ws"])
    try:
        await ws.send(json.dumps({"type": "connection_init",
                                  "payload": {"Authorization": "Bearer not.a.token"}}))
        with pytest.raises(ConnectionClosed) as closed:
            await _first_message(ws)
    finally:
        await ws.close()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
    assert (await auditor.data(REFUSALS))["accessLog"]["totalCount"] == before + 1
