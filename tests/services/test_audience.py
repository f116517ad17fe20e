"""A survey reaches only its audience: the project's target group (read live from the linked
civil-affairs records) or its recorded users; others neither see nor answer it, and the
results show the audience's size and response rate, small audiences suppressed."""

from datetime import date

import pytest
from sqlalchemy import func, select

from hub import clock
from hub.runtime import Runtime
from hub.services.records import Answer, ProjectUser
from tests.services.conftest import MINE, OTHER, Caller, codes, resident, residents_of

pytestmark = pytest.mark.usefixtures("services_demo")

START = """mutation($c: String!, $n: String!) { startServiceProject(input: {community: $c,
  need: $n, title: "独居老人助餐回访", summary: "了解助餐服务的送餐与菜品",
  evidence: "助餐相关意见与独居老人人数"}) { id } }"""
CREATE = """mutation($p: ID!) { createSurvey(projectId: $p, title: "助餐回访问卷",
  questions: [{kind: "scale", text: "您对送餐服务的满意度", satisfaction: true}]) { id } }"""
SEND = """mutation($id: ID!, $a: SurveyAudience!) { sendSurvey(id: $id, audience: $a) {
  id audience audienceGroup link } }"""
ANSWER = """mutation($id: ID, $t: String) { answerSurvey(id: $id, token: $t, answers: ["5"]) {
  id answered } }"""
BY_TOKEN = "query($t: String!) { surveyByToken(token: $t) { id audience } }"
MY = "{ mySurveys { id } }"
RESULTS = """query($id: ID!) { serviceSurvey(id: $id) { results { audienceSize respondents
  responseRate suppressed satisfactionRate questions { answers } } } }"""
RECORD = """mutation($p: ID!, $who: ID!) { recordProjectUser(projectId: $p, person: $who) {
  id users } }"""


async def living_alone(runtime: Runtime, community: str) -> tuple[int, list[str]]:
    """Straight from the civil-affairs department: its living-alone records in the community,
    and the hub persons they are linked to."""
    connector = runtime.registry.get("civil")
    keys: list[str] = []
    offset = 0
    while True:
        page = await connector.query("care_record", {}, [community], offset, 500)
        keys += [str(r["_key"]) for r in page.records if r.get("livingAlone") is True]
        offset += 500
        if offset >= page.total or not page.records:
            break
    ids = await runtime.links.ids_for_sources("Person", [f"civil/care_record/{k}" for k in keys])
    return len(keys), sorted(set(ids.values()))


async def _survey(worker: Caller, need: str) -> tuple[str, str]:
    project = (await worker.data(START, c=MINE, n=need))["startServiceProject"]["id"]
    return project, (await worker.data(CREATE, p=project))["createSurvey"]["id"]


async def _answers(runtime: Runtime, survey: str) -> int:
    async with runtime.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Answer).where(
            Answer.survey_id == int(survey))) or 0)


async def test_a_target_group_survey_reaches_only_the_group(
    worker: Caller, runtime: Runtime
) -> None:
    records, members = await living_alone(runtime, MINE)
    assert records >= 5 and members, "the demo plants living-alone elders in the community"
    outsider = next(p for p in await residents_of(runtime, MINE, 200) if p not in members)
    _, survey = await _survey(worker, "meals")  # 助餐: target group 独居老人
    sent = (await worker.data(SEND, id=survey, a="TARGET_GROUP"))["sendSurvey"]
    assert (sent["audience"], sent["audienceGroup"]) == ("TARGET_GROUP", "独居老人")
    token = sent["link"].rsplit("/", 1)[1]

    out = Caller(worker.http, resident(outsider))
    assert survey not in {s["id"] for s in (await out.data(MY))["mySurveys"]}
    assert codes(await out(BY_TOKEN, t=token)) == ["NOT_IN_AUDIENCE"]
    refused = await out(ANSWER, id=survey)
    assert codes(refused) == ["NOT_IN_AUDIENCE"] and "不在发放范围" in refused["errors"][0][
        "message"]
    assert codes(await out(ANSWER, t=token)) == ["NOT_IN_AUDIENCE"]
    assert await _answers(runtime, survey) == 0

    elder = Caller(worker.http, resident(members[0]))
    assert survey in {s["id"] for s in (await elder.data(MY))["mySurveys"]}
    assert (await elder.data(BY_TOKEN, t=token))["surveyByToken"]["id"] == survey
    assert (await elder.data(ANSWER, t=token))["answerSurvey"]["answered"] is True
    assert codes(await elder(ANSWER, id=survey)) == ["ALREADY_ANSWERED"]

    results = (await worker.data(RESULTS, id=survey))["serviceSurvey"]["results"]
    assert results["audienceSize"] == records  # the live count of the department's records
    assert results["respondents"] == 1 and results["suppressed"] is False
    assert results["responseRate"] == pytest.approx(1 / records)
    assert results["satisfactionRate"] == 1.0


