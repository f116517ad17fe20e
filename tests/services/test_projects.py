"""Service projects through the seven stages, with resources, targets, progress, evaluation,
and a questionnaire answered once per resident, results live against the 97 % target."""

import httpx
import pytest
from sqlalchemy import func, select

from hub.runtime import Runtime
from hub.services.records import Answer, Module, Project, ProjectStep, Target
from tests.conftest import bearer
from tests.services.conftest import MINE, OTHER, Caller, codes, resident, residents_of

pytestmark = pytest.mark.usefixtures("services_demo")

PROJECT = """fragment P on ServiceProject { id community stage stageName allowedMoves outcome
  organisations volunteers budget targets { id name goal unit achieved progress }
  steps { fromStage toStage evidence actor } }"""
START = PROJECT + "mutation($i: ServiceProjectInput!) { startServiceProject(input: $i) { ...P } }"
MOVE = PROJECT + """mutation($id: ID!, $to: ProjectStage!, $e: String!) {
  moveServiceProject(id: $id, to: $to, evidence: $e) { ...P } }"""
RESOURCES = PROJECT + """mutation($id: ID!) { recordProjectResources(id: $id,
  organisations: ["新三宝服务社", "社区卫生服务站"], volunteers: 12, budget: 86000) { ...P } }"""
TARGETS = """mutation($id: ID!, $t: [TargetInput!]!) {
  setProjectTargets(id: $id, targets: $t) { id name unit } }"""
PROGRESS = """mutation($p: ID!, $t: ID!, $a: Float!) {
  recordTargetProgress(projectId: $p, targetId: $t, achieved: $a) { achieved progress } }"""
EVALUATE = PROJECT + """mutation($id: ID!, $o: ProjectOutcome!) {
  evaluateServiceProject(id: $id, outcome: $o, note: "满意率达标，继续运营") { ...P } }"""
SURVEY = """fragment S on ServiceSurvey { id status link title questions { kind text options } }"""
CREATE_SURVEY = SURVEY + """mutation($p: ID!) { createSurvey(projectId: $p, title: "助餐服务满意度调查",
  questions: [
    {kind: "choice", text: "您觉得价格是否合适？", options: ["偏贵", "合适", "便宜"]},
    {kind: "scale", text: "您对助餐服务的总体满意度", satisfaction: true},
    {kind: "text", text: "对菜品和送餐有什么建议？"}]) { ...S } }"""
SEND = SURVEY + "mutation($id: ID!) { sendSurvey(id: $id) { ...S } }"
CLOSE = SURVEY + "mutation($id: ID!) { closeSurvey(id: $id) { ...S } }"
ANSWER = """mutation($id: ID, $t: String, $a: [String]!) {
  answerSurvey(id: $id, token: $t, answers: $a) { id answered } }"""
RESULTS = """query($id: ID!) { serviceSurvey(id: $id) { results { respondents satisfactionRate
  targetRate meetsTarget questions { kind answers mean choices { option count }
  keywords { keyword count } } } } }"""
MINE_SURVEYS = "{ mySurveys { id title answered link } }"


async def _counts(runtime: Runtime) -> tuple[int, ...]:
    async with runtime.sessions() as session:
        return tuple([int(await session.scalar(select(func.count()).select_from(t)) or 0)
                      for t in (Project, ProjectStep, Target, Answer, Module)])


async def _start(worker: Caller, community: str = MINE) -> dict:
    return (await worker.data(START, i={
        "community": community, "need": "meals", "title": "长者助餐（新三宝式）",
        "summary": "为独居和高龄老人提供午餐堂食与送餐",
        "evidence": "近三个月助餐相关意见 23 条，独居老人 60 余人，社区无助餐点"}))[
        "startServiceProject"]


