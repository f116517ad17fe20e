"""The loop as staff and residents use it (issue 16, item 3): each test is a fault found by
walking it end to end, as a community worker, a property manager and residents."""

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from hub import clock
from hub.civic.periods import CST, month_of
from hub.civic.records import Response
from hub.runtime import Runtime
from tests.civic.conftest import STREET, Caller, codes, resident
from tests.conftest import bearer

pytestmark = pytest.mark.usefixtures("civic_imports")

MINE = "330105004001"  # the community worker's community
OTHER = "330105004002"
WORKER = bearer("community_worker", MINE, "demo-community_worker")

AGENDA = """query($j: String!) { agenda(jurisdiction: $j, first: 100) { id jurisdiction status
  opinions(first: 200) { id jurisdiction } } }"""
GENERATE = """mutation($j: String!, $m: String!) { generateAgenda(jurisdiction: $j, month: $m,
  top: 5) { id } }"""
DECIDE = """mutation($id: ID!) { decideAgendaItem(id: $id, accept: true) { status
  opinions(first: 500) { id responses { kind text responder } } } }"""


def month_back(n: int) -> str:
    return month_of(clock.now()).before(n).label


async def street_items(staff: Caller, month: str) -> list[dict[str, Any]]:
    """The street's topics of `month`, with where their opinions are."""
    await staff.data(GENERATE, j=STREET, m=month)
    return (await staff.data(AGENDA, j=STREET))["agenda"]


