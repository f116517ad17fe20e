"""The residents' voice loop walked as staff and residents use it, from opinion to rating.

    python -m bench.civic_loop [--residents 3800]

Starts its own stack in a temporary folder (the demo street, `python app.py`, which imports the
demo's opinions and 12345 orders), then over GraphQL only, with one token per person:
the street office proposes last month's topics; a community worker (her community only) finds
a street topic about a building in her community, accepts it (every supporter is told), finds
residents by name, registers them, holds a session and a ballot, drafts, publishes and finishes
a plan with the property company, which updates its own task; residents vote, read their
opinions and rate the answer. Measured: every opinion of the accepted topic answered finally
exactly once, what residents read as the answering office, and the KPIs after.
`walk` is also run by tests/civic/test_civic_loop_bench.py against the test session's hub.
"""

import argparse
import asyncio
import csv
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from hub import clock

STREET, MINE = "330105004", "330105004001"
Headers = Callable[[str, str | list[str], str], dict[str, str]]


@dataclass
class LoopReport:
    topic: str = ""
    opinions: int = 0  # of the accepted topic, its merged topics included
    acknowledged: int = 0
    told_of_plan: int = 0
    final_once: int = 0
    final_none: int = 0
    final_twice: int = 0
    closed_before: int = 0  # closed by the hotline before the plan: their one final is that
    registered: int = 0
    votes: int = 0
    outcome: str | None = None
    plan_answer: dict[str, Any] = field(default_factory=dict)
    rated: int = 0
    offices: list[str] = field(default_factory=list)
    requests: int = 0
    seconds: float = 0.0


class Walker:
    def __init__(self, http: httpx.AsyncClient, headers: Headers, report: LoopReport) -> None:
        self.http, self.headers, self.report = http, headers, report

    async def __call__(self, who: dict[str, str], query: str, **variables: Any) -> dict:
        self.report.requests += 1
        response = await self.http.post("/graphql", json={"query": query, "variables": variables},
                                        headers=who)
        body = response.json()
        if body.get("errors"):
            raise RuntimeError(f"{query[:60]!r}: {body['errors']}")
        return body["data"]


ITEMS = """query($j: String!) { agenda(jurisdiction: $j, first: 100) { id status jurisdiction
  opinions(first: 200) { id jurisdiction } } }"""
OPINIONS = """query { agenda(jurisdiction: "330105004", first: 100) { id
  opinions(first: 200) { id status responses { kind responder } } } }"""


async def walk(http: httpx.AsyncClient, headers: Headers, month: str,
               authors: Callable[[set[str]], dict[str, str]], vote_wait: float = 2.0) -> LoopReport:
    """The loop once; `authors(ids)` gives {opinion id: the author's phone} for some of them."""
    report, started = LoopReport(), time.perf_counter()
    gql = Walker(http, headers, report)
    street = headers("street_admin", STREET, "bench-street")
    worker = headers("community_worker", MINE, "bench-worker")
    await gql(street, "mutation($m: String!) { generateAgenda(jurisdiction: \"330105004\", "
              "month: $m, top: 5) { id } }", m=month)
    items = (await gql(worker, ITEMS, j=MINE))["agenda"]
    item = next(i for i in items if i["status"] == "PROPOSED" and i["jurisdiction"] == STREET)
    report.topic = item["id"]
    before = await _opinions(gql, street, item["id"])
    report.closed_before = sum(o["status"] == "CLOSED" for o in before)
    await gql(worker, "mutation($id: ID!) { decideAgendaItem(id: $id, accept: true) { id } }",
              id=item["id"])
    await _council(gql, headers, worker, item["id"], vote_wait)
    await _plan(gql, headers, worker, item["id"])
    after = await _opinions(gql, street, item["id"])
    _count(report, after)
    await _residents(gql, headers, authors({o["id"] for o in after}))
    report.seconds = round(time.perf_counter() - started, 2)
    return report


async def _opinions(gql: Walker, street: dict[str, str], item: str) -> list[dict]:
    found = (await gql(street, OPINIONS))["agenda"]
    return next(i for i in found if i["id"] == item)["opinions"]


