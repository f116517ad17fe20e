"""One service project through all seven stages, with a questionnaire answered by 200 residents.

    python -m bench.services_loop [--residents 3800] [--answers 200] [--root .data/bench]

Over GraphQL only, one token per person, on the demo street (the stack of bench/services.py):
a community worker finds the need (发现需求), finds resources (寻找资源), sends it to review
(评估项目审批); the street office approves (明确目标); the worker sets targets with units,
implements (项目实施) and records progress, evaluates (项目评估) with a survey of choices, a
satisfaction scale and free text sent to her community; `--answers` residents of the community
answer it (each with its own token, answers scripted from a seeded generator), a few try again
(ALREADY_ANSWERED) and one after closing (refused); the results are read live and checked
against the scripted answers; the evaluation (continue) moves the project to 意见反馈.
`walk` is also run by tests/services/test_loop_bench.py against the test session's hub.
"""

import argparse
import asyncio
import json
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any

import httpx

from hub import clock

MINE, STREET = "330105004001", "330105004"
Headers = Callable[[str, str | list[str], str], dict[str, str]]
REMARKS = ("菜品清淡可口", "希望增加送餐时段", "价格实惠", "红烧肉少放糖", "送餐很准时",
           "希望周末也供餐", "饭菜有点凉", "服务员很热情")


@dataclass
class LoopReport:
    stages: list[str] = field(default_factory=list)
    answers: int = 0
    refused_again: int = 0
    refused_late: int = 0
    respondents: int = 0
    satisfaction_rate: float | None = None
    expected_rate: float = 0.0
    meets_target: bool | None = None
    text_keywords: list[str] = field(default_factory=list)
    answer_ms_median: float = 0.0
    answer_ms_p95: float = 0.0
    requests: int = 0
    seconds: float = 0.0


class Client:
    def __init__(self, http: httpx.AsyncClient, report: LoopReport) -> None:
        self.http, self.report = http, report

    async def __call__(self, who: dict[str, str], query: str, **variables: Any) -> dict:
        self.report.requests += 1
        response = await self.http.post("/graphql", json={"query": query, "variables": variables},
                                        headers=who)
        return response.json()

    async def data(self, who: dict[str, str], query: str, **variables: Any) -> dict:
        body = await self(who, query, **variables)
        if body.get("errors"):
            raise RuntimeError(f"{query[:60]!r}: {body['errors']}")
        return body["data"]


MOVE = """mutation($id: ID!, $to: ProjectStage!, $e: String!) {
  moveServiceProject(id: $id, to: $to, evidence: $e) { stage } }"""
SURVEY = """mutation($p: ID!) { createSurvey(projectId: $p, title: "长者助餐服务问卷", questions: [
  {kind: "choice", text: "餐费价格是否合适？", options: ["偏贵", "合适", "便宜"]},
  {kind: "choice", text: "送餐是否准时？", options: ["准时", "偶尔迟到", "经常迟到"]},
  {kind: "scale", text: "总体满意度（1–5 分）", satisfaction: true},
  {kind: "text", text: "对菜品和配送的建议"}]) { id } }"""
ANSWER = "mutation($id: ID!, $a: [String]!) { answerSurvey(id: $id, answers: $a) { id } }"
RESULTS = """query($id: ID!) { serviceSurvey(id: $id) { results { respondents satisfactionRate
  meetsTarget questions { kind keywords { keyword count } } } } }"""


def scripted(rng: random.Random) -> list[str | None]:
    score = rng.choices(["5", "4", "3", "2"], weights=[80, 18, 1.5, 0.5])[0]
    return [rng.choice(["合适", "合适", "便宜", "偏贵"]), rng.choice(["准时"] * 5 + ["偶尔迟到"]),
            score, rng.choice(REMARKS) if rng.random() < 0.4 else None]