def touching(items: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    return [i for i in items if i["jurisdiction"] == STREET
            and any((o["jurisdiction"] or "").startswith(prefix) for o in i["opinions"])]


async def test_a_community_worker_acts_on_street_items_about_her_community(
    staff: Caller, client: httpx.AsyncClient
) -> None:
    items = touching(await street_items(staff, month_back(2)), MINE)
    assert items, "the demo plants bursts in both communities"
    worker = Caller(client, WORKER)
    seen = (await worker.data(AGENDA, j=MINE))["agenda"]
    assert {i["id"] for i in items} <= {i["id"] for i in seen}
    mine = next(i for i in seen if i["id"] == items[0]["id"])
    assert all(o["jurisdiction"].startswith(MINE) for o in mine["opinions"]), "her rows only"
    proposed = next(i for i in items if i["status"] == "PROPOSED")
    accepted = (await worker.data(DECIDE, id=proposed["id"]))["decideAgendaItem"]
    assert accepted["status"] == "ACCEPTED"
    elsewhere = [i for i in await street_items(staff, month_back(2))
                 if not touching([i], MINE) and i["status"] == "PROPOSED"]
    if elsewhere:
        assert codes(await worker(DECIDE, id=elsewhere[0]["id"])) == ["FORBIDDEN"]


async def test_residents_read_offices_never_account_ids(
    staff: Caller, client: httpx.AsyncClient
) -> None:
    items = [i for i in touching(await street_items(staff, month_back(3)), MINE)
             if i["status"] == "PROPOSED"]
    worker = Caller(client, WORKER)
    accepted = (await worker.data(DECIDE, id=items[0]["id"]))["decideAgendaItem"]
    acks = [r for o in accepted["opinions"] for r in o["responses"] if r["kind"] == "ACKNOWLEDGE"
            and "议事会" in r["text"]]
    assert acks
    for answer in acks:
        assert "demo-" not in answer["text"] + answer["responder"]
        assert answer["responder"].endswith("居民委员会"), answer["responder"]
        assert "社区红茶议事会" in answer["text"]
    some = ",".join(o["id"] for o in accepted["opinions"][:5])
    shown = (await client.get("/open311/v2/requests.json",
                              params={"service_request_id": some})).json()
    assert all(r["agency_responsible"].endswith(("居民委员会", "热线")) for r in shown)


SCHEDULE = """mutation($input: SessionInput!) { scheduleSession(input: $input) { id startsAt } }"""
BALLOT = """mutation($s: ID!, $d: DateTime!) { openBallot(sessionId: $s, question: "是否同意？",
  options: ["同意", "不同意"], deadline: $d) { id deadline } }"""


async def test_a_date_time_without_timezone_is_beijing_time(staff: Caller) -> None:
    day = (clock.now() + timedelta(days=3)).astimezone(CST).date().isoformat()
    made = await staff.data(SCHEDULE, input={
        "jurisdiction": STREET, "title": "红茶议事会", "mode": "OFFLINE", "location": "会议室",
        "startsAt": f"{day}T19:00:00", "endsAt": f"{day}T21:00:00", "agendaIds": []})
    assert made["scheduleSession"]["startsAt"].startswith(f"{day}T11:00:00")
    ballot = await staff.data(BALLOT, s=made["scheduleSession"]["id"], d=f"{day}T20:30:00")
    assert ballot["openBallot"]["deadline"].startswith(f"{day}T12:30:00")


FIND = """query($j: String!, $s: String!) { residentsForCouncil(jurisdiction: $j, search: $s)
  { id name jurisdiction } }"""


async def some_people(staff: Caller, prefix: str) -> list[dict[str, Any]]:
    body = await staff.data("query($j: String!) { people(first: 50, filter: {jurisdiction: $j}) "
                            "{ edges { node { id name phone jurisdiction } } } }", j=prefix)
    return [e["node"] for e in body["people"]["edges"] if e["node"]["name"]]


async def test_staff_find_residents_to_register(staff: Caller, client: httpx.AsyncClient) -> None:
    worker = Caller(client, WORKER)
    neighbour = (await some_people(staff, MINE))[0]
    by_name = (await worker.data(FIND, j=MINE, s=neighbour["name"]))["residentsForCouncil"]
    assert neighbour["id"] in {p["id"] for p in by_name}
    assert all(p["jurisdiction"].startswith(MINE) for p in by_name)
    if neighbour["phone"]:
        by_phone = (await worker.data(FIND, j=MINE, s=neighbour["phone"]))["residentsForCouncil"]
        assert [p["id"] for p in by_phone] == [neighbour["id"]]
    stranger = (await some_people(staff, OTHER))[0]
    assert codes(await worker(FIND, j=OTHER, s=stranger["name"])) == ["FORBIDDEN"]
    found = (await worker.data(FIND, j=MINE, s=stranger["name"]))["residentsForCouncil"]
    assert stranger["id"] not in {p["id"] for p in found}


VOTE = "mutation($b: ID!, $o: String!) { castVote(ballotId: $b, option: $o) }"
JOIN = "mutation($s: ID!) { joinSession(sessionId: $s) { role } }"


async def test_only_participants_vote_and_only_once_the_session_started(
    staff: Caller, client: httpx.AsyncClient
) -> None:
    start = clock.now() + timedelta(hours=1)
    made = await staff.data(SCHEDULE, input={
        "jurisdiction": MINE, "title": "红茶议事会", "mode": "ONLINE",
        "onlineUrl": "https://meet.example/2", "startsAt": start.isoformat(),
        "endsAt": (start + timedelta(hours=2)).isoformat(), "agendaIds": []})
    session_id = made["scheduleSession"]["id"]
    ballot = await staff.data(BALLOT, s=session_id, d=(start + timedelta(hours=1)).isoformat())
    ballot_id = ballot["openBallot"]["id"]
    joined, walk_in = (Caller(client, resident(p["id"])) for p in (await some_people(staff, MINE))[:2])
    await joined.data(JOIN, s=session_id)
    assert codes(await joined(VOTE, b=ballot_id, o="同意")) == ["VOTING_NOT_OPEN"]
    with clock.pinned(start + timedelta(minutes=5), running=False):
        assert codes(await walk_in(VOTE, b=ballot_id, o="同意")) == ["NOT_A_PARTICIPANT"]
        assert (await joined.data(VOTE, b=ballot_id, o="同意"))["castVote"] is True


PLAN = """mutation($input: PlanInput!) { createPlan(input: $input) { id status version
  tasks { id ownerOrg } } }"""
RESPOND = """mutation($p: ID!) { respondToPlan(planId: $p, text: "已完成") { sentNow
  alreadyAnswered total note } }"""
UPDATE = "mutation($t: ID!) { updateTask(taskId: $t, progress: 100) { progress } }"
PUBLISH = "mutation($p: ID!) { publishPlan(id: $p) { status } }"


def plan_input(agenda: str, owner_jurisdiction: str | None = None) -> dict[str, Any]:
    due = (clock.now() + timedelta(days=30)).astimezone(CST).date().isoformat()
    return {"agendaId": agenda, "title": "整治方案", "summary": "物业牵头",
            "responseText": "问题已整改，感谢您的反映。",
            "tasks": [{"title": "维修", "ownerOrg": "绿城物业", "dueDate": due,
                       "ownerRole": "property_manager",
                       "ownerJurisdiction": owner_jurisdiction or MINE}]}


async def finals(runtime: Runtime, ids: list[str]) -> dict[str, int]:
    async with runtime.sessions() as session:
        rows = await session.execute(select(Response.opinion_id, func.count()).where(
            Response.opinion_id.in_(ids), Response.kind == "final").group_by(Response.opinion_id))
        return dict(rows.all())


async def test_one_plan_drafted_published_or_canceled_and_one_final_answer(
    staff: Caller, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    items = [i for i in touching(await street_items(staff, month_back(4)), MINE)
             if i["status"] == "PROPOSED"]
    accepted = (await staff.data(DECIDE, id=items[0]["id"]))["decideAgendaItem"]
    ids = [o["id"] for o in accepted["opinions"]]
    draft = (await staff.data(PLAN, input=plan_input(items[0]["id"])))["createPlan"]
    assert draft["status"] == "DRAFT" and draft["version"] == 1
    assert codes(await staff(PLAN, input=plan_input(items[0]["id"]))) == ["BAD_STATE"]
    listed = await staff.data("query($j: String!) { plans(jurisdiction: $j) { id status } }",
                              j=STREET)
    assert {"id": draft["id"], "status": "DRAFT"} in listed["plans"]
    revised = await staff.data('mutation($p: ID!) { revisePlan(id: $p, title: "电梯整治方案", '
                               'note: "标题") { version title } }', p=draft["id"])
    assert revised["revisePlan"] == {"version": 2, "title": "电梯整治方案"}
    canceled = await staff.data('mutation($p: ID!) { cancelPlan(id: $p, reason: "测试方案") '
                                "{ status cancelReason } }", p=draft["id"])
    assert canceled["cancelPlan"] == {"status": "CANCELED", "cancelReason": "测试方案"}
    plan = (await staff.data(PLAN, input=plan_input(items[0]["id"])))["createPlan"]
    await staff.data(PUBLISH, p=plan["id"])
    manager = Caller(client, bearer("property_manager", MINE, "demo-property_manager"))
    assert codes(await Caller(client, bearer("property_manager", OTHER, "pm-2"))(
        UPDATE, t=plan["tasks"][0]["id"])) == ["FORBIDDEN"]
    await manager.data(UPDATE, t=plan["tasks"][0]["id"])
    answered = (await staff.data(RESPOND, p=plan["id"]))["respondToPlan"]
    assert answered["sentNow"] == 0 and answered["alreadyAnswered"] == answered["total"] > 0
    assert answered["note"]
    assert set((await finals(runtime, ids)).values()) == {1}
    direct = ('mutation($o: ID!) { respondToOpinion(opinionId: $o, text: "再次答复", kind: FINAL) '
              "{ kind } }")
    assert codes(await staff(direct, o=ids[0])) == ["BAD_STATE"]


async def test_resolved_and_satisfied_are_apart(staff: Caller) -> None:
    kpis = (await staff.data(
        'query($m: String!) { kpis(jurisdiction: "330105004", month: $m) { rated '
        "resolutionRated resolutionRate satisfactionRate } }", m=month_back(2)))["kpis"]
    assert kpis["rated"] > 0, "the hotline's callbacks rate satisfaction"
    assert kpis["resolutionRated"] < kpis["rated"], "a verdict of 满意 says nothing of resolution"


SUBMIT = """mutation($t: String!) { submitOpinion(input: {text: $t, idempotencyKey: "form-1",
  address: "小河街道"}) { created opinion { id } } }"""


async def test_idempotency_keys_are_per_client(client: httpx.AsyncClient) -> None:
    one, two = Caller(client, resident("13900000001")), Caller(client, resident("13900000002"))
    first = (await one.data(SUBMIT, t="路灯坏了"))["submitOpinion"]
    second = (await two.data(SUBMIT, t="垃圾没人清"))["submitOpinion"]
    assert first["created"] and second["created"]
    assert first["opinion"]["id"] != second["opinion"]["id"]
    assert (await one.data(SUBMIT, t="路灯坏了"))["submitOpinion"]["created"] is False