def _count(report: LoopReport, opinions: list[dict]) -> None:
    report.opinions = len(opinions)
    finals = Counter({o["id"]: sum(r["kind"] == "FINAL" for r in o["responses"])
                      for o in opinions})
    report.final_once = sum(n == 1 for n in finals.values())
    report.final_none = sum(n == 0 for n in finals.values())
    report.final_twice = sum(n > 1 for n in finals.values())
    kinds = [r for o in opinions for r in o["responses"]]
    report.acknowledged = sum(any(r["kind"] == "ACKNOWLEDGE" for r in o["responses"])
                              for o in opinions)
    report.told_of_plan = sum(any(r["kind"] == "PROGRESS" for r in o["responses"])
                              for o in opinions)
    report.offices = sorted({r["responder"] for r in kinds})


async def _council(gql: Walker, headers: Headers, worker: dict[str, str], item: str,
                   vote_wait: float) -> None:
    now = clock.now()
    people = (await gql(headers("street_admin", STREET, "bench-street"),
                         "{ people(first: 40, filter: {jurisdiction: \"330105004001\"}) "
                         "{ edges { node { name } } } }"))["people"]["edges"]
    names = list(dict.fromkeys(e["node"]["name"] for e in people if e["node"]["name"]))[:5]
    session = (await gql(worker, "mutation($i: SessionInput!) { scheduleSession(input: $i) "
                         "{ id } }", i={
        "jurisdiction": MINE, "title": "红茶议事会", "mode": "HYBRID", "location": "社区议事厅",
        "startsAt": (now - timedelta(minutes=1)).isoformat(),
        "endsAt": (now + timedelta(hours=2)).isoformat(), "agendaIds": [item]}))
    sid = session["scheduleSession"]["id"]
    voters = []
    for name in names:
        found = (await gql(worker, "query($s: String!) { residentsForCouncil(jurisdiction: "
                           "\"330105004001\", search: $s) { id name } }", s=name))
        for person in found["residentsForCouncil"][:1]:
            await gql(worker, "mutation($s: ID!, $p: String!, $n: String!) { addParticipant("
                      "sessionId: $s, subject: $p, role: \"representative\", displayName: $n) "
                      "{ id } }", s=sid, p=person["id"], n=person["name"])
            voters.append(person["id"])
    gql.report.registered = len(voters)
    deadline = clock.now() + timedelta(seconds=vote_wait)
    ballot = (await gql(worker, "mutation($s: ID!, $d: DateTime!, $a: ID!) { openBallot("
                        "sessionId: $s, agendaId: $a, question: \"是否同意整治方案？\", "
                        "options: [\"同意\", \"不同意\"], deadline: $d) { id } }",
                        s=sid, d=deadline.isoformat(), a=item))["openBallot"]["id"]
    for i, voter in enumerate(voters):
        await gql(headers("resident", [], voter), "mutation($b: ID!, $o: String!) { castVote("
                  "ballotId: $b, option: $o) }", b=ballot, o="不同意" if i == 3 else "同意")
        gql.report.votes += 1
    await asyncio.sleep(max(0.0, (deadline - clock.now()).total_seconds()) + 0.05)
    decided = await gql(worker, "mutation($s: ID!, $b: ID!, $a: ID!) { recordDecision("
                        "sessionId: $s, ballotId: $b, agendaId: $a, text: \"通过整治方案\") "
                        "{ outcome } }", s=sid, b=ballot, a=item)
    gql.report.outcome = decided["recordDecision"]["outcome"]