async def walk(http: httpx.AsyncClient, headers: Headers, residents: list[str],
               seed: int = 17) -> LoopReport:
    report, started = LoopReport(), time.perf_counter()
    gql = Client(http, report)
    worker = headers("community_worker", MINE, "bench-worker")
    office = headers("street_admin", STREET, "bench-street")
    project = (await gql.data(worker, """mutation { startServiceProject(input: {
      community: "330105004001", need: "meals", title: "长者助餐服务提升",
      summary: "堂食与送餐，按问卷改进价格、配送和菜品",
      evidence: "助餐相关意见增多，独居老人助餐需求上升"}) { id stage } }"""))[
        "startServiceProject"]
    pid = project["id"]
    report.stages.append(project["stage"])

    async def move(who: dict[str, str], stage: str, evidence: str) -> None:
        report.stages.append((await gql.data(who, MOVE, id=pid, to=stage, e=evidence))[
            "moveServiceProject"]["stage"])

    await move(worker, "FIND_RESOURCES", "联系新三宝服务社和社区志愿者")
    await gql.data(worker, """mutation($id: ID!) { recordProjectResources(id: $id,
      organisations: ["新三宝服务社"], volunteers: 20, budget: 120000) { id } }""", id=pid)
    await move(worker, "REVIEW", "提交街道评估审批")
    await move(office, "SET_TARGETS", "街道评估通过")
    targets = (await gql.data(worker, """mutation($id: ID!) { setProjectTargets(id: $id,
      targets: [{name: "覆盖老人", goal: 200, unit: "人"}, {name: "每周供餐", goal: 600,
      unit: "份/周"}]) { id } }""", id=pid))["setProjectTargets"]
    await move(worker, "IMPLEMENT", "开始供餐")
    for target, achieved in zip(targets, (190, 560), strict=True):
        await gql.data(worker, """mutation($p: ID!, $t: ID!, $a: Float!) {
          recordTargetProgress(projectId: $p, targetId: $t, achieved: $a) { id } }""",
                       p=pid, t=target["id"], a=achieved)
    await move(worker, "EVALUATE", "运行三个月，问卷评估")
    survey = (await gql.data(worker, SURVEY, p=pid))["createSurvey"]["id"]
    await gql.data(worker, "mutation($id: ID!) { sendSurvey(id: $id) { id } }", id=survey)
    await _answers(gql, headers, survey, residents, seed)
    results = (await gql.data(worker, RESULTS, id=survey))["serviceSurvey"]["results"]
    report.respondents = results["respondents"]
    report.satisfaction_rate = results["satisfactionRate"]
    report.meets_target = results["meetsTarget"]
    report.text_keywords = [k["keyword"] for k in results["questions"][3]["keywords"][:5]]
    await gql.data(worker, "mutation($id: ID!) { closeSurvey(id: $id) { id } }", id=survey)
    late = await gql(headers("resident", [], residents[0]), ANSWER, id=survey,
                     a=scripted(random.Random(0)))
    report.refused_late = sum(e["extensions"]["code"] == "BAD_STATE"
                              for e in late.get("errors", []))
    await gql.data(worker, """mutation($id: ID!) { evaluateServiceProject(id: $id,
      outcome: CONTINUE, note: "满意率达标，继续运营") { id } }""", id=pid)
    await move(worker, "FEEDBACK", "问卷结果向居民公示")
    report.seconds = round(time.perf_counter() - started, 2)
    return report


async def _answers(gql: Client, headers: Headers, survey: str, residents: list[str],
                   seed: int) -> None:
    rng = random.Random(seed)
    report = gql.report
    latencies: list[float] = []
    satisfied = asked = 0
    for person in residents:
        given = scripted(rng)
        started = time.perf_counter()
        await gql.data(headers("resident", [], person), ANSWER, id=survey, a=given)
        latencies.append(time.perf_counter() - started)
        report.answers += 1
        asked += 1
        satisfied += int(given[2] or 0) >= 4
    for person in residents[:5]:
        again = await gql(headers("resident", [], person), ANSWER, id=survey,
                          a=scripted(rng))
        report.refused_again += sum(e["extensions"]["code"] == "ALREADY_ANSWERED"
                                    for e in again.get("errors", []))
    report.expected_rate = round(satisfied / asked, 4) if asked else 0.0
    report.answer_ms_median = round(statistics.median(latencies) * 1000, 1)
    report.answer_ms_p95 = round(sorted(latencies)[int(len(latencies) * 0.95) - 1] * 1000, 1)


async def measure(root: Path, residents: int, answers: int) -> dict[str, Any]:
    from bench.stack import AS_OF, bench_runtime, ensure_demo
    from hub.access.tokens import DEV_SECRET, mint
    from hub.civic.periods import CST
    from hub.linking.run import link
    from hub.services.demo_seed import seed
    from hub.web import create_app

    data_dir = root / f"services-{residents}"
    ensure_demo(data_dir, residents)

    def headers(roles: str | list[str], places: str | list[str], subject: str) -> dict[str, str]:
        roles = [roles] if isinstance(roles, str) else roles
        places = [places] if isinstance(places, str) else list(places)
        return {"Authorization": f"Bearer {mint(DEV_SECRET, subject, roles, places)}"}

    day = date.fromisoformat(AS_OF)
    with clock.pinned(datetime.combine(day, clock_time(10), CST)):
        async with bench_runtime(data_dir, graph_name="bench-services") as runtime:
            if await runtime.links.is_empty():
                await link(runtime)
            await seed(runtime)
            people, _ = await runtime.links.page("Person", [MINE], 0, answers, {}, False)
            app = create_app(runtime.settings, runtime=runtime)
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                         base_url="http://hub") as http:
                report = await walk(http, headers, [p.id for p in people])
    return asdict(report)


def main() -> None:
    from hub.settings import REPO_ROOT

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=3800)
    parser.add_argument("--answers", type=int, default=200)
    parser.add_argument("--root", type=Path, default=REPO_ROOT / ".data" / "bench")
    args = parser.parse_args()
    result = asyncio.run(measure(args.root, args.residents, args.answers))
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
