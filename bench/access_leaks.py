"""Leak test: roles × jurisdiction sets (one pair and several) × every type, field and policy
object, on the demo data of two streets; then again after `hub link --changed`.

`python -m bench.access_leaks` prints Markdown tables for bench/RESULTS.md; exit 1 on a leak.
Entity types are judged against the union of the single-pair views (bench/pairs.py), policy
objects against Casbin asked per pair and the stores' own counts (bench/object_leaks.py).
"""

import asyncio
import sys
from dataclasses import dataclass
from typing import Any

from bench import object_leaks
from bench.access_stack import Stack, bearer, stack
from bench.leaks import check
from bench.pairs import union_view
from hub.access.gate import _own_ids
from hub.access.principal import Principal
from hub.linking.run import link

STREETS = ["330105004", "330105003"]
COMMUNITIES = ["330105004001", "330105003002"]
GRIDS = ["33010500400101", "33010500300203"]
DISTRICT = "330105"
CODES = [*STREETS, *COMMUNITIES, "330105004002", *GRIDS]
MONTH_BACK = 1  # the month before the newest opinion's: a month with hotspots
ROLE_SETS = [
    ("street_admin",), ("community_worker",), ("grid_worker",), ("police",),
    ("civil_affairs",), ("property_manager",), ("resident",), ("city_brain",), ("auditor",),
    ("street_admin", "community_worker"), ("community_worker", "police"),
    ("resident", "property_manager"), ("police", "civil_affairs"),
    ("city_brain", "grid_worker"), ("auditor", "community_worker"),
]
PLACE_SETS = [
    [STREETS[0]], [COMMUNITIES[1]], [GRIDS[0]], [DISTRICT], [],
    [STREETS[0], COMMUNITIES[0]], [COMMUNITIES[0], STREETS[0]], [COMMUNITIES[0], COMMUNITIES[1]],
    [GRIDS[0], COMMUNITIES[1]], [DISTRICT, GRIDS[1]], [STREETS[0], STREETS[1]],
]


@dataclass
class Outcome:
    rows: int = 0
    objects: int = 0
    principals: int = 0
    refused: int = 0  # tokens the hub refuses (no jurisdiction where the role needs one)
    leaks: list[str] | None = None


async def _resident_of(s: Stack, grid: str) -> str:
    nodes, _ = await s.runtime.links.page("Person", [grid], 0, 50, {})
    ids = [node.id for node in nodes]
    for person in ids:
        if (await s.runtime.links.traverse("person_household", [person], None, 5))[person]:
            return person
    return ids[0]


async def _one(s: Stack, roles: tuple[str, ...], places: list[str], month: str) -> tuple:  # type: ignore[type-arg]
    subject = await _resident_of(s, GRIDS[0]) if "resident" in roles else "bench-matrix"
    who = Principal(subject, roles, tuple(places))
    headers = bearer(list(roles), places, subject)
    probe = await s.ask("{ __typename }", headers)
    if probe.get("errors"):
        return None, []
    view = union_view(s.runtime.policies.current, who, await _own_ids(who, s.runtime.links))
    entities = await check(s.runtime, view, lambda q: s.ask(q, headers), first=100)

    async def ask(query: str, variables: dict[str, Any]) -> dict[str, Any]:
        response = await s.enforced.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        return response.json()  # type: ignore[no-any-return]

    objects = await object_leaks.check(
        s.runtime, s.runtime.policies.current, who, ask, CODES, month
    )
    return (entities.rows, objects.checks), entities.leaks + objects.leaks


async def _matrix(s: Stack, month: str) -> tuple[list[str], Outcome]:
    lines = ["| roles | jurisdictions | rows read | object checks | leaks |", "|---" * 5 + "|"]
    outcome = Outcome(leaks=[])
    for roles in ROLE_SETS:
        for places in PLACE_SETS:
            counts, leaks = await _one(s, roles, places, month)
            if counts is None:
                outcome.refused += 1
                continue
            outcome.principals += 1
            outcome.rows += counts[0]
            outcome.objects += counts[1]
            outcome.leaks += leaks  # type: ignore[operator]
            lines.append(f"| {'+'.join(roles)} | {','.join(places) or '-'} | {counts[0]} | "
                         f"{counts[1]} | {len(leaks)} |")
    return lines, outcome


async def _month(s: Stack) -> str:
    from sqlalchemy import text

    async with s.runtime.sessions() as session:
        newest = await session.scalar(text("SELECT max(created_at) FROM civic_opinions"))
    year, month = int(str(newest)[:4]), int(str(newest)[5:7]) - MONTH_BACK
    return f"{year - (month < 1)}-{(month - 1) % 12 + 1:02d}"


async def main() -> int:
    async with stack(opinions=True) as s:
        month = await _month(s)
        lines, first = await _matrix(s, month)
        await link(s.runtime, changed_only=True)
        _, again = await _matrix(s, month)
    print("\n".join(lines))
    for name, o in (("full link", first), ("after hub link --changed", again)):
        print(f"\n{name}: {o.principals} tokens ({o.refused} refused at the door), "
              f"{o.rows} rows read, {o.objects} object checks, {len(o.leaks or [])} leaks")
    leaks = (first.leaks or []) + (again.leaks or [])
    for leak in leaks[:20]:
        print("LEAK", leak, file=sys.stderr)
    return 1 if leaks else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