async def _plan(gql: Walker, headers: Headers, worker: dict[str, str], item: str) -> None:
    due = (clock.now() + timedelta(days=30)).date().isoformat()
    task = {"dueDate": due}
    draft = (await gql(worker, "mutation($i: PlanInput!) { createPlan(input: $i) { id } }", i={
        "agendaId": item, "title": "整治方案", "summary": "物业牵头，社区督办",
        "responseText": "问题已整改完毕，感谢您的反映。",
        "tasks": [{**task, "title": "现场维修", "ownerOrg": "物业服务企业",
                   "ownerRole": "property_manager", "ownerJurisdiction": MINE},
                  {**task, "title": "回访居民", "ownerOrg": "社区居委会"}]}))["createPlan"]
    await gql(worker, "mutation($p: ID!) { publishPlan(id: $p) { id } }", p=draft["id"])
    plan = (await gql(worker, "query($p: ID!) { plan(id: $p) { tasks { id ownerRole } } }",
                      p=draft["id"]))["plan"]
    update = "mutation($t: ID!) { updateTask(taskId: $t, progress: 100, note: \"完成\") { id } }"
    manager = headers("property_manager", MINE, "bench-property")
    mine = {t["id"] for t in (await gql(manager, "{ myTasks { id } }"))["myTasks"]}
    for task_row in plan["tasks"]:
        who = manager if task_row["id"] in mine else worker
        await gql(who, update, t=task_row["id"])
    answer = await gql(worker, "mutation($p: ID!) { respondToPlan(planId: $p, text: \"已完成\") "
                       "{ sentNow alreadyAnswered byThisPlan closedElsewhere total note } }",
                       p=draft["id"])
    gql.report.plan_answer = answer["respondToPlan"]


async def _residents(gql: Walker, headers: Headers, phones: dict[str, str]) -> None:
    rate = ("mutation($id: ID!) { rateResponse(opinionId: $id, satisfaction: 4, resolved: true) "
            "{ status } }")
    for opinion_id, phone in list(phones.items())[:5]:
        me = headers("resident", [], phone)
        mine = (await gql(me, "{ myOpinions(first: 100) { edges { node { id status } } } }"))
        status = {e["node"]["id"]: e["node"]["status"] for e in mine["myOpinions"]["edges"]}
        if status.get(opinion_id) == "CLOSED":
            await gql(me, rate, id=opinion_id)
            gql.report.rated += 1


def demo_authors(data_dir: Path, keys: Any) -> Callable[[set[str]], dict[str, str]]:
    """{opinion id: author phone} for demo app opinions among the ids (the demo CSV knows)."""

    def find(ids: set[str]) -> dict[str, str]:
        path = data_dir / "demo" / "opinions" / "opinions.csv"
        found = {}
        with path.open(encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle):
                oid = "op_" + keys.digest("opinion", f"demo\x1f{row['idempotency_key']}", 16)
                if oid in ids and row["author_phone"]:
                    found[oid] = row["author_phone"]
        return found

    return find


def main() -> None:
    from bench.civic_intake import start_hub
    from hub.access.tokens import DEV_SECRET, mint
    from hub.civic.periods import month_of
    from hub.clock import now
    from hub.linking.keys import Keyring
    from hub.settings import DEV_LINK_SECRET

    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, default=3800)
    args = parser.parse_args()

    def headers(role: str, where: str | list[str], subject: str) -> dict[str, str]:
        places = [where] if isinstance(where, str) else where
        return {"Authorization": f"Bearer {mint(DEV_SECRET, subject, [role], places)}"}

    with tempfile.TemporaryDirectory(prefix="civic-loop-") as tmp:
        subprocess.run([sys.executable, "-m", "demo", "generate", "--data-dir", tmp,
                        "--residents", str(args.residents), "--quiet"], check=True)
        process, url = start_hub(Path(tmp), None)
        try:
            report = asyncio.run(_bench(url, headers, month_of(now()).before(1).label,
                                        demo_authors(Path(tmp), Keyring(DEV_LINK_SECRET))))
        finally:
            process.terminate()
            process.wait(30)
    for name, value in asdict(report).items():
        print(f"{name}: {value}")


async def _bench(url: str, headers: Headers, month: str, authors: Any) -> LoopReport:
    async with httpx.AsyncClient(base_url=url, timeout=120) as http:
        for _ in range(120):  # the demo's opinions are imported in the background
            probe = await http.post("/graphql", json={"query": "{ opinions(first: 1) "
                                    "{ totalCount } }"}, headers=headers(
                                        "street_admin", STREET, "bench-street"))
            if (probe.json().get("data") or {}).get("opinions", {}).get("totalCount", 0) > 20000:
                break
            await asyncio.sleep(2)
        return await walk(http, headers, month, authors)


if __name__ == "__main__":
    main()
