"""Precise services: catalogue with target groups and suggestions, timed for a street and for a
district of 15 streets, and the unmet-need suggestions scored against the planted truth.

    python -m bench.services [--residents 3800] [--repeats 7] [--root .data/bench]

Generates the demo departments (the demo street's two communities at 3,800 residents), links
them, imports the demo's opinions and seeds the demo's precise services (hub/services/
demo_seed.py), in-process over the demo REST systems and an embedded FalkorDB, the clock pinned
to the demo's reference day. The street is timed over GraphQL as its street office (one
request: every module with its target-group size, and the top-5 suggestions per community
with their evidence), cold (target groups counted again from the departments) and warm (group
counts kept, as within five minutes). The demo has one street, so the district is synthetic:
15 more streets of 6 communities each get demand histories and catalogues from
demo/service_demand.py (seed 100 + street), and the district is timed at the service layer
(catalogue, target groups counted from the departments for the district, suggestions). The
planted unmet needs of all 16 streets score the suggestions: recall in each community's top 5,
and precision of the unmet needs suggested there.
"""

import argparse
import asyncio
import json
import statistics
import time
from datetime import date, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any

import httpx

from bench.stack import AS_OF, bench_runtime, ensure_demo
from demo.service_demand import demand_truth, monthly_demand
from hub import clock
from hub.access.tokens import DEV_SECRET, mint
from hub.civic import imports
from hub.civic.periods import CST
from hub.linking.run import link
from hub.runtime import Runtime
from hub.services import demand
from hub.services.demo_seed import DEMAND_SEED, catalogue_from_truth, communities_of, seed
from hub.services.suggestions import HISTORY_MONTHS, this_month
from hub.settings import REPO_ROOT
from hub.web import create_app

STREET, DISTRICT = "330105004", "330105"
SYNTHETIC = [f"{DISTRICT}{100 + i:03d}" for i in range(1, 16)]  # codes no real street uses
PER_STREET = 6
TOP = 5
QUERY = """query($j: String!) {
  serviceModules(jurisdiction: $j) { community code status capacity unit
    targetGroup { code count suppressed } }
  serviceSuggestions(jurisdiction: $j, top: 5) { community need kind score summary
    evidence { recent trend opinions examples council capacity
      targetGroup { count } forecast { mean lower upper } } } }"""


def median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 1)


async def street_timing(runtime: Runtime, repeats: int) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {mint(DEV_SECRET, 'bench', ['street_admin'], [STREET])}"}
    app = create_app(runtime.settings, runtime=runtime)
    transport = httpx.ASGITransport(app=app)
    cold: list[float] = []
    warm: list[float] = []
    if runtime.services.suggestions.forecast is not None:
        await runtime.services.suggestions.warm()  # as the hub does in the background at start
    async with httpx.AsyncClient(transport=transport, base_url="http://hub",
                                 headers=headers) as http:
        body: dict[str, Any] = {}
        for _ in range(repeats):
            for kept, samples in ((False, cold), (True, warm)):
                if not kept:
                    runtime.services.groups.forget()
                started = time.perf_counter()
                response = await http.post("/graphql", json={"query": QUERY,
                                                             "variables": {"j": STREET}})
                samples.append(time.perf_counter() - started)
                body = response.json()
                assert "errors" not in body, body["errors"]
    data = body["data"]
    return {"modules": len(data["serviceModules"]),
            "suggestions": len(data["serviceSuggestions"]),
            "cold_ms": median_ms(cold), "warm_ms": median_ms(warm),
            "cold_samples_ms": [round(x * 1000) for x in cold],
            "warm_samples_ms": [round(x * 1000) for x in warm],
            "example": next((s["summary"] for s in data["serviceSuggestions"] if s["summary"]),
                            None)}


async def synthetic_district(runtime: Runtime, end: date) -> dict[str, list[str]]:
    """Demand and catalogues of 15 synthetic streets (once); their communities by street."""
    streets = {s: [f"{s}{c:03d}" for c in range(1, PER_STREET + 1)] for s in SYNTHETIC}
    async with runtime.sessions() as session:
        have = await demand.history(session, [SYNTHETIC[0]], end, 1)
    if not have:
        for index, communities in enumerate(streets.values(), start=1):
            series = monthly_demand(100 + index, communities, end, HISTORY_MONTHS)
            async with runtime.sessions() as session:
                await demand.store_history(session, series, end)
            truth = demand_truth(100 + index, communities, end)
            for community in communities:
                await catalogue_from_truth(runtime, community, truth.capacity)
    return streets


