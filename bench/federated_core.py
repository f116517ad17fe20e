"""Federated core: source round-trips per request, hub vs direct latency, start-up time.

    python -m bench.federated_core [--residents 20000] [--repeats 15] [--data-dir .data/bench]

Runs the demo departments, an embedded FalkorDB and `python app.py` as real processes, then:
1. round-trips to the departments for `people(first: N)`, N = 10, 100, 1000, cold cache;
2. latency of that query for N = 100, cold and warm cache, against a plain script fetching the
   same records from the same sources in parallel (median of repeats, interleaved);
3. the hub's own steps for that query without any department (HTTP, token and access log; the
   graph's page; the events traversal), against the direct script;
4. start-up of `python app.py` to its first answered query: first run (links the graph) and a
   restart (graph persisted).
"""

import argparse
import asyncio
import os
import re
import shutil
import statistics
import time
from collections import defaultdict
from collections.abc import Awaitable
from pathlib import Path

import httpx
from redis import Redis

from bench.direct import DirectFetcher, refs_in
from bench.stack import HEADERS, HubStack, ensure_demo, time_app_start
from hub.settings import REPO_ROOT

QUERY = """query($n: Int!) { people(first: $n) { edges { node {
  id name gender birthDate idNumber phone residenceAddress careLevel subsidyType subsidyAmount
  sources { connector recordType key }
  events(first: 3) { id title category status sources { connector recordType key } }
} } } }"""

_SAMPLE = re.compile(r"^hub_connector_requests_total\{([^}]*)\} ([0-9.e+]+)$", re.M)


def source_round_trips(url: str) -> dict[str, int]:
    """hub_connector_requests_total by connector/record_type/operation, from /metrics."""
    text = httpx.get(f"{url}/metrics").text
    return {labels: int(float(value)) for labels, value in _SAMPLE.findall(text)}


def clear_record_cache(redis_url: str, answers_only: bool = False) -> None:
    """Forget cached records and kept answers (`answers_only`: just the answers)."""
    patterns = ["hub:ans:*"] + ([] if answers_only else ["hub:rec:*"])
    with Redis.from_url(redis_url) as redis:
        for pattern in patterns:
            names = list(redis.scan_iter(match=pattern, count=5000))
            for start in range(0, len(names), 5000):
                redis.delete(*names[start : start + 5000])


def run_query(url: str, n: int) -> tuple[float, dict]:
    started = time.perf_counter()
    body = {"query": QUERY, "variables": {"n": n}}
    answer = httpx.post(f"{url}/graphql", json=body, headers=HEADERS, timeout=120)
    elapsed = time.perf_counter() - started
    body = answer.json()
    if body.get("errors"):
        raise RuntimeError(body["errors"][:2])
    return elapsed, body


def round_trips_table(stack: HubStack) -> list[str]:
    assert stack.graph is not None
    run_query(stack.url, 1000)  # CSV exports load into memory once per process: not per request
    lines = ["| N | source round-trips | by connector/record type |", "| --- | --- | --- |"]
    for n in (10, 100, 1000):
        clear_record_cache(stack.graph.url)
        before = source_round_trips(stack.metrics_url)
        run_query(stack.url, n)
        after = source_round_trips(stack.metrics_url)
        delta = {k: v - before.get(k, 0) for k, v in after.items() if v - before.get(k, 0)}
        shown = ", ".join(
            f"{_label(k, 'connector')}/{_label(k, 'record_type')} {_label(k, 'operation')}: {v}"
            for k, v in sorted(delta.items())
        )
        lines.append(f"| {n} | {sum(delta.values())} | {shown} |")
    return lines


def _label(labels: str, name: str) -> str:
    found = re.search(rf'{name}="([^"]*)"', labels)
    return found.group(1) if found else "?"


async def _post(client: httpx.AsyncClient, url: str, n: int) -> float:
    started = time.perf_counter()
    answer = await client.post(
        f"{url}/graphql", json={"query": QUERY, "variables": {"n": n}}, headers=HEADERS
    )
    elapsed = time.perf_counter() - started
    if answer.json().get("errors"):
        raise RuntimeError(answer.json()["errors"][:2])
    return elapsed


