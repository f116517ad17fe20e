"""Throughput with 1, 2, … hub processes (`hub serve --workers N`) on one set of stores.

    python -m bench.workers [--workers 1 2] [--clients 8 32] [--seconds 15] [--repeats 3]
        [--residents 20000] [--data-dir .data/bench]

One set of demo departments and one FalkorDB; one hub per worker count, all running at once on
their own ports (an idle hub costs nothing), loaded in turn, round after round, so the
machine's other tenants weigh on each alike. Each round: `clients` concurrent callers, each on
a kept connection, asking for `seconds`; kept answers off, records cached (warm: what a busy
hub mostly does). Two requests: a page of 100 people with attributes from four departments
and their events (bench.federated_core's), and one person by id. Reported: requests/s and p95
latency, medians over rounds, and the ratio to one worker. The load generator runs on the same
machine and takes part of its cores: its CPU is reported too, and so is each role's share of
the machine during the runs (hub processes, FalkorDB, department servers, load generator,
other tenants; bench.processes) with the hub's and FalkorDB's CPU per request, which the
machine's other tenants inflate far less than they do throughput.
"""

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
from pathlib import Path

import httpx

from bench.federated_core import QUERY
from bench.processes import Roles
from bench.stack import HEADERS, HubStack, ensure_demo, load, wait_for_query
from hub import embedded
from hub.settings import REPO_ROOT

PERSON = """query($id: ID!) { person(id: $id) { id name gender careLevel residenceAddress
  residence { name parent { name } } } }"""


def _requests(url: str) -> dict[str, dict]:
    first = httpx.post(f"{url}/graphql", json={"query": QUERY, "variables": {"n": 100}},
                       headers=HEADERS, timeout=120).json()
    person = first["data"]["people"]["edges"][0]["node"]["id"]
    return {"people(first: 100)": {"query": QUERY, "variables": {"n": 100}},
            "person(id)": {"query": PERSON, "variables": {"id": person}}}


async def _load(url: str, body: dict, clients: int, seconds: float) -> tuple[float, float, int]:
    """Requests per second, p95 latency (ms) and requests of `clients` callers for `seconds`."""
    done, elapsed, p95 = await load(url, body, clients, seconds)
    return done / elapsed, p95, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--clients", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--data-dir", type=Path, default=REPO_ROOT / ".data" / "bench")
    args = parser.parse_args()
    data_dir = args.data_dir / f"link-{args.residents}"
    ensure_demo(data_dir, args.residents)
    os.environ["HUB_ANSWER_CACHE_SECONDS"] = "0"  # every hub below: kept answers off
    first = HubStack(data_dir, workers=args.workers[0])
    first.start()
    stacks = {args.workers[0]: first}
    try:
        for count in args.workers[1:]:  # the same departments and graph, another hub
            stack = HubStack(data_dir, systems=first.systems, graph=first.graph, workers=count,
                             port=embedded.free_port(), metrics_port=embedded.free_port())
            stack.hub = _start_hub(stack)
            stacks[count] = stack
        _run(stacks, args)
    finally:
        for count, stack in reversed(list(stacks.items())):
            if count != args.workers[0] and stack.hub is not None:
                stack.hub.terminate()
                stack.hub.wait(30)
        first.stop()


def _start_hub(stack: HubStack) -> subprocess.Popen[bytes]:
    process = subprocess.Popen([sys.executable, "app.py"], cwd=REPO_ROOT, env=stack.env(),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_query(stack.url, process)
    return process


def _run(stacks: dict[int, HubStack], args: argparse.Namespace) -> None:
    load_before = os.getloadavg()
    bodies = _requests(next(iter(stacks.values())).url)
    results: dict[tuple[str, int, int], list[tuple[float, float]]] = {}
    shares: dict[tuple[str, int, int], list[dict[str, float]]] = {}
    roles = {count: Roles(stack) for count, stack in stacks.items()}
    for url in (s.url for s in stacks.values()):  # records cached, code warmed
        for body in bodies.values():
            asyncio.run(_load(url, body, 4, 2))
    for _ in range(args.repeats):
        for name, body in bodies.items():
            for clients in args.clients:
                for count, stack in stacks.items():
                    before = roles[count].snapshot()
                    rate, p95, done = asyncio.run(_load(stack.url, body, clients, args.seconds))
                    after = roles[count].snapshot()
                    share = roles[count].cores(before, after)
                    used = roles[count].seconds(before, after)
                    share["hub ms"] = 1000 * used["hub"] / done
                    share["FalkorDB ms"] = 1000 * used["FalkorDB"] / done
                    results.setdefault((name, clients, count), []).append((rate, p95))
                    shares.setdefault((name, clients, count), []).append(share)
    _report(results, args, statistics.median(
        s["load generator"] for runs in shares.values() for s in runs))
    _report_shares(shares)
    shown = [" ".join(f"{v:.2f}" for v in got) for got in (load_before, os.getloadavg())]
    print(f"load average (1, 5, 15 min) before the runs: {shown[0]}, after: {shown[1]}")


def _report(results: dict[tuple[str, int, int], list[tuple[float, float]]],
            args: argparse.Namespace, generator_cores: float) -> None:
    print(f"{os.cpu_count()} cores; {args.repeats} rounds of {args.seconds:g} s; warm records, "
          f"kept answers off; the load generator used {generator_cores:.2f} core(s)")
    print("| request | clients | workers | requests/s | × 1 worker | p95 ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for (name, clients, count), runs in results.items():
        rate = statistics.median(r for r, _ in runs)
        p95 = statistics.median(p for _, p in runs)
        one = statistics.median(r for r, _ in results[(name, clients, args.workers[0])])
        print(f"| {name} | {clients} | {count} | {rate:.1f} | {rate / one:.2f} | {p95:.0f} |")



def _report_shares(shares: dict[tuple[str, int, int], list[dict[str, float]]]) -> None:
    print("\nCores used during the runs by role (medians over rounds), and CPU per request")
    roles = ["hub", "FalkorDB", "departments", "load generator", "others"]
    print(f"| request | clients | workers | {' | '.join(roles)} | hub ms/request | "
          "FalkorDB ms/request |")
    print("| --- | ---: | ---: |" + " ---: |" * (len(roles) + 2))
    for (name, clients, count), runs in shares.items():
        cells = [statistics.median(r[k] for r in runs) for k in [*roles, "hub ms", "FalkorDB ms"]]
        print(f"| {name} | {clients} | {count} | "
              + " | ".join(f"{c:.2f}" for c in cells[:-2])
              + f" | {cells[-2]:.1f} | {cells[-1]:.1f} |")


if __name__ == "__main__":
    main()
