"""The hub against a gateway peer over the same demo departments, interleaved in one run.

    make bench-peer   # bench/peer's npm packages, once
    python -m bench.gateway_peer [--clients 8 32] [--seconds 10] [--repeats 3]
        [--residents 20000] [--data-dir .data/bench]

The peer (bench/peer, its README): GraphQL Mesh composes the civil and urban departments' REST
batch endpoints (described by JSON Schema) and a small subgraph of the departments without an
HTTP interface (police SQLite, property and hotline files), served by Hive Gateway with one
process per core (`--fork`). Like bench.direct, it is handed the record keys the hub's answer
reads: no linking, no access control, no audit. The hub: `python app.py` with policies enforced,
the access log on and one worker per core.

One set of departments and one FalkorDB; three hubs and two gateways run at once (an idle one
costs little) and are loaded in turn, round after round, hub and peer alternating first:
- cold: the hub with no record cache (every connector's cache_ttl 0: each request reads its
  records from the departments) against the peer, which has no cache;
- warm: the hub with records cached, kept answers off, against the same peer;
- kept: the hub with kept answers (30 s) against the gateway's response cache (30 s).
Two requests: `people(first: 100)` with attributes from the departments and `events(first: 3)`
(bench.federated_core's), and one person by id (bench.workers'); for the peer, one GraphQL
document asking the records those answers were built from, by key. Each load: `clients`
concurrent callers on kept connections for `seconds`. Reported: requests/s, p95, and CPU per
request of each side's processes (from /proc; the departments' own CPU on neither side), medians
over rounds.
"""

import argparse
import asyncio
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx

from bench.direct import Ref, refs_in
from bench.federated_core import QUERY, process_cpu
from bench.stack import HEADERS, HubStack, ensure_demo, load, wait_for_query
from bench.workers import PERSON
from hub import embedded
from hub.settings import REPO_ROOT

PEER_DIR = REPO_ROOT / "bench" / "peer"
SIDES = ("hub", "peer")
MODES = ("cold", "warm", "kept")
PERSON_SOURCES = """query($id: ID!) { person(id: $id) { sources { connector recordType key }
  residence { sources { connector recordType key } parent { sources { connector recordType key } } }
} }"""

# (connector, record type) -> the peer's field and what it asks of each record
PEER_FIELDS: dict[tuple[str, str], tuple[str, str]] = {
    ("police", "resident"): ("residents", "person_no name gender birth_date id_number phone "
                                          "residence_address"),
    ("police", "gate_event"): ("gateEvents", "event_no gate_name direction occurred_at"),
    ("civil", "care_record"): ("careRecords", "record_id care_level subsidy_type subsidy_amount"),
    ("urban", "case"): ("cases", "case_no category status"),
    ("property", "room_owner"): ("rooms", "room_id address owner_name owner_phone"),
    ("property", "room"): ("rooms", "room_id address owner_name owner_phone"),
    ("property", "repair_order"): ("repairOrders", "order_no category status"),
    ("hotline", "work_order"): ("workOrders", "order_no category status"),
}


def peer_body(refs: list[Ref]) -> tuple[dict, dict[str, int]]:
    """One GraphQL document asking the peer for `refs` by key, and how many records each of
    its fields must return."""
    keys: dict[str, set[str]] = defaultdict(set)
    asked: dict[str, str] = {}
    for connector, record_type, key in refs:
        field, selection = PEER_FIELDS[(connector, record_type)]
        keys[field].add(key)
        asked[field] = selection
    parts, variables = [], {}
    for field, wanted in sorted(keys.items()):
        variables[field] = sorted(wanted)
        if field == "careRecords":  # the REST body {"ids": [...]}, as its JSON Schema says
            parts.append(f"careRecords(input: {{ids: ${field}}}) {{ items {{ {asked[field]} }} }}")
        elif field == "cases":  # ?ids=a,b,c
            variables[field] = ",".join(variables[field])
            parts.append(f"cases(ids: ${field}) {{ data {{ {asked[field]} }} }}")
        else:
            parts.append(f"{field}(ids: ${field}) {{ {asked[field]} }}")
    types = {"careRecords": "[String!]!", "cases": "String!"}
    declared = ", ".join(f"${f}: {types.get(f, '[String!]!')}" for f in sorted(keys))
    query = f"query({declared}) {{\n  " + "\n  ".join(parts) + "\n}"
    return {"query": query, "variables": variables}, {f: len(k) for f, k in keys.items()}


