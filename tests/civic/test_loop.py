"""The whole loop on the demo street: hotspots → agenda → council → plan → answers → KPIs."""

import csv
from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select

from hub import clock
from hub.civic.intake import BatchReport
from hub.civic.periods import CST, month_of
from hub.civic.records import Opinion
from hub.runtime import Runtime
from tests.civic.conftest import STREET, Caller, codes, resident
from tests.conftest import bearer

pytestmark = pytest.mark.usefixtures("civic_imports")


def last_month() -> str:
    """The month before the hub's clock's (pinned to the demo's day for the session)."""
    return month_of(clock.now()).before(1).label


HOTSPOTS = """query($j: String!, $m: String!) { hotspots(jurisdiction: $j, month: $m, top: 5) {
  title keywords placeId score growth count places { placeId name opinions }
  clusters { size } opinions(first: 3) { id text } } }"""
GENERATE = """mutation($j: String!, $m: String!) { generateAgenda(jurisdiction: $j, month: $m,
  top: 3) { id title summary status keywords departments places { name opinions } } }"""


async def test_imports_are_complete_and_idempotent(
    civic_imports: dict[str, BatchReport], runtime: Runtime
) -> None:
    hotline, demo = civic_imports["hotline"], civic_imports["demo"]
    exported = runtime.settings.data_dir / "demo"  # the files the demo generated
    with (exported / "hotline" / "work_orders.csv").open(encoding="utf-8-sig", newline="") as f:
        orders = sum(1 for _ in csv.DictReader(f))
    with (exported / "opinions" / "opinions.csv").open(encoding="utf-8-sig", newline="") as f:
        opinions = sum(1 for _ in csv.DictReader(f))
    assert hotline.created == orders > 100 and demo.created == opinions > 500
    assert not hotline.rejected and not demo.rejected
    from hub.civic import imports

    again = await imports.import_hotline(runtime.civic)
    assert again.created == 0 and again.existing == hotline.created


async def test_hotspots_need_staff_of_the_jurisdiction(client: httpx.AsyncClient) -> None:
    anonymous = await Caller(client)(HOTSPOTS, j=STREET, m=last_month())
    assert codes(anonymous) == ["FORBIDDEN"]
    forged = Caller(client, {"X-Hub-Roles": "street_admin", "X-Hub-Jurisdiction": STREET})
    assert codes(await forged(HOTSPOTS, j=STREET, m=last_month())) == ["FORBIDDEN"]
    elsewhere = Caller(client, bearer("community_worker", "330105004001", "staff-2"))
    assert codes(await elsewhere(HOTSPOTS, j=STREET, m=last_month())) == ["FORBIDDEN"]
    assert codes(await Caller(client)(HOTSPOTS.replace("hotspots", "kpis"), j=STREET, m="2025-13"))


async def test_hotspots_come_with_evidence(staff: Caller) -> None:
    spots = (await staff.data(HOTSPOTS, j=STREET, m=last_month()))["hotspots"]
    assert spots, "the demo plants bursts every month"
    assert all(s["score"] >= 10 and s["opinions"] and s["places"] for s in spots)
    local = next(s for s in spots if s["placeId"])  # a planted burst in one building
    assert local["count"] >= 8 and local["growth"] > 0
    assert local["placeId"] == local["places"][0]["placeId"]


