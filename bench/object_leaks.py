"""The leak check beyond entity types: every policy object (civic.*, services.*, stats, the
access log, the policy, link review) through its GraphQL doors, for tokens naming one or several
roles and jurisdictions.

The oracle is Casbin asked per (role, jurisdiction) pair, as the policy defines a grant, and
the rows are counted from the stores themselves (SQL, Cypher): never the hub's access view,
which is what is under test. Used by tests/access/test_leak_matrix.py and
`python -m bench.access_leaks`.
"""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from itertools import product
from typing import Any

from sqlalchemy import text

from hub.access.policy import Policy
from hub.access.principal import Principal
from hub.runtime import Runtime

Ask = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]

# (object, action, query): scoped doors take the jurisdiction $j (and the month $m).
SCOPED = [
    ("civic.opinion", "read",
     "query($j: String, $m: String) { x: opinions(jurisdiction: $j, month: $m, first: 100) "
     "{ totalCount edges { node { jurisdiction } } } }"),
    ("civic.hotspot", "read",
     "query($j: String!, $m: String!) { x: hotspots(jurisdiction: $j, month: $m, top: 10) "
     "{ opinions(first: 20) { jurisdiction } } }"),
    ("civic.kpi", "read",
     "query($j: String!, $m: String!) { x: kpis(jurisdiction: $j, month: $m) { received } }"),
    ("civic.agenda", "write",
     "query($j: String!) { x: agenda(jurisdiction: $j) { jurisdiction } }"),
    # precise services: a module, suggestion or project's community is its jurisdiction
    ("services.module", "read",
     "query($j: String) { x: serviceModules(jurisdiction: $j) { jurisdiction: community } }"),
    ("services.demand", "read",
     "query($j: String!) { x: serviceSuggestions(jurisdiction: $j) "
     "{ jurisdiction: community } }"),
    ("services.project", "read",
     "query($j: String) { x: serviceProjects(jurisdiction: $j) { jurisdiction: community } }"),
]
WHOLE = [
    ("audit.log", "read", "{ x: accessLog(first: 1) { totalCount } }"),
    ("policy", "read", "{ x: accessPolicy { version } }"),
]
OPINIONS = "{ x: opinions(first: 200) { totalCount edges { node { jurisdiction } } } }"
ONE = "query($id: ID!) { x: opinion(id: $id) { id } }"
STATS = "{ x: stats { residentsByCommunity { code } } }"
CANDIDATES = "{ x: linkCandidates(first: 1) { totalCount } }"


@dataclass
class ObjectReport:
    checks: int = 0
    leaks: list[str] = field(default_factory=list)

    def judge(self, ok: bool, what: str) -> None:
        self.checks += 1
        if not ok:
            self.leaks.append(what)


def grants(policy: Policy, who: Principal, obj: str, act: str) -> list[str]:
    """The jurisdictions of the pairs allowed `act` on `obj` ("" for a pair naming none)."""
    pairs = product(who.roles, who.jurisdictions or ("",))
    return sorted({place for role, place in pairs if policy.allows(role, place, obj, act)})


def covered(places: Sequence[str], code: str | None) -> bool:
    return any((code or "").startswith(p) for p in places)


def _codes(result: dict[str, Any]) -> set[str]:
    return {str((e.get("extensions") or {}).get("code")) for e in result.get("errors") or []}


def _jurisdictions(value: Any) -> list[str]:
    """Every `jurisdiction` value anywhere in an answer."""
    if isinstance(value, dict):
        own = [value["jurisdiction"] or ""] if "jurisdiction" in value else []
        return own + [j for v in value.values() for j in _jurisdictions(v)]
    if isinstance(value, list):
        return [j for v in value for j in _jurisdictions(v)]
    return []


async def check(
    runtime: Runtime, policy: Policy, who: Principal, ask: Ask, codes: Sequence[str], month: str
) -> ObjectReport:
    report = ObjectReport()
    for obj, act, query in SCOPED:
        places = grants(policy, who, obj, act)
        for code in codes:
            variables = {"j": code, "m": month} if "$m" in query else {"j": code}
            result = await ask(query, variables)
            _door(report, result, covered(places, code), f"{obj} {act} at {code}", [code])
    for obj, act, query in WHOLE:
        _door(report, await ask(query, {}), bool(grants(policy, who, obj, act)), obj, None)
    await _opinions(report, runtime, policy, who, ask)
    await _stats(report, runtime, policy, who, ask)
    await _candidates(report, runtime, policy, who, ask)
    return report


