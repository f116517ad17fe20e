"""Failing fast, measured: `python -m bench.failing_fast [--residents N] [--root DIR]`.

The hub as `python app.py` over the demo departments and its own FalkorDB. A department is
hung (SIGSTOP): the time of the 1st request and of the 10 after it; it is resumed: the time
until an answer without errors. Then the graph store is paused: the time of requests and of
/ready while it is; it is resumed: the time until the hub answers again (no restart).
"""

import argparse
import os
import signal
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from bench.stack import AS_OF, HEADERS, HubStack, data_dir_for, ensure_demo

EVENTS = """query($n: Int!) { events(first: $n, filter: {eventType: "urban_case"}) {
  edges { node { id category } } } }"""


def ask(http: httpx.Client, n: int) -> tuple[float, dict]:
    started = time.perf_counter()
    body = http.post("/graphql", json={"query": EVENTS, "variables": {"n": n}}).json()
    return time.perf_counter() - started, body


def codes(body: dict) -> set[str]:
    return {e["extensions"]["code"] for e in body.get("errors", [])}


def until_clean(http: httpx.Client, n: int, within: float = 60.0) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < within:
        _, body = ask(http, n)
        if "errors" not in body:
            break
        time.sleep(0.1)
    return time.perf_counter() - started


def hung_department(stack: HubStack, http: httpx.Client) -> list[str]:
    pid = stack.systems.processes["urban"].pid
    os.kill(pid, signal.SIGSTOP)
    try:
        first, body = ask(http, 31)
        rest = [ask(http, 32 + i)[0] for i in range(10)]
    finally:
        os.kill(pid, signal.SIGCONT)
    healed = until_clean(http, 50)
    return [
        f"hung department: 1st request {first * 1000:.0f} ms ({', '.join(sorted(codes(body)))}); "
        f"next 10: median {statistics.median(rest) * 1000:.1f} ms, max {max(rest) * 1000:.1f} ms",
        f"resumed: answered without errors after {healed:.1f} s (breaker cool-down, then a probe)",
    ]


def paused_graph(stack: HubStack, http: httpx.Client) -> list[str]:
    assert stack.graph is not None
    pid = stack.graph.process.pid
    os.kill(pid, signal.SIGSTOP)
    try:
        times = []
        for i in range(3):
            took, body = ask(http, 60 + i)
            times.append((took, codes(body)))
        started = time.perf_counter()
        ready = http.get("/ready")
        ready_took = time.perf_counter() - started
    finally:
        os.kill(pid, signal.SIGCONT)
    recovered = until_clean(http, 70)
    return [
        "paused graph store: requests "
        + ", ".join(f"{t * 1000:.0f} ms ({', '.join(sorted(c)) or 'ok'})" for t, c in times),
        f"/ready while paused: HTTP {ready.status_code} in {ready_took * 1000:.0f} ms",
        f"resumed: answered without errors after {recovered:.2f} s, no restart",
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, default=3000)
    parser.add_argument("--root", type=Path, default=Path(tempfile.gettempdir()) / "hub-bench")
    args = parser.parse_args()
    data_dir = data_dir_for(args.root, args.residents)
    ensure_demo(data_dir, args.residents)
    stack = HubStack(data_dir)
    stack.start()
    try:
        with httpx.Client(base_url=stack.url, headers=HEADERS, timeout=120) as http:
            ask(http, 30)
            lines = hung_department(stack, http) + paused_graph(stack, http)
    finally:
        stack.stop()
    print(f"residents {args.residents}, demo as of {AS_OF}")
    for line in lines:
        print("-", line)


if __name__ == "__main__":
    main()
