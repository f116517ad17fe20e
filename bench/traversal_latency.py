"""Traversal latency through GraphQL (p50, p95): a person's household and residence; all events
under a community in the last 30 days (first 50, with the total).

    python -m bench.traversal_latency --residents 20000 1000000 [--requests 200] [--root DIR]

Runs against the graph `bench.link_throughput` / `bench.link_quality` left in the data dir
(linking first only when it is empty). Each query's figures are printed (one JSON line,
flushed) as soon as they are measured. Requests go through the ASGI app in process, one at a
time, as the police of every district in the graph (every row in scope; access checks and
the access log included); attribute fields are left out so the figures are the graph's (and
the hub's) own, and kept answers are off so that every request is resolved.
"""

import argparse
import asyncio
import json
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from bench.stack import AS_OF, bench_runtime, data_dir_for, ensure_demo
from hub.access.tokens import DEV_SECRET, mint
from hub.linking.run import link
from hub.settings import REPO_ROOT
from hub.web import create_app

HOUSEHOLD = """query($id: ID!) { person(id: $id) { id household { id } residence { id name
  parent { id name } } } }"""
COMMUNITY_EVENTS = """query($id: ID!, $since: DateTime!) { place(id: $id) { id
  eventsConnection(first: 50, since: $since) { totalCount edges { node { id eventType
  occurredAt } } } } }"""


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"p50_ms": round(statistics.median(ordered) * 1000, 2),
            "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 2)}


async def _timed(http: httpx.AsyncClient, query: str, variables: dict) -> float:
    started = time.perf_counter()
    response = await http.post("/graphql", json={"query": query, "variables": variables})
    elapsed = time.perf_counter() - started
    body = response.json()
    assert "errors" not in body, body["errors"][:1]
    assert all(value is not None for value in body["data"].values()), "out of scope"
    return elapsed


def emit(line: dict) -> None:
    print(json.dumps(line, ensure_ascii=False), flush=True)


async def measure(root: Path, residents: int, requests: int) -> None:
    data_dir = data_dir_for(root, residents)
    ensure_demo(data_dir, residents)
    rng = random.Random(7)
    # Kept answers off: the same community asked again would be served from one.
    async with bench_runtime(data_dir, answer_cache_seconds=0) as runtime:
        if await runtime.links.is_empty():
            report = await link(runtime)
            emit({"residents": residents, "linked_first": report.total,
                  "records_per_s": round(report.rate)})
        people = await runtime.store.read(
            "MATCH (p:Person)-[:LIVES_AT]->() RETURN p.id AS id LIMIT 50000"
        )
        communities = await runtime.store.read(
            "MATCH (c:Place {level: 'community'}) RETURN c.id AS id"
        )
        since = (datetime.fromisoformat(AS_OF).replace(tzinfo=UTC) - timedelta(days=30))
        districts = await runtime.store.read(
            "MATCH (d:Place {level: 'district'}) RETURN d.jurisdiction AS code"
        )
        token = mint(DEV_SECRET, "bench", ["police"], sorted(d["code"] for d in districts))
        app = create_app(runtime.settings, runtime=runtime)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub",
                                     headers={"Authorization": f"Bearer {token}"}) as http:
            household = [await _timed(http, HOUSEHOLD, {"id": rng.choice(people)["id"]})
                         for _ in range(requests)]
            emit({"residents": residents, "requests": requests,
                  "household_and_residence": _percentiles(household)})
            events = [await _timed(http, COMMUNITY_EVENTS,
                                   {"id": rng.choice(communities)["id"],
                                    "since": since.isoformat()})
                      for _ in range(requests)]
            emit({"residents": residents, "requests": requests,
                  "community_events_30_days": _percentiles(events)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, nargs="+", default=[20_000])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--root", type=Path, default=REPO_ROOT / ".data" / "bench")
    args = parser.parse_args()
    for residents in args.residents:
        asyncio.run(measure(args.root, residents, args.requests))


if __name__ == "__main__":
    main()