def _records(data: dict, field: str) -> list[dict]:
    found = data[field]  # the REST sources wrap their lists as the departments do
    if isinstance(found, dict):
        return found["items" if field == "careRecords" else "data"]
    return found


def check_peer(url: str, body: dict, counts: dict[str, int], names: set[str]) -> None:
    """The peer answers every record asked, and the residents the hub named."""
    data = httpx.post(f"{url}/graphql", json=body, timeout=60).json()
    if data.get("errors"):
        raise RuntimeError(f"peer: {data['errors'][:2]}")
    for field, count in counts.items():
        got = len(_records(data["data"], field))
        if got != count:
            raise RuntimeError(f"peer: {field} gave {got} of {count} records")
    if names - {r["name"] for r in data["data"].get("residents", [])}:
        raise RuntimeError("peer: the residents differ from the hub's")


def descendants(pid: int) -> list[int]:
    """The processes under `pid` (its workers, forks and theirs), from /proc."""
    children: dict[int, list[int]] = defaultdict(list)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children[int(fields[1])].append(int(stat.parent.name))
    found, todo = [], list(children.get(pid, []))
    while todo:
        found.append(todo.pop())
        todo += children.get(found[-1], [])
    return found


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process and all its descendants so far."""
    total = 0.0
    for each in [pid, *descendants(pid)]:
        try:
            total += process_cpu(each)
        except OSError:  # ended meanwhile
            continue
    return total


class Peer:
    """The police/files subgraph, the composed supergraph and two gateways (one with the
    response cache), each `--fork`ed into one process per core."""

    def __init__(self, data_dir: Path, urls: dict[str, str], scratch: Path, forks: int) -> None:
        bin_dir = PEER_DIR / "node_modules" / ".bin"
        if not bin_dir.exists():
            sys.exit("bench/peer has no npm packages: run `make bench-peer` first")
        self.processes: list[subprocess.Popen[bytes]] = []
        self.scratch = scratch
        local_port = embedded.free_port()
        self.local = self._spawn(["node", "local.mjs"], DEMO_DIR=str(data_dir / "demo"),
                                 PORT=str(local_port))
        local_url = f"http://127.0.0.1:{local_port}/graphql"
        _wait(local_url, {"query": "{ __typename }"}, self.local)
        supergraph = scratch / "supergraph.graphql"
        subprocess.run([str(bin_dir / "mesh-compose"), "-o", str(supergraph)], cwd=PEER_DIR,
                       check=True, capture_output=True,
                       env={**os.environ, "CIVIL_URL": urls["HUB_CIVIL_URL"],
                            "URBAN_URL": urls["HUB_URBAN_URL"], "LOCAL_URL": local_url})
        self.urls: dict[str, str] = {}
        self.gateways: dict[str, subprocess.Popen[bytes]] = {}
        for name, cache in (("plain", "0"), ("cached", "1")):
            port = embedded.free_port()
            self.gateways[name] = self._spawn(
                [str(bin_dir / "hive-gateway"), "supergraph", "-c", "gateway.config.mjs",
                 "--fork", str(forks), "-h", "127.0.0.1", "-p", str(port)],
                SUPERGRAPH=str(supergraph), PEER_RESPONSE_CACHE=cache)
            self.urls[name] = f"http://127.0.0.1:{port}"
        for name, url in self.urls.items():
            _wait(f"{url}/graphql", {"query": "{ __typename }"}, self.gateways[name])

    def _spawn(self, command: list[str], **env: str) -> subprocess.Popen[bytes]:
        log = (self.scratch / f"peer-{len(self.processes)}.log").open("wb")
        process = subprocess.Popen(command, cwd=PEER_DIR, env={**os.environ, **env},
                                   stdout=log, stderr=subprocess.STDOUT)
        self.processes.append(process)
        return process

    def logs(self, lines: int = 20) -> str:
        """The end of each process's output (what a failed load needs to be understood)."""
        return "\n".join(f"{log.name}:\n" + "\n".join(log.read_text(errors="replace")
                                                   .splitlines()[-lines:])
                         for log in sorted(self.scratch.glob("peer-*.log")))

    def cpu(self, name: str) -> tuple[float, float]:
        """CPU seconds so far of the gateway `name`'s processes and of the subgraph."""
        return tree_cpu(self.gateways[name].pid), process_cpu(self.local.pid)

    def stop(self) -> None:
        """SIGTERM; a gateway still waiting on its forks after 5 s is killed with them."""
        for process in reversed(self.processes):
            process.terminate()
        for process in reversed(self.processes):
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                for pid in [*descendants(process.pid), process.pid]:
                    os.kill(pid, signal.SIGKILL)
                process.wait(5)