async def _author_of(runtime: Runtime, opinion_ids: set[str]) -> tuple[str, str]:
    """A demo opinion among `opinion_ids` and its author's phone (the demo CSV knows it)."""
    path = runtime.settings.data_dir / "demo" / "opinions" / "opinions.csv"
    with path.open(encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            oid = "op_" + runtime.keys.digest("opinion", f"demo\x1f{row['idempotency_key']}", 16)
            if oid in opinion_ids and row["author_phone"]:
                return oid, row["author_phone"]
    raise AssertionError("no demo opinion in the topic")


async def test_the_loop(staff: Caller, client: httpx.AsyncClient, runtime: Runtime) -> None:
    items = (await staff.data(GENERATE, j=STREET, m=last_month()))["generateAgenda"]
    again = (await staff.data(GENERATE, j=STREET, m=last_month()))["generateAgenda"]
    assert items and [i["id"] for i in again] == [i["id"] for i in items]
    first = items[0]
    assert first["status"] == "PROPOSED" and "property" in first["departments"]
    assert "条居民意见" in first["summary"]
    if len(items) > 1:
        merged = await staff.data(
            "mutation($t: ID!, $s: [ID!]!) { mergeAgendaItems(targetId: $t, sourceIds: $s) "
            "{ id keywords } }", t=first["id"], s=[items[-1]["id"]])
        assert set(items[-1]["keywords"]) <= set(merged["mergeAgendaItems"]["keywords"])
    edited = await staff.data('mutation($id: ID!) { editAgendaItem(id: $id, title: "电梯安全专题") '
                              "{ title } }", id=first["id"])
    assert edited["editAgendaItem"]["title"] == "电梯安全专题"
    accepted = await staff.data(
        "mutation($id: ID!) { decideAgendaItem(id: $id, accept: true) { status "
        "opinions(first: 500) { id status responses { kind } } } }", id=first["id"])
    linked = accepted["decideAgendaItem"]["opinions"]
    assert accepted["decideAgendaItem"]["status"] == "ACCEPTED"
    assert all(o["responses"] for o in linked), "every supporter hears the topic was taken up"
    opinion_ids = {o["id"] for o in linked}

    session_id = await _council(staff, client, runtime, first["id"])
    await _plan(staff, client, first["id"], session_id, opinion_ids)
    opinion_id, phone = await _author_of(runtime, opinion_ids)
    await _rating(client, opinion_id, phone)
    await _kpis(staff, runtime)


SCHEDULE = """mutation($input: SessionInput!) { scheduleSession(input: $input) { id mode
  startsAt agenda { id } } }"""


def session_input(jurisdiction: str, agenda: list[str], **extra: object) -> dict:
    start = clock.now() + timedelta(days=1)
    return {"jurisdiction": jurisdiction, "title": "红茶议事会", "mode": "HYBRID",
            "startsAt": start.isoformat(), "endsAt": (start + timedelta(hours=2)).isoformat(),
            "agendaIds": agenda, **extra}


async def residents(staff: Caller) -> list[dict]:
    body = await staff.data("{ people(first: 1000) { edges { node { id jurisdiction } } } }")
    return [e["node"] for e in body["people"]["edges"] if e["node"]["jurisdiction"]]


async def _council(staff: Caller, client: httpx.AsyncClient, runtime: Runtime, agenda: str) -> str:
    assert codes(await staff(SCHEDULE, input=session_input(STREET, [agenda]))) == ["BAD_INPUT"]
    made = await staff.data(SCHEDULE, input=session_input(STREET, [agenda], location="社区会议室"))
    session_id = made["scheduleSession"]["id"]
    assert made["scheduleSession"]["agenda"] == [{"id": agenda}]
    people = await residents(staff)
    voter, other = people[0], next(p for p in people if p["jurisdiction"][:14] !=
                                   people[0]["jurisdiction"][:14])
    small = await staff.data(SCHEDULE, input=session_input(
        voter["jurisdiction"][:14], [], mode="ONLINE", onlineUrl="https://meet.example/1"))
    join = "mutation($s: ID!) { joinSession(sessionId: $s) { role jurisdiction } }"
    outsider = Caller(client, resident(other["id"]))
    assert codes(await outsider(join, s=small["scheduleSession"]["id"])) == ["OUT_OF_JURISDICTION"]
    opened = datetime.fromisoformat(made["scheduleSession"]["startsAt"])  # voting opens then
    deadline = opened + timedelta(seconds=2)
    with clock.pinned(opened, running=False):
        ballot_id = await _ballot(staff, client, session_id, deadline, voter["id"])
    decide = ('mutation($s: ID!, $b: ID!) { recordDecision(sessionId: $s, ballotId: $b, '
              'text: "同意更换电梯") { outcome tally { option votes } } }')
    with clock.pinned(deadline - timedelta(microseconds=1), running=False):
        assert codes(await staff(decide, s=session_id, b=ballot_id)) == ["BAD_STATE"]
    with clock.pinned(deadline, running=False):  # closed at the deadline itself
        assert codes(await Caller(client, resident(people[1]["id"]))(
            VOTE, b=ballot_id, o="同意")) == ["BALLOT_CLOSED"]
        decision = (await staff.data(decide, s=session_id, b=ballot_id))["recordDecision"]
    assert decision["outcome"] == "同意"
    assert {"option": "同意", "votes": 1} in decision["tally"]
    return session_id


VOTE = "mutation($b: ID!, $o: String!) { castVote(ballotId: $b, option: $o) }"


async def _ballot(
    staff: Caller, client: httpx.AsyncClient, session_id: str, deadline: datetime, voter: str
) -> str:
    """A ballot open until `deadline` with one vote for 同意; the clock is before it."""
    ballot = await staff.data(
        'mutation($s: ID!, $d: DateTime!) { openBallot(sessionId: $s, question: "是否更换电梯？", '
        'options: ["同意", "不同意"], deadline: $d) { id tally { option } } }',
        s=session_id, d=deadline.isoformat())
    ballot_id = ballot["openBallot"]["id"]
    assert ballot["openBallot"]["tally"] is None, "no tally before the deadline"
    me = Caller(client, resident(voter))
    assert codes(await me(VOTE, b=ballot_id, o="同意")) == ["NOT_A_PARTICIPANT"]
    await me.data("mutation($s: ID!) { joinSession(sessionId: $s) { role } }", s=session_id)
    assert (await me.data(VOTE, b=ballot_id, o="同意"))["castVote"] is True
    assert codes(await me(VOTE, b=ballot_id, o="不同意")) == ["ALREADY_VOTED"]
    assert codes(await me(VOTE, b=ballot_id, o="弃权")) == ["BAD_INPUT"]
    assert codes(await Caller(client, resident("prs_ffffffffffffffff"))(
        VOTE, b=ballot_id, o="同意")) == ["NOT_A_PARTICIPANT"]
    assert codes(await Caller(client)(VOTE, b=ballot_id, o="同意")) == ["FORBIDDEN"]
    return ballot_id


PLAN = """mutation($input: PlanInput!) { createPlan(input: $input) { id status
  tasks { id progress ownerOrg } } }"""
PUBLISH = "mutation($p: ID!) { publishPlan(id: $p) { status } }"


async def _plan(
    staff: Caller, client: httpx.AsyncClient, agenda: str, session_id: str, opinion_ids: set[str]
) -> None:
    due = (clock.now() + timedelta(days=30)).astimezone(CST).date().isoformat()
    plan = (await staff.data(PLAN, input={
        "agendaId": agenda, "title": "更换老旧电梯", "summary": "物业牵头，维保单位配合",
        "responseText": "电梯已更换并通过验收，感谢您的反映。",
        "tasks": [{"title": "采购电梯", "ownerOrg": "物业公司", "dueDate": due},
                  {"title": "安装验收", "ownerOrg": "市场监管所", "dueDate": due}]}))["createPlan"]
    respond = ("mutation($p: ID!) { respondToPlan(planId: $p, text: \"已完成\") "
               "{ sentNow alreadyAnswered byThisPlan } }")
    assert codes(await staff(respond, p=plan["id"])) == ["PLAN_NOT_DONE"]
    assert (await staff.data(PUBLISH, p=plan["id"]))["publishPlan"]["status"] == "PUBLISHED"
    update = "mutation($t: ID!, $n: Int!) { updateTask(taskId: $t, progress: $n, note: \"ok\") { progress } }"
    assert codes(await staff(update, t=plan["tasks"][0]["id"], n=101)) == ["BAD_INPUT"]
    for task in plan["tasks"]:
        await staff.data(update, t=task["id"], n=100)
    answered = (await staff.data(respond, p=plan["id"]))["respondToPlan"]
    assert answered["sentNow"] == 0 and answered["byThisPlan"] > 0, "answered when done"
    done = await staff.data("query($id: ID!) { plan(id: $id) { status progress } }", id=plan["id"])
    assert done["plan"] == {"status": "DONE", "progress": 100.0}
    some = sorted(opinion_ids)[:5]
    follow = await client.get("/open311/v2/requests.json",
                              params={"service_request_id": ",".join(some)})
    assert all(r["status"] == "closed" for r in follow.json())
    assert any(r["status_notes"] == "电梯已更换并通过验收，感谢您的反映。" for r in follow.json())


async def _rating(client: httpx.AsyncClient, opinion_id: str, phone: str) -> None:
    rate = ("mutation($id: ID!) { rateResponse(opinionId: $id, satisfaction: 5, resolved: true) "
            "{ satisfaction resolved status } }")
    assert codes(await Caller(client, resident("13000000000"))(rate, id=opinion_id)) == ["FORBIDDEN"]
    author = Caller(client, resident(phone))
    rated = (await author.data(rate, id=opinion_id))["rateResponse"]
    assert rated == {"satisfaction": 5, "resolved": True, "status": "CLOSED"}
    assert codes(await author(rate, id=opinion_id)) == ["BAD_STATE"]


async def _kpis(staff: Caller, runtime: Runtime) -> None:
    label = last_month()
    body = await staff.data(
        "query($m: String!) { kpis(jurisdiction: \"330105004\", month: $m) { received responded "
        "closed rated responseRate resolutionRate satisfactionRate medianHoursToFirstResponse "
        "medianHoursToClose } }", m=label)
    kpis = body["kpis"]
    period = month_of(datetime.fromisoformat(f"{label}-15T00:00:00+08:00"))
    async with runtime.sessions() as session:
        received = await session.scalar(select(func.count()).where(
            Opinion.created_at >= period.start, Opinion.created_at < period.end,
            Opinion.jurisdiction.like("330105004%")))
    assert kpis["received"] == received > 0
    assert 0 < kpis["responseRate"] <= 1 and 0 < kpis["satisfactionRate"] <= 1
    assert kpis["rated"] <= kpis["closed"] <= kpis["received"]
    assert kpis["medianHoursToFirstResponse"] is not None