async def test_seven_stages_with_a_survey(
    client: httpx.AsyncClient, worker: Caller, street: Caller, runtime: Runtime
) -> None:
    project = await _start(worker)
    pid = project["id"]
    assert project["stage"] == "DISCOVER" and project["stageName"] == "发现需求"
    early = await worker(MOVE, id=pid, to="REVIEW", e="跳过")
    assert codes(early) == ["BAD_STATE"] and "allowed: find_resources" in early["errors"][0][
        "message"]
    await worker.data(MOVE, id=pid, to="FIND_RESOURCES", e="走访周边餐饮企业和志愿者团队")
    no_resources = await worker(MOVE, id=pid, to="REVIEW", e="提交审批")
    assert codes(no_resources) == ["BAD_STATE"]
    await worker.data(RESOURCES, id=pid)
    await worker.data(MOVE, id=pid, to="REVIEW", e="提交街道评估审批")
    # Approval (entering 明确目标) is the street office's: the community worker may not.
    assert codes(await worker(MOVE, id=pid, to="SET_TARGETS", e="自批")) == ["FORBIDDEN"]
    await street.data(MOVE, id=pid, to="SET_TARGETS", e="街道评估通过，同意立项")
    no_unit = await worker(TARGETS, id=pid, t=[{"name": "每周供餐", "goal": 300, "unit": " "}])
    assert codes(no_unit) == ["BAD_INPUT"] and "unit" in no_unit["errors"][0]["message"]
    targets = (await worker.data(TARGETS, id=pid, t=[
        {"name": "覆盖独居老人", "goal": 60, "unit": "人"},
        {"name": "每周供餐", "goal": 300, "unit": "份/周"}]))["setProjectTargets"]
    await worker.data(MOVE, id=pid, to="IMPLEMENT", e="新三宝服务社开始供餐")
    done = (await worker.data(PROGRESS, p=pid, t=targets[1]["id"], a=270))["recordTargetProgress"]
    assert done == {"achieved": 270.0, "progress": 0.9}
    await worker.data(MOVE, id=pid, to="EVALUATE", e="运行三个月，开展评估")

    survey = (await worker.data(CREATE_SURVEY, p=pid))["createSurvey"]
    people = await residents_of(runtime, MINE, 6)
    first = Caller(client, resident(people[0]))
    early_answer = await first(ANSWER, id=survey["id"], a=["合适", "5", None])
    assert codes(early_answer) == ["BAD_STATE"]  # a draft takes no answers
    sent = (await worker.data(SEND, id=survey["id"]))["sendSurvey"]
    token = sent["link"].rsplit("/", 1)[1]
    assert sent["status"] == "OPEN" and len(token) >= 16
    listed = {s["id"]: s for s in (await first.data(MINE_SURVEYS))["mySurveys"]}
    assert survey["id"] in listed and not listed[survey["id"]]["answered"]
    answers = [["合适", "5", "菜品清淡可口，希望增加送餐时段"], ["偏贵", "4", None],
               ["合适", "5", "送餐很准时"], ["便宜", "3", "希望周日也供餐"], ["合适", "5", None]]
    for person, given in zip(people, answers, strict=False):
        by = {"t": token} if person == people[1] else {"id": survey["id"]}
        await Caller(client, resident(person)).data(ANSWER, a=given, **by)
    again = await first(ANSWER, id=survey["id"], a=["偏贵", "1", None])
    assert codes(again) == ["ALREADY_ANSWERED"]
    bad = await Caller(client, resident(people[5]))(ANSWER, id=survey["id"], a=["很好", "5", None])
    assert codes(bad) == ["BAD_INPUT"]
    results = (await worker.data(RESULTS, id=survey["id"]))["serviceSurvey"]["results"]
    assert results["respondents"] == 5 and results["targetRate"] == 0.97
    assert results["satisfactionRate"] == 0.8 and results["meetsTarget"] is False
    choice, scale, text = results["questions"]
    assert {c["option"]: c["count"] for c in choice["choices"]} == {"合适": 3, "偏贵": 1, "便宜": 1}
    assert scale["mean"] == 4.4 and text["answers"] == 3 and text["keywords"]
    await worker.data(CLOSE, id=survey["id"])
    late = await Caller(client, resident(people[5]))(ANSWER, id=survey["id"], a=["合适", "5", None])
    assert codes(late) == ["BAD_STATE"] and "closed" in late["errors"][0]["message"]

    no_outcome = await worker(MOVE, id=pid, to="FEEDBACK", e="反馈")
    assert codes(no_outcome) == ["BAD_STATE"]
    await worker.data(EVALUATE, id=pid, o="CONTINUE")
    final = (await worker.data(MOVE, id=pid, to="FEEDBACK", e="问卷结果向居民公示"))[
        "moveServiceProject"]
    assert final["stage"] == "FEEDBACK" and final["allowedMoves"] == [] and final["outcome"] == \
        "CONTINUE"
    assert [s["toStage"] for s in final["steps"]] == [
        "DISCOVER", "FIND_RESOURCES", "REVIEW", "SET_TARGETS", "IMPLEMENT", "EVALUATE", "FEEDBACK"]
    assert {s["actor"] for s in final["steps"]} == {"worker-1", "street-office-1"}
    after = await worker(MOVE, id=pid, to="DISCOVER", e="再来")
    assert codes(after) == ["BAD_STATE"] and "none" in after["errors"][0]["message"]


