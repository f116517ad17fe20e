"""Surveys reach their audience by subscription from another hub process; services calls are in the
access log, refusals as `deny`; a module's edit is kept in its history."""

import asyncio
from collections.abc import Iterator

import httpx
import pytest

from hub.runtime import Runtime
from hub.settings import Settings
from tests.civic.test_subscriptions import next_payload, opened, subscribe, until_listening
from tests.conftest import TEST_JWT_SECRET, bearer
from tests.services.conftest import MINE, OTHER, Caller, codes, resident, residents_of
from tests.services.test_audience import CREATE, SEND, START, living_alone
from tests.support.hub_process import running_hub

pytestmark = pytest.mark.usefixtures("services_demo")

SENT = "subscription { surveySent { id title status community } }"


async def until_subscribers(runtime: Runtime, channel: str, n: int) -> None:
    """Until exactly `n` subscriptions of the other hub listen on `channel`."""
    for _ in range(200):
        if dict(await runtime.redis.pubsub_numsub(channel)).get(channel.encode(), 0) == n:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{channel} never had {n} subscribers")


@pytest.fixture(scope="module")
def other_hub(settings: Settings, link_report: object) -> Iterator[str]:
    with running_hub(settings, TEST_JWT_SECRET) as url:
        yield url.replace("http://", "ws://") + "/graphql"


async def test_a_sent_survey_reaches_the_community(
    other_hub: str, worker: Caller, runtime: Runtime
) -> None:
    person = (await residents_of(runtime, MINE, 1))[0]
    ws = await opened(other_hub, resident(person))
    stranger = await opened(other_hub, {})
    try:
        await subscribe(ws, "s1", SENT)
        await until_listening(runtime, f"services:survey:{MINE}")
        await subscribe(stranger, "s2", SENT)
        refused = await asyncio.wait_for(stranger.recv(), 10)
        assert '"FORBIDDEN"' in str(refused)
        project = (await worker.data("""mutation { startServiceProject(input: {
          community: "330105004001", need: "culture", title: "广场舞场地协调",
          summary: "协调晚间场地与音量", evidence: "噪音与场地意见"}) { id } }"""))[
            "startServiceProject"]
        survey = (await worker.data("""mutation($p: ID!) { createSurvey(projectId: $p,
          title: "广场舞时段意见征询", questions: [{kind: "choice", text: "您希望的时段",
          options: ["18:30–19:30", "19:30–20:30"]}]) { id } }""", p=project["id"]))[
            "createSurvey"]
        await worker.data("mutation($id: ID!) { sendSurvey(id: $id) { id } }", id=survey["id"])
        got = await next_payload(ws)
        assert got["surveySent"] == {"id": survey["id"], "title": "广场舞时段意见征询",
                                     "status": "OPEN", "community": MINE}
    finally:
        await ws.close()
        await stranger.close()


async def test_a_target_group_survey_reaches_only_the_group_by_subscription(
    other_hub: str, worker: Caller, runtime: Runtime
) -> None:
    _, members = await living_alone(runtime, MINE)
    outsider = next(p for p in await residents_of(runtime, MINE, 200) if p not in members)
    channel = f"services:survey:{MINE}"
    await until_subscribers(runtime, channel, 0)  # the earlier tests' have left
    elder = await opened(other_hub, resident(members[0]))
    out = await opened(other_hub, resident(outsider))
    try:
        await subscribe(elder, "e", SENT)
        await until_subscribers(runtime, channel, 1)
        await subscribe(out, "o", SENT)
        await until_subscribers(runtime, channel, 2)
        sent = []
        for need, audience in (("meals", "TARGET_GROUP"), ("culture", "COMMUNITY")):
            project = (await worker.data(START, c=MINE, n=need))["startServiceProject"]["id"]
            survey = (await worker.data(CREATE, p=project))["createSurvey"]["id"]
            await worker.data(SEND, id=survey, a=audience)
            sent.append(survey)
        # The group's survey reaches the elder first; the outsider's first is the community's.
        assert (await next_payload(elder))["surveySent"]["id"] == sent[0]
        assert (await next_payload(out))["surveySent"]["id"] == sent[1]
    finally:
        await elder.close()
        await out.close()


async def test_access_log_and_module_history(
    client: httpx.AsyncClient, worker: Caller
) -> None:
    auditor = Caller(client, bearer("auditor", [], "auditor-svc"))
    log = """query($p: String!) { accessLog(first: 50, filter: {principal: $p}) {
      totalCount edges { node { decision operationName } } } }"""
    listed = (await worker.data("""query ServicesList($j: String) {
      serviceModules(jurisdiction: $j) { id code } }""", j=MINE))["serviceModules"]
    culture = next(m for m in listed if m["code"] == "culture")
    edited = (await worker.data("""mutation Edit($id: ID!) { updateServiceModule(id: $id,
      input: {hours: "每天 8:00–21:00", providers: ["社区文化家园", "街道文体中心"]},
      note: "暑期延长开放") { hours providers history { action note } } }""",
                                id=culture["id"]))["updateServiceModule"]
    assert edited["hours"] == "每天 8:00–21:00" and len(edited["providers"]) == 2
    assert edited["history"][-1] == {"action": "updated", "note": "暑期延长开放"}
    refused = await worker("query Elsewhere($j: String) { serviceModules(jurisdiction: $j) "
                           "{ id } }", j=OTHER)
    assert codes(refused) == ["FORBIDDEN"]
    entries = (await auditor.data(log, p="worker-1"))["accessLog"]["edges"]
    seen = {(e["node"]["operationName"], e["node"]["decision"]) for e in entries}
    assert {("ServicesList", "allow"), ("Edit", "allow"), ("Elsewhere", "deny")} <= seen
