"""The alerts' leak check: every door (query, count, id, move, evidence, errors, access log)
against an oracle computed from the records and the policy, for tokens of every role at every
level of the demo street, and some of several roles or places."""

import json
from collections import Counter
from typing import Any

import httpx
from sqlalchemy import select

from bench.alerts_week import Street
from hub.access.policy import Policy
from hub.access.principal import Principal
from hub.access.tokens import DEV_SECRET, mint
from hub.access.view import AccessView, build_view
from hub.alerts.records import Alert, Evidence, Recipient
from hub.runtime import Runtime
from hub.web import create_app

STREET = "330105004"
PAGE = """query($after: String) { alerts(first: 100, after: $after) { totalCount
  edges { cursor node { id evidence { kind } } } } }"""
COUNTS = "{ alertCounts { raised acknowledged handled dismissed } }"
ONE = "query($id: ID!) { alert(id: $id) { id } }"
MOVE = "mutation($id: ID!) { acknowledgeAlert(id: $id) { id } }"
LOG = """query($p: String) { accessLog(first: 1000, filter: {principal: $p}) {
  edges { node { entities } } } }"""


def tokens(policy: Policy, street: Street) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    grids = sorted({j for _b, j in street.buildings})
    communities = sorted({g[:12] for g in grids})
    places = [STREET, *communities, *grids]
    found = [((role,), (place,)) for role in sorted(policy.roles) for place in places]
    found += [((role,), ()) for role in ("auditor", "resident", "city_brain")]
    found += [(("grid_worker",), (grids[0], grids[-1])),
              (("property_manager", "grid_worker"), (communities[0],)),
              (("street_admin", "community_worker"), (STREET, communities[-1])),
              (("building_contact", "police"), (grids[0],))]
    return found


def expected(policy: Policy, roles: tuple[str, ...], places: tuple[str, ...],
             recipients: dict[int, list[tuple[str, str]]]) -> set[int]:
    pairs = [(r, p) for r in roles for p in places if policy.allows(r, p, "alert.alert", "read")]
    return {a for a, rs in recipients.items()
            if any(r == role and j.startswith(p) for role, p in pairs for r, j in rs)}


def visible_evidence(view: AccessView, row: Evidence) -> bool:
    kind = {"event": "Event", "person": "Person", "count": "Place", "forecast": "Place"}
    if row.kind == "opinion":
        scope = view.where("civic.opinion", "read")
        return scope is None or any(row.jurisdiction.startswith(p) for p in scope)
    return kind.get(row.kind) is not None and view.admits(kind[row.kind], "", row.jurisdiction)


async def leak_check(runtime: Runtime, street: Street) -> dict[str, Any]:
    policy = runtime.policies.current
    async with runtime.sessions() as session:
        alerts = {a.id: a for a in await session.scalars(select(Alert))}
        recipients: dict[int, list[tuple[str, str]]] = {a: [] for a in alerts}
        for r in await session.scalars(select(Recipient)):
            recipients[r.alert_id].append((r.role, r.jurisdiction))
        evidence: dict[int, list[Evidence]] = {a: [] for a in alerts}
        for e in await session.scalars(select(Evidence)):
            evidence[e.alert_id].append(e)
    app = create_app(runtime.settings, runtime=runtime)
    leaks: Counter[str] = Counter()
    checked: Counter[str] = Counter()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://hub") as http:
        auditor = _bearer("bench-auditor", ("auditor",), ())
        for n, (roles, places) in enumerate(tokens(policy, street)):
            subject = f"leak-{n}"
            headers = _bearer(subject, roles, places)
            mine = expected(policy, roles, places, recipients)
            view = build_view(policy, Principal(subject, roles, places))
            await _one_token(http, headers, mine, alerts, evidence, view, leaks, checked)
            log = (await _post(http, auditor, LOG, p=subject))["data"]["accessLog"]["edges"]
            logged = {int(i) for e in log
                      for i in _entities(e["node"]["entities"]).get("Alert", [])}
            leaks["access log"] += len(logged - mine)
            checked["access log"] += len(logged)
    return {"tokens": len(tokens(policy, street)), "alerts": len(alerts),
            "checked": dict(checked), "leaks": dict(leaks), "total_leaks": sum(leaks.values())}


def _bearer(subject: str, roles: tuple[str, ...], places: tuple[str, ...]) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint(DEV_SECRET, subject, list(roles), list(places))}"}


def _entities(value: Any) -> dict[str, list[str]]:
    return json.loads(value) if isinstance(value, str) else (value or {})


async def _post(http: httpx.AsyncClient, headers: dict[str, str], query: str,
                **variables: Any) -> dict[str, Any]:
    response = await http.post("/graphql", json={"query": query, "variables": variables},
                               headers=headers)
    return response.json()  # type: ignore[no-any-return]


def _codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code", "") for e in body.get("errors", [])]


async def _one_token(http: httpx.AsyncClient, headers: dict[str, str], mine: set[int],
                     alerts: dict[int, Alert], evidence: dict[int, list[Evidence]],
                     view: AccessView, leaks: Counter[str], checked: Counter[str]) -> None:
    seen: dict[int, list[str]] = {}
    after = None
    while True:
        body = await _post(http, headers, PAGE, after=after)
        if _codes(body):
            leaks["refusal not FORBIDDEN"] += _codes(body) != ["FORBIDDEN"] or bool(mine)
            checked["refusals"] += 1
            return
        page = body["data"]["alerts"]
        for edge in page["edges"]:
            seen[int(edge["node"]["id"])] = [e["kind"] for e in edge["node"]["evidence"]]
        if not page["edges"] or len(seen) >= page["totalCount"]:
            break
        after = page["edges"][-1]["cursor"]
    checked["query"] += len(seen)
    leaks["query"] += len(set(seen) - mine)
    checked["addressed but not listed"] += len(mine - set(seen))  # not a leak: a miss
    leaks["subject unreadable"] += sum(
        1 for a in seen if not (view.admits("Place", alerts[a].place_id, alerts[a].jurisdiction)
                                or view.admits("Person", alerts[a].person_id,
                                               alerts[a].jurisdiction)))
    for alert_id, kinds in seen.items():
        allowed = Counter(e.kind for e in evidence[alert_id] if visible_evidence(view, e))
        checked["evidence"] += len(kinds)
        leaks["evidence"] += sum((Counter(kinds) - allowed).values())
    counts = (await _post(http, headers, COUNTS))["data"]["alertCounts"]
    checked["counts"] += 1
    leaks["counts"] += sum(counts.values()) != len(mine)
    foreign = [a for a in alerts if a not in mine][:8]
    for alert_id in foreign:
        one = await _post(http, headers, ONE, id=str(alert_id))
        leaks["by id"] += (one.get("data") or {}).get("alert") is not None
        moved = await _post(http, headers, MOVE, id=str(alert_id))
        unknown = await _post(http, headers, MOVE, id="987654321")
        same = _codes(moved) == _codes(unknown) and [
            e["message"].replace(str(alert_id), "N") for e in moved.get("errors", [])] == [
            e["message"].replace("987654321", "N") for e in unknown.get("errors", [])]
        leaks["errors"] += not same or (moved.get("data") or {}).get("acknowledgeAlert") is not None
        checked["by id"] += 1
        checked["errors"] += 1