def _wait(url: str, body: dict, process: subprocess.Popen[bytes], timeout: float = 120) -> None:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited with {process.returncode}")
        try:
            if httpx.post(url, json=body, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer")


def uncached_connectors(scratch: Path) -> Path:
    """A copy of the departments' settings with every record cache off (cache_ttl = 0)."""
    target = scratch / "departments"
    shutil.copytree(REPO_ROOT / "connectors" / "departments", target)
    for toml in target.glob("*.toml"):
        text = toml.read_text()
        if re.search(r"^cache_ttl\s*=", text, re.M) is None:
            raise RuntimeError(f"{toml.name} names no cache_ttl")
        toml.write_text(re.sub(r"^cache_ttl\s*=.*$", "cache_ttl = 0", text, flags=re.M))
    return target


def start_hub(first: HubStack, **env: str) -> tuple[subprocess.Popen[bytes], str]:
    """Another hub on `first`'s departments, graph and records, with `env` on top."""
    stack = HubStack(first.data_dir, systems=first.systems, graph=first.graph,
                     workers=first.workers, port=embedded.free_port(),
                     metrics_port=embedded.free_port())
    process = subprocess.Popen([sys.executable, "app.py"], cwd=REPO_ROOT,
                               env={**stack.env(), **env},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_query(stack.url, process)
    return process, stack.url


def requests_for(url: str) -> dict[str, tuple[dict, dict, dict[str, int], set[str]]]:
    """Per request: the hub's body, the peer's body, its record counts, the residents' names."""
    page = httpx.post(f"{url}/graphql", json={"query": QUERY, "variables": {"n": 100}},
                      headers=HEADERS, timeout=120).json()
    people = [e["node"] for e in page["data"]["people"]["edges"]]
    person = people[0]["id"]
    sources = httpx.post(f"{url}/graphql", json={"query": PERSON_SOURCES,
                                                 "variables": {"id": person}},
                         headers=HEADERS, timeout=120).json()
    found = {}
    for name, hub_body, answer, names in (
        ("people(first: 100)", {"query": QUERY, "variables": {"n": 100}}, page,
         {p["name"] for p in people}),
        ("person(id)", {"query": PERSON, "variables": {"id": person}}, sources,
         {people[0]["name"]}),
    ):
        body, counts = peer_body(refs_in(answer))
        found[name] = (hub_body, body, counts, names)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--data-dir", type=Path, default=REPO_ROOT / ".data" / "bench")
    args = parser.parse_args()
    data_dir = args.data_dir / f"link-{args.residents}"
    ensure_demo(data_dir, args.residents)
    cores = len(os.sched_getaffinity(0))
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    with tempfile.TemporaryDirectory(prefix="hub-peer-") as scratch_dir:
        scratch = Path(scratch_dir)
        warm = HubStack(data_dir, workers=cores)
        os.environ["HUB_ANSWER_CACHE_SECONDS"] = "0"
        warm.start()
        others: list[subprocess.Popen[bytes]] = []
        peer = None
        try:
            assert warm.hub is not None and warm.graph is not None
            cold, cold_url = start_hub(warm, HUB_CONNECTORS_DIR=str(uncached_connectors(scratch)))
            kept, kept_url = start_hub(warm, HUB_ANSWER_CACHE_SECONDS="30")
            others += [cold, kept]
            peer = Peer(data_dir, warm.systems.env, scratch, cores)
            graph_pid = warm.graph.process.pid if warm.graph.process else None
            hubs = {"cold": (cold_url, cold.pid), "warm": (warm.url, warm.hub.pid),
                    "kept": (kept_url, kept.pid)}
            peers = {"cold": "plain", "warm": "plain", "kept": "cached"}

            def hub_cpu(mode: str) -> tuple[float, float]:
                graph = process_cpu(graph_pid) if graph_pid else 0.0
                return tree_cpu(hubs[mode][1]), graph

            targets = {(mode, "hub"): (hubs[mode][0], lambda m=mode: hub_cpu(m))
                       for mode in MODES}
            targets |= {(mode, "peer"): (peer.urls[peers[mode]],
                                         lambda m=mode: peer.cpu(peers[m])) for mode in MODES}
            try:
                results = measure(requests_for(warm.url), targets, peer, args)
            except RuntimeError:
                print(peer.logs(), file=sys.stderr)
                raise
        finally:
            try:
                if peer is not None:
                    peer.stop()
            finally:
                for process in others:
                    process.send_signal(signal.SIGINT)
                    process.wait(30)
                warm.stop()
    load_after = Path("/proc/loadavg").read_text().split()[:3]
    report(results, args, cores, load_before, load_after)


Key = tuple[str, int, str, str]  # request, clients, mode, side
Run = tuple[float, float, float, float, float]  # requests/s, p95 ms, CPU ms/request: own,
# its store (FalkorDB; the subgraph), the load generator


def measure(requests: dict, targets: dict, peer: Peer,
            args: argparse.Namespace) -> dict[Key, list[Run]]:
    """Requests/s, p95 ms and CPU ms per request of every load, by (request, clients, mode,
    side), round after round, the side that goes first alternating."""
    for name, (hub_body, body, counts, names) in requests.items():
        check_peer(peer.urls["plain"], body, counts, names)
        sizes = [len(httpx.post(f"{url}/graphql", json=b, headers=HEADERS, timeout=60).content)
                 for url, b in ((targets[("warm", "hub")][0], hub_body),
                                (peer.urls["plain"], body))]
        print(f"{name}: answers of {sizes[0]:,} bytes (hub) and {sizes[1]:,} (peer), "
              f"{sum(counts.values())} records asked of the peer")
    for (_, side), (url, _) in targets.items():  # records cached, answers kept, code warm
        for hub_body, body, _, _ in requests.values():
            asyncio.run(load(url, hub_body if side == "hub" else body, 4, 2))
    results: dict[Key, list[Run]] = defaultdict(list)
    me = os.getpid()
    for round_ in range(args.repeats):
        sides = SIDES if round_ % 2 == 0 else SIDES[::-1]
        for name, (hub_body, body, _, _) in requests.items():
            for clients in args.clients:
                for mode in MODES:
                    for side in sides:
                        url, cpu = targets[(mode, side)]
                        before, mine = cpu(), process_cpu(me)
                        count, elapsed, p95 = asyncio.run(
                            load(url, hub_body if side == "hub" else body, clients, args.seconds))
                        after, mine = cpu(), (process_cpu(me) - mine) * 1000 / count
                        own, store = ((after[i] - before[i]) * 1000 / count for i in (0, 1))
                        results[(name, clients, mode, side)].append(
                            (count / elapsed, p95, own, store, mine))
        print(f"round {round_ + 1} of {args.repeats} done", file=sys.stderr)
    return results


def report(results: dict[Key, list[Run]], args: argparse.Namespace, cores: int,
           load_before: list[str], load_after: list[str]) -> None:
    print(f"{cores} cores; {args.repeats} rounds of {args.seconds:g} s per load, medians; load "
          f"average {' '.join(load_before)} before, {' '.join(load_after)} after\n")
    print("CPU per request: the hub's processes + FalkorDB; the gateway's processes + the "
          "subgraph (police SQL, files); the load generator's (Python, this process) when "
          "loading the hub / the peer\n")
    print("| request | clients | mode | hub req/s | peer req/s | ratio | hub p95 ms "
          "| peer p95 ms | ratio | hub CPU ms | peer CPU ms | ratio | generator CPU ms |")
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
          "| ---: |")
    for name in dict.fromkeys(k[0] for k in results):
        for clients in args.clients:
            for mode in MODES:
                hub, peer = ([statistics.median(run[i] for run in results[(name, clients, mode, s)])
                              for i in range(5)] for s in SIDES)
                print(f"| {name} | {clients} | {mode} | {hub[0]:.1f} | {peer[0]:.1f} "
                      f"| {hub[0] / peer[0]:.2f} | {hub[1]:.0f} | {peer[1]:.0f} "
                      f"| {hub[1] / peer[1]:.2f} | {hub[2]:.1f} + {hub[3]:.1f} "
                      f"| {peer[2]:.1f} + {peer[3]:.1f} "
                      f"| {(hub[2] + hub[3]) / (peer[2] + peer[3]):.2f} "
                      f"| {hub[4]:.1f} / {peer[4]:.1f} |")


if __name__ == "__main__":
    main()
