"""Never lost after acknowledgement: a hub killed (SIGKILL) in the middle of an intake keeps
every opinion it acknowledged, once; a client retrying them all with the same keys against
the restarted hub gets each of them stored once."""

import asyncio
import signal
import subprocess
import uuid

import httpx
import pytest
from sqlalchemy import func, select

from hub.civic.records import Opinion
from hub.runtime import Runtime
from hub.settings import Settings
from tests.civic.conftest import resident
from tests.conftest import TEST_JWT_SECRET
from tests.support.hub_process import hub_process

SUBMIT = """mutation($input: OpinionInput!) {
  submitOpinion(input: $input) { created opinion { id } } }"""
COUNT, AT_ONCE = 80, 8  # the kill comes after a quarter, with others in flight
AUTHOR = resident("prs_00000000000c7a54")

pytestmark = pytest.mark.usefixtures("link_report")  # opinions are placed on linked places


async def _submit(http: httpx.AsyncClient, url: str, payload: dict) -> tuple[str, bool] | None:
    """The acknowledged opinion id and whether it was created; None: no answer (killed)."""
    try:
        answer = await http.post(
            f"{url}/graphql", json={"query": SUBMIT, "variables": {"input": payload}},
            headers=AUTHOR,
        )
    except httpx.HTTPError:
        return None
    body = answer.json()
    assert answer.status_code == 200 and "errors" not in body, body
    found = body["data"]["submitOpinion"]
    return found["opinion"]["id"], found["created"]


async def _intake(
    url: str, payloads: list[dict], kill: subprocess.Popen[str] | None = None
) -> dict[int, tuple[str, bool]]:
    """Submits every payload, AT_ONCE at a time; the acknowledged ones by index. `kill`: the
    hub, killed once a quarter of them are acknowledged."""
    acknowledged: dict[int, tuple[str, bool]] = {}
    slots = asyncio.Semaphore(AT_ONCE)
    async with httpx.AsyncClient(timeout=30) as http:

        async def one(i: int) -> None:
            async with slots:
                if (receipt := await _submit(http, url, payloads[i])) is not None:
                    acknowledged[i] = receipt
                if kill is not None and len(acknowledged) == COUNT // 4:
                    kill.send_signal(signal.SIGKILL)

        await asyncio.gather(*(one(i) for i in range(len(payloads))))
    return acknowledged


async def _stored(runtime: Runtime, tag: str) -> dict[str, int]:
    """Opinions of this test in the records database: id -> rows with that id's text."""
    async with runtime.sessions() as session:
        rows = await session.execute(
            select(Opinion.id, func.count()).where(Opinion.text.startswith(tag))
            .group_by(Opinion.id)
        )
        return dict(rows.all())


async def test_acknowledged_opinions_survive_a_killed_hub_once(
    settings: Settings, runtime: Runtime
) -> None:
    place = await runtime.store.read(
        "MATCH (b:Place {level: 'building'}) RETURN b.id AS id ORDER BY id LIMIT 1"
    )
    tag = f"断电测试 {uuid.uuid4().hex[:8]}"
    payloads = [
        {"text": f"{tag} 第{i}条：楼道灯坏了", "idempotencyKey": f"{tag}-{i}", "channel": "app",
         "placeId": place[0]["id"]}
        for i in range(COUNT)
    ]
    with hub_process(settings, TEST_JWT_SECRET) as (url, process):
        acknowledged = await _intake(url, payloads, kill=process)
        assert process.wait(20) == -signal.SIGKILL
    assert COUNT // 4 <= len(acknowledged) < COUNT  # killed mid-intake
    stored = await _stored(runtime, tag)
    assert {i: stored.get(opinion) for i, (opinion, _) in acknowledged.items()} == {
        i: 1 for i in acknowledged
    }
    with hub_process(settings, TEST_JWT_SECRET) as (url, _):
        retried = await _intake(url, payloads)  # the client retries everything
    assert len(retried) == COUNT
    assert all(retried[i] == (opinion, False) for i, (opinion, _) in acknowledged.items())
    assert await _stored(runtime, tag) == {opinion: 1 for opinion, _ in retried.values()}