def _door(
    report: ObjectReport, result: dict[str, Any], allowed: bool, what: str,
    within: Sequence[str] | None,
) -> None:
    data = (result.get("data") or {}).get("x")
    if not allowed:
        report.judge(data is None and _codes(result) == {"FORBIDDEN"}, f"{what}: answered")
        return
    report.judge(not _codes(result), f"{what}: refused {sorted(_codes(result))}")
    if within is not None:
        outside = [j for j in _jurisdictions(data) if not covered(within, j)]
        report.judge(not outside, f"{what}: rows at {outside[:3]}")


async def _opinions(
    report: ObjectReport, runtime: Runtime, policy: Policy, who: Principal, ask: Ask
) -> None:
    places = grants(policy, who, "civic.opinion", "read")
    result = await ask(OPINIONS, {})
    _door(report, result, bool(places), "opinions", places)
    if places and not _codes(result):
        truth = await _opinion_count(runtime, places)
        total = result["data"]["x"]["totalCount"]
        report.judge(total == truth, f"opinions: totalCount {total}, in scope {truth}")
    for opinion_id, code in await _sample_opinions(runtime):
        one = await ask(ONE, {"id": opinion_id})
        _door(report, one, covered(places, code), f"opinion at {code}", None)


async def _opinion_count(runtime: Runtime, places: Sequence[str]) -> int:
    if "" in places:
        where, params = "1 = 1", {}
    else:
        where = " OR ".join(f"jurisdiction LIKE :p{i}" for i in range(len(places)))
        params = {f"p{i}": f"{p}%" for i, p in enumerate(places)}
    async with runtime.sessions() as session:
        found = await session.scalar(
            text(f"SELECT count(*) FROM civic_opinions WHERE {where}"), params
        )
    return int(found or 0)


async def _sample_opinions(runtime: Runtime) -> list[tuple[str, str]]:
    """One opinion per community, by the records themselves."""
    async with runtime.sessions() as session:
        rows = await session.execute(text(
            "SELECT min(id), substr(jurisdiction, 1, 12) FROM civic_opinions "
            "WHERE jurisdiction IS NOT NULL GROUP BY substr(jurisdiction, 1, 12)"
        ))
    return [(i, c) for i, c in rows.all()]


async def _stats(
    report: ObjectReport, runtime: Runtime, policy: Policy, who: Principal, ask: Ask
) -> None:
    places = grants(policy, who, "stats.residentsByCommunity", "aggregate")
    result = await ask(STATS, {})
    data = (result.get("data") or {}).get("x")
    if not places:
        report.judge(data is None and _codes(result) == {"FORBIDDEN"}, "stats: answered")
        return
    rows = await runtime.links.store.read(
        "MATCH (c:Place {level: 'community'}) RETURN c.jurisdiction AS code"
    )
    expected = sorted(r["code"] for r in rows if covered(places, r["code"]))
    got = sorted(r["code"] for r in (data or {}).get("residentsByCommunity", []))
    report.judge(got == expected, f"stats: communities {got[:4]}, in scope {expected[:4]}")


async def _candidates(
    report: ObjectReport, runtime: Runtime, policy: Policy, who: Principal, ask: Ask
) -> None:
    places = grants(policy, who, "linking.review", "read")
    result = await ask(CANDIDATES, {})
    _door(report, result, bool(places), "linkCandidates", None)
    if places and not _codes(result):
        rows = await runtime.links.store.read(
            "MATCH (a:Person)-[:CANDIDATE]->(:Person) RETURN a.jurisdiction AS code"
        )
        truth = sum(1 for r in rows if covered(places, r["code"]))
        total = result["data"]["x"]["totalCount"]
        report.judge(total == truth, f"linkCandidates: totalCount {total}, in scope {truth}")