async def infants_households(runtime: Runtime, community: str) -> tuple[set[str], set[str]]:
    """Straight from the registry and the graph: the linked children under 3 in the community,
    and the people related to them as household (a child → its head → the head's members)."""
    today = clock.now().date()
    born_after = today.replace(year=today.year - 3)
    page = await runtime.registry.get("police").query("resident", {}, [community], 0, 5000)
    assert page.total <= 5000
    refs = [f"police/resident/{r['_key']}" for r in page.records
            if isinstance(r.get("birthDate"), date) and r["birthDate"] > born_after]
    children = set((await runtime.links.ids_for_sources("Person", refs)).values())
    found = set(children)
    for _ in range(2):
        related = await runtime.links.traverse("person_household", sorted(found), [community], 50)
        found |= {p for ps in related.values() for p in ps}
    return children, found


async def test_a_childcare_survey_reaches_the_childrens_households(
    worker: Caller, runtime: Runtime
) -> None:
    children, households = await infants_households(runtime, MINE)
    parents = sorted(households - children)
    assert children and parents, "the demo registers young children with their households"
    outsider = next(p for p in await residents_of(runtime, MINE, 300) if p not in households)
    _, survey = await _survey(worker, "childcare")
    sent = (await worker.data(SEND, id=survey, a="TARGET_GROUP"))["sendSurvey"]
    assert sent["audienceGroup"] == "3岁以下婴幼儿"
    parent = Caller(worker.http, resident(parents[0]))
    assert survey in {s["id"] for s in (await parent.data(MY))["mySurveys"]}
    assert (await parent.data(ANSWER, id=survey))["answerSurvey"]["answered"] is True
    assert codes(await Caller(worker.http, resident(outsider))(ANSWER, id=survey)) == [
        "NOT_IN_AUDIENCE"]
    results = (await worker.data(RESULTS, id=survey))["serviceSurvey"]["results"]
    assert results["audienceSize"] == len(households) > len(children)  # people, not children
    assert results["respondents"] == 1


async def test_a_community_survey_counts_the_residents(worker: Caller, runtime: Runtime) -> None:
    _, survey = await _survey(worker, "culture")
    assert (await worker.data(SEND, id=survey, a="COMMUNITY"))["sendSurvey"]["audience"] == (
        "COMMUNITY")
    rows = await runtime.links.residents_by_community([MINE])
    residents = next(n for code, _, n in rows if code == MINE)
    results = (await worker.data(RESULTS, id=survey))["serviceSurvey"]["results"]
    assert results["audienceSize"] == residents and results["respondents"] == 0
    assert results["responseRate"] == 0.0


async def test_a_small_users_audience_is_reached_but_suppressed(
    worker: Caller, runtime: Runtime
) -> None:
    people = await residents_of(runtime, MINE, 3)
    stranger = (await residents_of(runtime, OTHER, 1))[0]
    project, survey = await _survey(worker, "meals")
    nobody = await worker(SEND, id=survey, a="USERS")
    assert codes(nobody) == ["BAD_INPUT"] and "尚未登记" in nobody["errors"][0]["message"]

    assert codes(await worker(RECORD, p=project, who=stranger)) == ["OUT_OF_JURISDICTION"]
    assert codes(await Caller(worker.http, resident(people[0]))(
        RECORD, p=project, who=people[0])) == ["FORBIDDEN"]
    for person in people[:2] + people[:1]:  # recording someone twice keeps one record
        recorded = (await worker.data(RECORD, p=project, who=person))["recordProjectUser"]
        assert recorded["users"] is None  # 2 users: a small cell
    async with runtime.sessions() as session:
        keys = list(await session.scalars(select(ProjectUser.user_key).where(
            ProjectUser.project_id == int(project))))
    assert len(keys) == 2 and not any(p in k for k in keys for p in people)

    assert (await worker.data(SEND, id=survey, a="USERS"))["sendSurvey"]["audience"] == "USERS"
    user = Caller(worker.http, resident(people[0]))
    assert survey in {s["id"] for s in (await user.data(MY))["mySurveys"]}
    assert (await user.data(ANSWER, id=survey))["answerSurvey"]["answered"] is True
    other = Caller(worker.http, resident(people[2]))
    assert survey not in {s["id"] for s in (await other.data(MY))["mySurveys"]}
    assert codes(await other(ANSWER, id=survey)) == ["NOT_IN_AUDIENCE"]

    results = (await worker.data(RESULTS, id=survey))["serviceSurvey"]["results"]
    assert results == {"audienceSize": None, "respondents": None, "responseRate": None,
                       "suppressed": True, "satisfactionRate": None, "questions": []}
    assert await _answers(runtime, survey) == 1
