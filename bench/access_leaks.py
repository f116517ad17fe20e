"""Leak test: every role × two jurisdictions × every type and field, on the demo data.

`python -m bench.access_leaks` prints a Markdown table for bench/RESULTS.md; exit 1 on a leak.
"""

import asyncio
import sys

from bench.access_stack import Stack, bearer, stack
from bench.leaks import check
from hub.access.gate import Gatekeeper
from hub.access.principal import Principal

STREETS = ["330105004", "330105003"]
COMMUNITIES = ["330105004001", "330105003002"]
GRIDS = ["33010500400101", "33010500300203"]
DISTRICT = "330105"
PLACES = {
    "street_admin": STREETS,
    "community_worker": COMMUNITIES,
    "grid_worker": GRIDS,
    "police": [STREETS[0], COMMUNITIES[1]],
    "civil_affairs": STREETS,
    "property_manager": [COMMUNITIES[0], GRIDS[1]],
    "resident": GRIDS,
    "city_brain": [DISTRICT, STREETS[1]],
    "auditor": ["", ""],
}


async def _resident_of(s: Stack, grid: str) -> str:
    nodes, _ = await s.runtime.links.page("Person", [grid], 0, 50, {})
    ids = [node.id for node in nodes]
    for person in ids:
        if (await s.runtime.links.traverse("person_household", [person], None, 5))[person]:
            return person
    return ids[0]


async def _one(s: Stack, role: str, place: str) -> tuple[list[str], list[str]]:
    subject = await _resident_of(s, place) if role == "resident" else f"bench-{role}"
    places = [place] if place else []
    principal = Principal(subject, (role,), tuple(places))
    view = await Gatekeeper(s.runtime.settings).view(principal, s.runtime.policies, s.runtime.links)
    headers = bearer(role, places, subject)
    report = await check(s.runtime, view, lambda q: s.ask(q, headers), first=200)
    readable = [
        k for k in ("Person", "Place", "Event", "Thing", "Organization") if view.readable(k)
    ]
    return [
        role,
        place or "-",
        ", ".join(readable) or "—",
        str(report.rows),
        str(report.values),
        str(report.masked),
        str(len(report.leaks)),
    ], report.leaks


async def main() -> int:
    header = [
        "role",
        "jurisdiction",
        "types readable",
        "rows read",
        "values read",
        "masked",
        "leaks",
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    leaks: list[str] = []
    async with stack() as s:
        for role, places in PLACES.items():
            for place in places:
                row, found = await _one(s, role, place)
                lines.append("| " + " | ".join(row) + " |")
                leaks += found
    print("\n".join(lines))
    for leak in leaks[:20]:
        print("LEAK", leak, file=sys.stderr)
    return 1 if leaks else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
