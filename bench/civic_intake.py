"""Intake throughput and durability: GraphQL and Open311 against a real hub on 127.0.0.1.

    python -m bench.civic_intake [--opinions 1000] [--clients 50] [--postgres]

Starts its own stack in a temporary folder (demo departments for 2,000 residents, embedded
FalkorDB, `python app.py` under uvicorn; hub records in SQLite, or PostgreSQL with
--postgres). 50 concurrent clients submit every opinion twice with the same idempotency key
(the second a retry after a lost answer), retrying 5xx and network errors too. Keywords are
computed at intake. Then every acknowledged id is read back through Open311: zero lost means
each opinion was stored exactly once and every acknowledgement names a stored opinion.
"""

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from pathlib import Path

import httpx

from hub.embedded import free_port
from hub.linking.keys import Keyring
from hub.settings import REPO_ROOT

TEXTS = [
    "{b}电梯又坏了，老人上下楼很不方便",
    "{b}楼下垃圾桶满了没人清运",
    "{b}附近没有充电桩，电动车充电难",
    "{b}外墙渗水，卧室墙皮脱落",
    "{b}楼道堆满杂物，消防通道堵塞",
    "{b}的路灯坏了，晚上很黑",
]
GRAPHQL = """mutation($i: OpinionInput!) { submitOpinion(input: $i) { created opinion { id } } }"""


def start_hub(data_dir: Path, database_url: str | None) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "HUB_DATA_DIR": str(data_dir), "HUB_PORT": str(port), "HUB_DEMO": "1"}
    if database_url:
        env["DATABASE_URL"] = database_url
    log = (data_dir / "hub.log").open("wb")
    process = subprocess.Popen([sys.executable, "app.py"], cwd=REPO_ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"hub exited; see {data_dir / 'hub.log'}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.5)
    raise SystemExit("hub did not start")


async def retrying(send: Callable[[], Awaitable[httpx.Response]]) -> httpx.Response:
    """What a real client does: retry on 5xx and network errors, same request each time."""
    for attempt in range(6):
        try:
            response = await send()
            if response.status_code < 500:
                return response
        except httpx.HTTPError:
            pass
        await asyncio.sleep(0.05 * 2**attempt)
    raise RuntimeError("gave up after 6 attempts")


async def run_phase(url: str, door: str, buildings: list[str], n: int, clients: int,
                    api_key: str) -> dict[str, object]:
    rng = random.Random(door)
    jobs = [(i, str(uuid.uuid4()), rng.choice(TEXTS).format(b=rng.choice(buildings)))
            for i in range(n)]
    queue: asyncio.Queue = asyncio.Queue()
    for job in jobs + jobs:  # every opinion twice: the answer "got lost", the client retries
        queue.put_nowait(job)
    acks: dict[str, set[str]] = defaultdict(set)
    created = 0
    latencies: list[float] = []

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal created
        while not queue.empty():
            i, key, text = queue.get_nowait()
            started = time.perf_counter()
            if door == "graphql":
                variables = {"i": {"text": f"{text}（{i}）", "idempotencyKey": key,
                                   "address": text[: text.index("幢") + 1], "channel": "app"}}
                response = await retrying(lambda v=variables: http.post(
                    "/graphql", json={"query": GRAPHQL, "variables": v}))
                body = response.json()["data"]["submitOpinion"]
                opinion_id, new = body["opinion"]["id"], body["created"]
            else:
                form = {"api_key": api_key, "service_code": "housing",
                        "description": f"{text}（{i}）",
                        "address_string": text[: text.index("幢") + 1]}
                response = await retrying(lambda f=form, k=key: http.post(
                    "/open311/v2/requests.json", data=f, headers={"Idempotency-Key": k}))
                assert response.status_code in (200, 201), response.text
                opinion_id, new = response.json()[0]["service_request_id"], \
                    response.status_code == 201
            latencies.append(time.perf_counter() - started)
            acks[key].add(opinion_id)
            created += new

    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:
        started = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(clients)))
        wall = time.perf_counter() - started
        ids = sorted({i for found in acks.values() for i in found})
        stored = set()
        for start in range(0, len(ids), 100):
            chunk = ids[start : start + 100]
            response = await http.get("/open311/v2/requests.json",
                                      params={"service_request_id": ",".join(chunk)})
            stored |= {r["service_request_id"] for r in response.json()}
    return {
        "door": door, "opinions": n, "requests": 2 * n, "wall": wall,
        "per_s": n / wall, "requests_per_s": 2 * n / wall, "created": created,
        "ids_per_key_max": max(len(v) for v in acks.values()),
        "lost": len(set(ids) - stored) + (n - len(acks)),
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": statistics.quantiles(latencies, n=20)[18] * 1000,
    }


async def buildings_of(url: str) -> list[str]:
    query = "{ places(first: 200, filter: {level: BUILDING}) { edges { node { name } } } }"
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        body = (await http.post("/graphql", json={"query": query})).json()
    return [e["node"]["name"] for e in body["data"]["places"]["edges"]]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--opinions", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="civic-bench-") as tmp, ExitStack() as stack:
        data_dir = Path(tmp)
        database_url = None
        if args.postgres:
            from tests.support.postgres import start_postgres, stop_postgres

            server = start_postgres("civic_bench")
            stack.callback(stop_postgres, server)
            database_url = server.url
        subprocess.run([sys.executable, "-m", "demo", "generate", "--data-dir", tmp,
                        "--residents", "2000", "--seed", "3", "--quiet"], check=True)
        process, url = start_hub(data_dir, database_url)
        stack.callback(lambda: (process.terminate(), process.wait(30)))
        buildings = asyncio.run(buildings_of(url))
        key = Keyring(os.environ.get("HUB_LINK_SECRET") or "dev-only-link-secret").digest(
            "open311-key", "demo", 24)
        store = "PostgreSQL" if args.postgres else "SQLite"
        print("| door | records | opinions | requests | wall | opinions/s | requests/s | "
              "p50 | p95 | created | ids per key | lost |")
        print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for door in ("graphql", "open311"):
            r = asyncio.run(run_phase(url, door, buildings, args.opinions, args.clients, key))
            print(f"| {door} | {store} | {r['opinions']} | {r['requests']} | {r['wall']:.1f} s | "
                  f"{r['per_s']:.0f} | {r['requests_per_s']:.0f} | {r['p50_ms']:.0f} ms | "
                  f"{r['p95_ms']:.0f} ms | {r['created']} | {r['ids_per_key_max']} | "
                  f"{r['lost']} |", flush=True)


if __name__ == "__main__":
    main()
