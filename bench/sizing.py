"""What a street, a district and a city need: measured per-request costs, then a load model.

    python -m bench.sizing [--residents 20000] [--requests 60] [--data-dir .data/bench]
        [--save costs.json | --costs costs.json]

Measures on the demo stack (`python app.py` as one process, the demo departments, embedded
FalkorDB, the hub's records in a throwaway PostgreSQL, the demo's opinions imported) what each
main request kind costs: the hub's, FalkorDB's and PostgreSQL's CPU per request (from /proc,
`--requests` requests one at a time, each window its answer and 0.2 s after, less an idle
window as long), the graph and cache commands FalkorDB ran and its own time in them (INFO
commandstats; at 1–2 ms a request /proc's 10 ms ticks and the server's idle work make its CPU
noisy, so the sizing uses the command time), department calls (the hub's /metrics) and
access-log bytes (PostgreSQL's relation size). Then the stores: graph memory per node and per
resident (GRAPH.MEMORY USAGE), bytes per cached record and per kept answer (MEMORY USAGE), the
hub's records per stored opinion. `--save` writes these costs to a file; `--costs` reads one
instead of measuring, so the load model (`Load`, below: edit it) can be changed and the table
printed again in a second. The table scales linearly from the measured street: where that is
an extrapolation (the graph beyond 1,000,000 residents; one graph writer) it says so.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
from redis import Redis

from bench.federated_core import QUERY, clear_record_cache, source_round_trips
from bench.processes import Roles
from bench.stack import HEADERS, HubStack, ensure_demo
from hub.settings import REPO_ROOT

if TYPE_CHECKING:
    from tests.support.postgres import PostgresServer

STREET, MONTH = "330105004", "2025-05"  # the demo street; the last whole month of its year
PERSON = """query($id: ID!) { person(id: $id) { id name gender careLevel residenceAddress
  residence { name parent { name } } } }"""
OPINION = """mutation($i: OpinionInput!) { submitOpinion(input: $i) { created opinion { id } } }"""
HOTSPOTS = """query($j: String!, $m: String!) { hotspots(jurisdiction: $j, month: $m) {
  title keywords placeName score count category level } }"""
PAGE = "people(first: 100) cold"
WARM = "people(first: 100) warm"
ONE = "person(id)"
SUBMIT = "submitOpinion"
HOT = "hotspots(street, month)"
KEPT = "kept answer (the page)"
Variables = dict | Callable[[int], dict]
SETTLE = 0.2  # seconds after each answer still counted as its request's
LINK_RATE = 20_000  # records/s of a fresh link at 1,000,000 residents (RESULTS, link graph)


@dataclass
class Load:
    """The load at the busiest hour, per 10,000 residents unless said. Edit and re-run with
    --costs: every figure below is an assumption, stated with where it comes from."""

    # Staff users: community workers (the 14th five-year plan for community services aims at
    # 18 per 10,000 urban residents), grid workers (a grid of ~300–500 households, one
    # worker each: ~8), police, civil-affairs and property staff with access (~4).
    staff: float = 30.0
    staff_active: float = 0.5  # share of them at work in the hub at the busiest hour
    staff_per_minute: float = 2.0  # GraphQL requests per active user: a screen a minute, two each
    # What a staff request is (shares): pages of 100 people, people by id, hotspots, and
    # pages asked again within the kept answers' 30 s (the workbench's refreshes, colleagues).
    staff_mix: dict[str, float] = field(default_factory=lambda: {
        "page": 0.25, ONE: 0.40, HOT: 0.05, KEPT: 0.30})
    cold_pages: float = 0.5  # pages whose records are not cached (TTL 2–10 minutes)
    # Residents' opinions: the demo street has ~2,100 a month (opinions + 12345 orders) for
    # 20,000 residents; Xiaohe street (the policy article) ~2,000 a month.
    opinions_per_month: float = 1_050.0
    opinion_peak: float = 4.0  # the busiest hour against the day's average hour
    reads_per_opinion: float = 5.0  # a resident looks at her opinion's answer (a person read)
    # The city brain (城市大脑) pulls pages of 100 people: per 10,000 residents, per second
    # (0.02: a city of 10 million is re-read whole in ~2.3 hours at its busiest).
    brain_pages: float = 0.02
    busy_hours: float = 4.0  # a day's requests = the busiest hour's rate × this many hours
    days: int = 300  # staff work ~250 days a year; residents and the city brain 365
    log_days: int = 183  # the access log's retention (HUB_AUDIT_RETENTION_DAYS' default)
    graph_server: tuple[int, int] = (64, 8)  # one FalkorDB machine: GiB of memory, cores
    utilisation: float = 0.6  # hub cores sized so the busiest hour uses at most this


def _rates(load: Load, residents: int) -> dict[str, float]:
    """Requests per second of each measured kind at the busiest hour."""
    tens = residents / 10_000
    staff = tens * load.staff * load.staff_active * load.staff_per_minute / 60
    opinions = tens * load.opinions_per_month / (30 * 86_400) * load.opinion_peak
    pages = staff * load.staff_mix["page"] + tens * load.brain_pages
    return {PAGE: pages * load.cold_pages, WARM: pages * (1 - load.cold_pages),
            ONE: staff * load.staff_mix[ONE] + opinions * load.reads_per_opinion,
            SUBMIT: opinions, HOT: staff * load.staff_mix[HOT], KEPT: staff * load.staff_mix[KEPT]}


@dataclass
class Kind:
    hub_ms: float
    falkordb_ms: float
    postgres_ms: float
    graph_calls: float  # FalkorDB's GRAPH.* commands per request
    cache_calls: float  # its other commands (record cache, kept answers, epochs, pub/sub)
    graph_us: float  # FalkorDB's own time in them (commandstats), µs per request
    cache_us: float
    department_calls: float
    log_rows: float
    log_bytes: float  # PostgreSQL bytes per access-log row, table + TOAST + indexes


@dataclass
class Costs:
    residents: int
    kinds: dict[str, Kind]
    nodes: int
    edges: int
    graph_bytes: int
    records_per_resident: float  # department records (linked sources) per resident
    record_bytes: float  # one cached record in Redis (MEMORY USAGE, sealed)
    answer_bytes: float  # one kept answer of the page
    page_records: int  # records one cold page brings into the cache
    opinions: int
    opinion_bytes: float  # the hub's records (every civic table) per stored opinion
    idle_ms: dict[str, float] = field(default_factory=dict)  # subtracted from each window


def _commandstats(redis: Redis) -> dict[str, tuple[int, int]]:
    stats = redis.info("commandstats")
    return {name.removeprefix("cmdstat_"): (v["calls"], v["usec"]) for name, v in stats.items()}


def _psql(server: "PostgresServer", sql: str) -> str:
    command = [str(server.bindir / "psql"), "-At", "-c", sql, server.url_for("sizing")]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()


def _log_size(server: "PostgresServer") -> tuple[int, int]:
    got = _psql(server, "SELECT count(*), pg_total_relation_size('access_log') FROM access_log")
    rows, size = got.split("|")
    return int(rows), int(size)


class Meter:
    """One kind at a time: requests one after another, each timed by CPU in every role."""

    def __init__(self, stack: HubStack, server: "PostgresServer", requests: int) -> None:
        assert stack.graph is not None
        self.stack, self.server, self.requests = stack, server, requests
        self.redis = Redis.from_url(stack.graph.url)
        self.http = httpx.Client(base_url=stack.url, headers=HEADERS, timeout=120)
        self.roles = Roles(stack)
        self.roles.pids["PostgreSQL"] = [server.process.pid]
        self.idle = {"hub": 0.0, "FalkorDB": 0.0, "PostgreSQL": 0.0}  # seconds, all windows
        self.windows = 0

    def _idle(self, seconds: float) -> dict[str, float]:
        """What each role spends in a window as long as a request's, without a request
        (timers, the servers' cron, other clients of FalkorDB): subtracted from that request."""
        first = self.roles.snapshot()
        time.sleep(seconds)
        used = self.roles.seconds(first, self.roles.snapshot())
        self.windows += 1
        for role in self.idle:
            self.idle[role] += used[role]
        return used

    def ask(self, query: str, variables: dict) -> dict:
        answer = self.http.post("/graphql", json={"query": query, "variables": variables})
        body = answer.json()
        if answer.status_code != 200 or body.get("errors"):
            raise RuntimeError(f"{answer.status_code} {answer.text[:300]}")
        return body["data"]

    def measure(self, query: str, variables: Variables, before_each: str | None) -> Kind:
        """`variables`: a dict or a function of the request's number; `before_each`: what to
        forget first, outside the timed window ("records", "answers" or None). Each request's
        window is its answer and SETTLE seconds after it, less what the roles spent in an idle
        window as long right after it."""
        cpu = {"hub": 0.0, "FalkorDB": 0.0, "PostgreSQL": 0.0}
        calls = {"graph": 0, "cache": 0, "graph_us": 0, "cache_us": 0}
        trips, log = source_round_trips(self.stack.metrics_url), _log_size(self.server)
        for number in range(self.requests):
            if before_each:
                clear_record_cache(self.stack.graph.url, answers_only=before_each == "answers")
            given = variables(number) if callable(variables) else variables
            stats, first = _commandstats(self.redis), self.roles.snapshot()
            self.ask(query, given)
            time.sleep(SETTLE)  # what the hub does after answering: cache writes, the access log
            last = self.roles.snapshot()
            used = self.roles.seconds(first, last)
            idle = self._idle(last.at - first.at)
            for name, (count, usec) in _commandstats(self.redis).items():
                was = stats.get(name, (0, 0))
                if name == "info":
                    continue
                side = "graph" if name.startswith("graph.") else "cache"
                calls[side] += count - was[0]
                calls[f"{side}_us"] += usec - was[1]
            for role in cpu:
                cpu[role] += used[role] - idle[role]
        time.sleep(1.5)  # the access log is appended after the answer
        after_trips, after_log = source_round_trips(self.stack.metrics_url), _log_size(self.server)
        n = self.requests
        rows = after_log[0] - log[0]
        return Kind(
            hub_ms=1000 * cpu["hub"] / n, falkordb_ms=1000 * cpu["FalkorDB"] / n,
            postgres_ms=1000 * cpu["PostgreSQL"] / n,
            graph_calls=calls["graph"] / n, cache_calls=calls["cache"] / n,
            graph_us=calls["graph_us"] / n, cache_us=calls["cache_us"] / n,
            department_calls=(sum(after_trips.values()) - sum(trips.values())) / n,
            log_rows=rows / n, log_bytes=(after_log[1] - log[1]) / rows if rows else 0.0)


def _buildings(meter: Meter) -> list[str]:
    query = "{ places(first: 200, filter: {level: BUILDING}) { edges { node { name } } } }"
    return [e["node"]["name"] for e in meter.ask(query, {})["places"]["edges"]]


def _graph(redis: Redis) -> tuple[int, int, int]:
    """Nodes, edges and bytes of the hub's graph."""
    nodes = redis.execute_command("GRAPH.RO_QUERY", "hub", "MATCH (n) RETURN count(n)")[1][0][0]
    edges = redis.execute_command("GRAPH.RO_QUERY", "hub", "MATCH ()-[r]->() RETURN count(r)")
    usage = redis.execute_command("GRAPH.MEMORY", "USAGE", "hub")
    pairs = usage.items() if isinstance(usage, dict) else zip(usage[::2], usage[1::2], strict=True)
    report = {(k.decode() if isinstance(k, bytes) else k): v for k, v in pairs}
    return int(nodes), int(edges[1][0][0]), int(float(report["total_graph_sz_mb"]) * 2**20)


def _mean_memory(redis: Redis, pattern: str, sample: int = 500) -> tuple[float, int]:
    names = list(redis.scan_iter(match=pattern, count=5000))
    sizes = [redis.memory_usage(name) or 0 for name in names[:sample]]
    return (sum(sizes) / len(sizes) if sizes else 0.0), len(names)


def measure(data_dir: Path, residents: int, requests: int) -> Costs:
    from tests.support.postgres import start_postgres, stop_postgres

    ensure_demo(data_dir, residents)
    server = start_postgres("sizing")
    os.environ["DATABASE_URL"] = server.url  # the hub's records: opinions and the access log
    stack = HubStack(data_dir)
    try:
        stack.start()
        for action in ("import-hotline", "import-demo"):
            subprocess.run([sys.executable, "-m", "hub", "opinions", action], cwd=REPO_ROOT,
                           env=stack.env(), check=True, stdout=subprocess.DEVNULL)
        return _measure(stack, server, residents, requests)
    finally:
        stack.stop()
        stop_postgres(server)


def _measure(stack: HubStack, server: "PostgresServer", residents: int, requests: int) -> Costs:
    meter = Meter(stack, server, requests)
    page = {"n": 100}
    first = meter.ask(QUERY, page)["people"]["edges"]
    people = [e["node"]["id"] for e in first]
    buildings = _buildings(meter)
    for _ in range(3):  # code warmed, the hotspot background computed, pools opened
        meter.ask(QUERY, page)
        meter.ask(HOTSPOTS, {"j": STREET, "m": MONTH})
    run = f"sizing-{uuid.uuid4().hex[:8]}"
    _psql(server, "VACUUM ANALYZE")  # the imports' aftermath, not the requests'
    _psql(server, "CHECKPOINT")

    def opinion(number: int) -> dict:
        place = buildings[number % len(buildings)]
        return {"i": {"text": f"{place}楼道里的声控灯坏了好几天，晚上上下楼看不清（{number}）",
                      "idempotencyKey": f"{run}-{number}", "address": place, "channel": "app"}}

    kinds = {
        PAGE: meter.measure(QUERY, page, "records"),
        WARM: meter.measure(QUERY, page, "answers"),
        ONE: meter.measure(PERSON, lambda n: {"id": people[n % len(people)]}, "answers"),
        SUBMIT: meter.measure(OPINION, opinion, None),
        HOT: meter.measure(HOTSPOTS, {"j": STREET, "m": MONTH}, "answers"),
    }
    meter.ask(QUERY, page)  # the answer kept, then asked again and again
    kinds[KEPT] = meter.measure(QUERY, page, None)
    clear_record_cache(stack.graph.url)
    meter.ask(QUERY, page)
    record_bytes, page_records = _mean_memory(meter.redis, "hub:rec:*")
    answer_bytes, _ = _mean_memory(meter.redis, "hub:ans:*")
    nodes, edges, graph_bytes = _graph(meter.redis)
    sources = meter.redis.execute_command(
        "GRAPH.RO_QUERY", "hub", "MATCH (s:Source) RETURN count(s)")[1][0][0]
    opinions = int(_psql(server, "SELECT count(*) FROM civic_opinions"))
    civic = int(_psql(server, "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
                              "WHERE c.relkind = 'r' AND c.relname LIKE 'civic%'"))
    return Costs(residents=residents, kinds=kinds, nodes=nodes, edges=edges,
                 graph_bytes=graph_bytes, records_per_resident=int(sources) / residents,
                 record_bytes=record_bytes, answer_bytes=answer_bytes,
                 page_records=page_records, opinions=opinions,
                 idle_ms={role: 1000 * v / meter.windows for role, v in meter.idle.items()},
                 opinion_bytes=civic / opinions)


def print_costs(costs: Costs) -> None:
    print(f"Per request, {costs.residents:,} residents (means of one-at-a-time requests)\n")
    print("| request | hub CPU ms | FalkorDB CPU ms | FalkorDB command ms | PostgreSQL CPU ms | "
          "graph queries | cache commands | department calls | access-log rows | bytes per row |")
    print("| --- |" + " ---: |" * 9)
    for name, k in costs.kinds.items():
        print(f"| {name} | {k.hub_ms:.1f} | {k.falkordb_ms:.1f} | "
              f"{(k.graph_us + k.cache_us) / 1000:.1f} | {k.postgres_ms:.1f} | "
              f"{k.graph_calls:.1f} | {k.cache_calls:.1f} | {k.department_calls:.1f} | "
              f"{k.log_rows:.2f} | {k.log_bytes:,.0f} |")
    print("\nIdle CPU in a window as long as a request's, subtracted above (ms): " + ", ".join(
        f"{role} {ms:.2f}" for role, ms in costs.idle_ms.items()))
    print(f"\nGraph: {costs.nodes:,} nodes, {costs.edges:,} edges, "
          f"{costs.graph_bytes / 2**20:,.1f} MiB (GRAPH.MEMORY USAGE): "
          f"{costs.graph_bytes / costs.nodes:,.0f} B per node, "
          f"{costs.graph_bytes / costs.residents / 1024:,.1f} KiB per resident. Cached record "
          f"{costs.record_bytes:,.0f} B, kept page answer {costs.answer_bytes / 1024:,.1f} KiB, "
          f"{costs.records_per_resident:.2f} department records per resident. Hub records "
          f"{costs.opinion_bytes:,.0f} B per opinion ({costs.opinions:,} stored).")


def print_sizing(costs: Costs, load: Load) -> None:
    print("\nLoad model (per 10,000 residents unless said): " + ", ".join(
        f"{k} {v}" for k, v in asdict(load).items()))
    print("\n| | street | district | city |")
    print("| --- | ---: | ---: | ---: |")
    places = {"street": 20_000, "district": 500_000, "city": 10_000_000}
    rows: dict[str, list[str]] = {}
    for residents in places.values():
        for label, value in _size(costs, load, residents).items():
            rows.setdefault(label, []).append(value)
    rows = {"residents": [f"{r:,}" for r in places.values()], **rows}
    for label, values in rows.items():
        print(f"| {label} | " + " | ".join(values) + " |")


def _size(costs: Costs, load: Load, residents: int) -> dict[str, str]:
    rates = _rates(load, residents)
    k = costs.kinds
    memory, cores = load.graph_server
    requests = sum(rates.values())
    hub = sum(r * k[n].hub_ms for n, r in rates.items()) / 1000
    # FalkorDB by its own time in the commands: /proc's ticks are coarse against 1–2 ms
    graph = sum(r * (k[n].graph_us + k[n].cache_us) for n, r in rates.items()) / 1e6
    postgres = sum(r * k[n].postgres_ms for n, r in rates.items()) / 1000
    departments = sum(r * k[n].department_calls for n, r in rates.items())
    scale = residents / costs.residents
    graph_gib = costs.graph_bytes * scale / 2**30
    records = costs.records_per_resident * residents
    # The record cache holds what was read within its TTL (≤ 10 minutes): at most every record;
    # a person read brings about a hundredth of a page's records.
    read = (rates[PAGE] + rates[ONE] / 100) * costs.page_records * 600
    cache_gib = (min(records, read) * costs.record_bytes
                 + rates[KEPT] * 30 * costs.answer_bytes) / 2**30
    daily = {n: r * 3600 * load.busy_hours for n, r in rates.items()}
    log_rows = sum(d * k[n].log_rows for n, d in daily.items()) * load.days
    log_gib = sum(d * k[n].log_rows * k[n].log_bytes for n, d in daily.items()) * load.log_days \
        / 2**30
    opinions = residents / 10_000 * load.opinions_per_month * 12
    return {
        "requests/s, busiest hour": f"{requests:,.1f}",
        "hub CPU cores used": f"{hub:,.2f}",
        f"hub processes (cores) at ≤ {load.utilisation:.0%}":
            f"{max(1, math.ceil(hub / load.utilisation)):,}",
        "FalkorDB cores (graph + cache, by command time)": f"{graph:,.2f}",
        "graph memory GiB": f"{graph_gib:,.2f}",
        "one FalkorDB enough (memory ×2 for snapshots, cores ≤ 60 %)":
            "yes" if 2 * graph_gib <= memory and graph <= 0.6 * cores else "no",
        "full link, minutes (one writer, 20,000 records/s)": f"{records / LINK_RATE / 60:,.1f}",
        "Redis cache GiB (records read within 10 min)": f"{cache_gib:,.2f}",
        "PostgreSQL CPU cores": f"{postgres:,.2f}",
        "department calls/s": f"{departments:,.0f}",
        "opinions a year (rows)": f"{opinions:,.0f}",
        "opinion records GiB a year": f"{opinions * costs.opinion_bytes / 2**30:,.2f}",
        "access-log rows a year": f"{log_rows:,.0f}",
        f"access log GiB kept ({load.log_days} days)": f"{log_gib:,.1f}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=60, help="per request kind")
    parser.add_argument("--data-dir", type=Path, default=REPO_ROOT / ".data" / "bench")
    parser.add_argument("--save", type=Path, help="write the measured costs here")
    parser.add_argument("--costs", type=Path, help="read costs from here instead of measuring")
    args = parser.parse_args()
    if args.costs:
        raw = json.loads(args.costs.read_text())
        raw["kinds"] = {n: Kind(**k) for n, k in raw["kinds"].items()}
        costs = Costs(**raw)
    else:
        load = os.getloadavg()
        costs = measure(args.data_dir / f"link-{args.residents}", args.residents, args.requests)
        print("load average before: {:.2f} {:.2f} {:.2f}, after: {:.2f} {:.2f} {:.2f}\n".format(
            *load, *os.getloadavg()))
    if args.save:
        args.save.write_text(json.dumps(asdict(costs), indent=1, ensure_ascii=False))
    print_costs(costs)
    print_sizing(costs, Load())


if __name__ == "__main__":
    main()