async def district_timing(runtime: Runtime, repeats: int) -> dict[str, Any]:
    """Median over repeats with the forecasts fitted (as after the start-up warm-up), group
    counts taken again each time; and once with no forecast fitted yet (when there are any)."""
    services = runtime.services

    async def once() -> tuple[float, int, int]:
        services.groups.forget()
        started = time.perf_counter()
        async with runtime.sessions() as session:
            modules = len(await services.catalogue.modules(session, SYNTHETIC))
        groups = await services.groups.counts(DISTRICT)
        found = await services.suggestions.ranked(SYNTHETIC, groups)
        return time.perf_counter() - started, modules, len(found)

    unfitted = None
    if services.suggestions.forecast is not None:
        services.suggestions.forecast.clear()
        unfitted = round((await once())[0] * 1000, 1)
    samples, modules, found = [], 0, 0
    for _ in range(repeats):
        seconds, modules, found = await once()
        samples.append(seconds)
    return {"streets": len(SYNTHETIC), "communities": len(SYNTHETIC) * PER_STREET,
            "modules": modules, "suggestions": found, "cold_ms": median_ms(samples),
            "forecasts_unfitted_ms": unfitted}


def score(found: list[demand.Suggestion], planted: set[tuple[str, str, str]],
          communities: list[str]) -> dict[str, Any]:
    top: dict[str, list[demand.Suggestion]] = {}
    for item in found:  # already ranked: unmet first, by gap
        if item.unmet and len(top.setdefault(item.community, [])) < TOP:
            top[item.community].append(item)
    suggested = {(s.community, s.need, s.kind) for items in top.values() for s in items}
    hits = suggested & planted
    per_community = []
    for community in communities:
        mine = {p for p in planted if p[0] == community}
        if mine:
            per_community.append(len(mine & suggested) / len(mine))
    return {"planted": len(planted), "suggested": len(suggested), "hits": len(hits),
            "recall": round(len(hits) / len(planted), 3) if planted else None,
            "precision": round(len(hits) / len(suggested), 3) if suggested else None,
            "min_recall_per_community": round(min(per_community), 3) if per_community else None,
            "missed": sorted(planted - suggested), "extra": sorted(suggested - planted)}


async def quality(runtime: Runtime, streets: dict[str, list[str]], end: date) -> dict[str, Any]:
    planted: set[tuple[str, str, str]] = set()
    demo = await communities_of(runtime)
    planted |= set(demand_truth(DEMAND_SEED, demo, end).unmet_needs)
    for index, communities in enumerate(streets.values(), start=1):
        planted |= set(demand_truth(100 + index, communities, end).unmet_needs)
    groups = await runtime.services.groups.counts(DISTRICT)
    found = await runtime.services.suggestions.ranked([STREET, *SYNTHETIC], groups)
    everyone = demo + [c for cs in streets.values() for c in cs]
    return score(found, planted, everyone)


async def measure(root: Path, residents: int, repeats: int) -> dict[str, Any]:
    data_dir = root / f"services-{residents}"
    ensure_demo(data_dir, residents)
    day = date.fromisoformat(AS_OF)
    with clock.pinned(datetime.combine(day, clock_time(10), CST)):
        async with bench_runtime(data_dir, graph_name="bench-services") as runtime:
            if await runtime.links.is_empty():
                await link(runtime)
            opinions = data_dir / "demo" / "opinions" / "opinions.csv"
            if opinions.exists():
                await imports.import_demo_opinions(runtime.civic, opinions)
            await seed(runtime)
            end = this_month()
            streets = await synthetic_district(runtime, end)
            return {
                "residents": residents, "repeats": repeats,
                "forecast": runtime.services.suggestions.forecast is not None,
                "street": await street_timing(runtime, repeats),
                "district": await district_timing(runtime, repeats),
                "quality": await quality(runtime, streets, end),
            }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=3800)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--root", type=Path, default=REPO_ROOT / ".data" / "bench")
    args = parser.parse_args()
    result = asyncio.run(measure(args.root, args.residents, args.repeats))
    print(json.dumps(result, ensure_ascii=False, indent=1, default=str))


if __name__ == "__main__":
    main()