async def _fresh_post(url: str, n: int) -> float:
    """A request on a new connection from a new client, timed from the client's creation."""
    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=120) as client:
        await _post(client, url, n)
    return time.perf_counter() - started


def process_cpu(pid: int) -> float:
    """Seconds of CPU a process (all its threads) has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _cpu_of(pid: int, runs: list[float], request: Awaitable[float]) -> float:
    """Awaits `request`, noting the CPU process `pid` spent meanwhile; returns its latency."""
    before = process_cpu(pid)
    elapsed = await request
    runs.append(process_cpu(pid) - before)
    return elapsed


async def _latencies(stack: HubStack, data_dir: Path, repeats: int) -> dict[str, list[float]]:
    assert stack.graph is not None and stack.hub is not None
    pid = stack.hub.pid
    _, body = run_query(stack.url, 100)
    refs = refs_in(body)
    fresh, kept = (DirectFetcher(data_dir, stack.systems.env) for _ in range(2))
    runs: dict[str, list[float]] = defaultdict(list)
    async with httpx.AsyncClient(timeout=120) as client, kept.keep_connections():
        await _post(client, stack.url, 100)
        await kept.fetch(refs)
        for _ in range(repeats):
            for mode, post in (
                ("new", lambda: _fresh_post(stack.url, 100)),
                ("kept", lambda: _post(client, stack.url, 100)),
            ):
                for run in ("hub cold", "hub warm records", "hub kept answer"):
                    if run != "hub kept answer":
                        clear_record_cache(stack.graph.url, answers_only=run != "hub cold")
                    cpu = runs[f"cpu {run}, {mode}"]
                    runs[f"{run}, {mode}"].append(await _cpu_of(pid, cpu, post()))
            runs["direct, new"].append(await fresh.timed(refs))
            started = time.process_time()
            runs["direct, kept"].append(await kept.timed(refs))
            runs["cpu direct, kept"].append(time.process_time() - started)
    runs["refs"] = [float(len(refs)), float(len({r[:2] for r in refs}))]
    return runs


def latency_table(stack: HubStack, data_dir: Path, repeats: int) -> list[str]:
    runs = asyncio.run(_latencies(stack, data_dir, repeats))
    records, groups = (int(v) for v in runs.pop("refs"))
    # /proc counts CPU in ticks of 10 ms: per-request CPU is a mean over the runs, not a median
    med = {name: (statistics.mean if name.startswith("cpu") else statistics.median)(values) * 1000
           for name, values in runs.items()}
    lines = [
        f"Records fetched per request: {records} in {groups} (connector, record type) groups; "
        f"{repeats} interleaved repeats, medians. *Cold*: no record cached, no answer kept; "
        "*warm records*: every record in the record cache, no kept answer; *kept answer*: the "
        "same question asked again (README, kept answers). *New*: every request (and every "
        "direct run) opens its own client and connections, timed from the client's creation; "
        "*kept*: the hub's client keeps its connection alive, and the direct script keeps its "
        "HTTP client and SQLite connection across runs.",
        "",
        "| run | connections | median ms | ratio hub/direct |",
        "| --- | --- | --- | --- |",
    ]
    for mode in ("new", "kept"):
        direct = med[f"direct, {mode}"]
        names = ("hub cold", "hub warm records", "hub kept answer", "direct")
        for name in (f"{n}, {mode}" for n in names):
            run = name.split(",")[0].replace("direct", "direct script")
            lines.append(f"| {run} | {mode} | {med[name]:.1f} | {med[name] / direct:.2f} |")
    lines += [
        "",
        "CPU per request, kept connections (means over the same runs): the hub process's (all "
        "its threads, from /proc), the direct script's own; the departments' and FalkorDB's "
        "not counted on either side.",
        "",
        "| run | CPU ms (mean) | latency ms (median) |",
        "| --- | --- | --- |",
    ]
    for run in ("hub cold", "hub warm records", "hub kept answer", "direct"):
        shown = run.replace("direct", "direct script")
        lines.append(f"| {shown} | {med[f'cpu {run}, kept']:.1f} | {med[f'{run}, kept']:.1f} |")
    return lines


# What every cold request of QUERY does whatever the departments: the same steps, no records.
FLOORS = {
    "`{ __typename }`: HTTP, token, view, access log": "{ __typename }",
    "+ the page of 100 people (graph page query)": (
        "{ people(first: 100) { edges { node { id } } } }"
    ),
    "+ their events (graph traversal)": (
        "{ people(first: 100) { edges { node { id events(first: 3) { id } } } } }"
    ),
}


async def _floors(stack: HubStack, data_dir: Path, repeats: int) -> dict[str, list[float]]:
    assert stack.graph is not None
    _, body = run_query(stack.url, 100)
    refs = refs_in(body)
    direct = DirectFetcher(data_dir, stack.systems.env)
    runs: dict[str, list[float]] = defaultdict(list)
    async with httpx.AsyncClient(timeout=120) as client, direct.keep_connections():
        await direct.fetch(refs)
        for _ in range(repeats):
            for name, query in FLOORS.items():
                clear_record_cache(stack.graph.url, answers_only=True)
                started = time.perf_counter()
                answer = await client.post(
                    f"{stack.url}/graphql", json={"query": query}, headers=HEADERS
                )
                runs[name].append(time.perf_counter() - started)
                if answer.json().get("errors"):
                    raise RuntimeError(answer.json()["errors"][:2])
            runs["direct"].append(await direct.timed(refs))
    return runs


def floor_table(stack: HubStack, data_dir: Path, repeats: int) -> list[str]:
    """The hub's own steps without any department, against the direct script (kept
    connections, kept answers cleared): what a cold request cannot overlap with them."""
    runs = asyncio.run(_floors(stack, data_dir, repeats))
    med = {name: statistics.median(values) * 1000 for name, values in runs.items()}
    direct = med.pop("direct")
    lines = [
        f"Kept connections, kept answers cleared before each request; {repeats} rounds, medians.",
        "",
        "| request | median ms | ratio to the direct script |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {name} | {ms:.1f} | {ms / direct:.2f} |" for name, ms in med.items()]
    lines.append(f"| direct script: the 4 departments' records | {direct:.1f} | 1.00 |")
    return lines


def startup_table(data_dir: Path) -> list[str]:
    """A first run as `make run` makes it on generated data: no graph, no hub records."""
    shutil.rmtree(data_dir / "falkordb", ignore_errors=True)
    for records in data_dir.glob("hub.sqlite*"):
        records.unlink()
    first = time_app_start(data_dir)
    again = [time_app_start(data_dir) for _ in range(3)]
    return [
        "| `python app.py` to first answered query | seconds |",
        "| --- | --- |",
        f"| first run on generated demo data (links the graph; no hub records yet) | {first:.1f} |",
        f"| restart, graph persisted (median of 3) | {statistics.median(again):.1f} |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--data-dir", type=Path, default=REPO_ROOT / ".data" / "bench")
    args = parser.parse_args()
    ensure_demo(args.data_dir, args.residents)
    out = [
        f"## Federated core ({args.residents:,} residents)",
        "",
        f"`python -m bench.federated_core --residents {args.residents} --repeats {args.repeats}`",
        "",
    ]
    shutil.rmtree(args.data_dir / "bench-falkordb", ignore_errors=True)
    stack = HubStack(args.data_dir)
    try:
        linked = stack.start()
        out += [
            f"The hub linked an empty graph and answered its first query in {linked:.1f} s.",
            "",
            "### Source round-trips per request, cold cache",
            "",
        ]
        out += round_trips_table(stack)
        out += [
            "",
            "### Latency of `people(first: 100)` with attributes from all four departments",
            "",
        ]
        out += latency_table(stack, args.data_dir, args.repeats)
        out += ["", "### The hub's own steps, before any department", ""]
        out += floor_table(stack, args.data_dir, args.repeats)
    finally:
        stack.stop()
    out += ["", "### Start-up", "", *startup_table(args.data_dir)]
    print("\n".join(out))


if __name__ == "__main__":
    main()