async def test_evaluation_retires_an_optional_module(worker: Caller, street: Caller) -> None:
    added = (await worker.data("""mutation($c: String!) { addServiceModule(input: {
      community: $c, code: "haircut", name: "上门理发", targetGroup: "living_alone",
      capacity: 20, unit: "人次/月"}) { id } }""", c=MINE))["addServiceModule"]
    project = (await worker.data(START, i={
        "community": MINE, "need": "convenience", "title": "上门理发试点", "summary": "试点",
        "evidence": "独居老人理发难", "moduleId": added["id"]}))["startServiceProject"]
    pid = project["id"]
    await worker.data(RESOURCES, id=pid)
    for stage, who in (("FIND_RESOURCES", worker), ("REVIEW", worker), ("SET_TARGETS", street)):
        await who.data(MOVE, id=pid, to=stage, e="依据")
    await worker.data(TARGETS, id=pid, t=[{"name": "服务人次", "goal": 40, "unit": "人次/月"}])
    for stage in ("IMPLEMENT", "EVALUATE"):
        await worker.data(MOVE, id=pid, to=stage, e="依据")
    await worker.data(EVALUATE, id=pid, o="RETIRE")
    module = (await worker.data("query($id: ID!) { serviceModule(id: $id) { status history "
                                "{ action } } }", id=added["id"]))["serviceModule"]
    assert module["status"] == "RETIRED" and module["history"][-1]["action"] == "evaluated:retire"


async def test_scope_of_projects_surveys_and_answers(
    client: httpx.AsyncClient, worker: Caller, other_worker: Caller, runtime: Runtime
) -> None:
    theirs = await _start(other_worker, OTHER)
    survey = (await other_worker.data(CREATE_SURVEY, p=theirs["id"]))["createSurvey"]
    await other_worker.data(SEND, id=survey["id"])
    before = await _counts(runtime)
    assert codes(await worker(START, i={"community": OTHER, "need": "meals", "title": "x",
                                        "summary": "x", "evidence": "x"})) == ["FORBIDDEN"]
    assert codes(await worker(MOVE, id=theirs["id"], to="FIND_RESOURCES", e="x")) == ["FORBIDDEN"]
    assert codes(await worker(RESOURCES, id=theirs["id"])) == ["FORBIDDEN"]
    assert codes(await worker(CREATE_SURVEY, p=theirs["id"])) == ["FORBIDDEN"]
    assert codes(await worker(CLOSE, id=survey["id"])) == ["FORBIDDEN"]
    assert codes(await worker(RESULTS, id=survey["id"])) == ["FORBIDDEN"]
    assert codes(await worker("query($id: ID!) { serviceProject(id: $id) { id } }",
                              id=theirs["id"])) == ["FORBIDDEN"]
    listed = (await worker.data("{ serviceProjects { community } }"))["serviceProjects"]
    assert {p["community"] for p in listed} <= {MINE}
    elsewhere = "query($j: String) { serviceProjects(jurisdiction: $j) { id } }"
    assert codes(await worker(elsewhere, j=OTHER)) == ["FORBIDDEN"]
    # A resident of another community neither sees nor answers it.
    mine = Caller(client, resident((await residents_of(runtime, MINE, 1))[0]))
    assert survey["id"] not in [s["id"] for s in (await mine.data(MINE_SURVEYS))["mySurveys"]]
    assert codes(await mine(ANSWER, id=survey["id"], a=["合适", "5", None])) == ["FORBIDDEN"]
    token = survey["link"].rsplit("/", 1)[1]
    assert codes(await mine("query($t: String!) { surveyByToken(token: $t) { id } }", t=token)) \
        == ["FORBIDDEN"]
    # Neither do staff or callers who are not residents.
    assert codes(await worker(ANSWER, id=survey["id"], a=["合适", "5", None])) == ["FORBIDDEN"]
    brain = Caller(client, bearer("city_brain", "330105", "brain-1"))
    assert codes(await brain("{ serviceProjects { id } }")) == ["FORBIDDEN"]
    assert await _counts(runtime) == before
