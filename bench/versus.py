"""This checkout's hub against another commit's, side by side over HTTP, on the same data.

    python -m bench.versus --against REV [--repeats 30] [--residents 20000] [--kept]
        [--data-dir .data/bench]

One set of demo departments and one FalkorDB serve two hubs: `python app.py` from this
checkout and from a git worktree of REV (removed afterwards), each with its own records
folder. The request of bench.federated_core (`people(first: 100)` with attributes from all four
departments and each person's events) is sent to both in alternating order, cold (record
cache emptied first) then warm (records cached; kept answers off on both), each over a kept
connection; with `--kept`, kept answers are on and a third ask of the same question times
the kept answer (cold and warm then clear the kept answers first). Medians per hub and the
ratio this/REV: on a shared, noisy machine only a side by side ratio says whether a change
helped. Beside latency, each hub process's CPU per request (mean, from /proc): steadier than
latency when the machine's other tenants come and go. REV must read the graph this checkout
links (any commit since the link graph's model version 2, or one that ignores what it does
not know).
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.federated_core import QUERY, clear_record_cache, process_cpu
from bench.stack import HEADERS, HubStack, ensure_demo, wait_for_query
from hub import embedded
from hub.settings import REPO_ROOT

MODES = ("cold", "warm")
KEPT = "kept answer"


def start_other(stack: HubStack, tree: Path, data_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    """REV's hub from its worktree, on the stack's departments and graph."""
    port = embedded.free_port()
    env = {**stack.env(), "HUB_PORT": str(port), "HUB_DATA_DIR": str(data_dir),
           "PYTHONPATH": str(tree)}
    process = subprocess.Popen([sys.executable, "app.py"], cwd=tree, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_for_query(url, process)
    return process, url


def ask(client: httpx.Client) -> float:
    body = {"query": QUERY, "variables": {"n": 100}}
    started = time.perf_counter()
    answer = client.post("/graphql", json=body, headers=HEADERS)
    elapsed = time.perf_counter() - started
    if answer.status_code != 200 or answer.json().get("errors"):
        raise RuntimeError(f"{client.base_url}: {answer.status_code} {answer.text[:300]}")
    return elapsed * 1000


def compare(
    urls: dict[str, str],
    pids: dict[str, int],
    graph_url: str,
    repeats: int,
    modes: tuple[str, ...] = MODES,
) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, float]]]:
    """Median latency and mean CPU (the hub process's, ms) per hub and mode."""
    clients = {name: httpx.Client(base_url=url, timeout=120) for name, url in urls.items()}
    try:
        for client in clients.values():
            for _ in range(5):
                ask(client)
        times: dict[str, dict[str, list[float]]] = {n: {m: [] for m in modes} for n in urls}
        cpu: dict[str, dict[str, float]] = {n: dict.fromkeys(modes, 0.0) for n in urls}
        names = list(urls)
        for round_ in range(repeats):
            for name in names if round_ % 2 == 0 else names[::-1]:
                clear_record_cache(graph_url)
                for mode in modes:
                    if mode == "warm":
                        clear_record_cache(graph_url, answers_only=True)
                    before = process_cpu(pids[name])
                    times[name][mode].append(ask(clients[name]))
                    cpu[name][mode] += process_cpu(pids[name]) - before
        medians = {n: {m: statistics.median(v) for m, v in got.items()} for n, got in times.items()}
        means = {n: {m: 1000 * v / repeats for m, v in got.items()} for n, got in cpu.items()}
        return medians, means
    finally:
        for client in clients.values():
            client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", required=True, help="a commit, tag or branch")
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--data-dir", type=Path, default=REPO_ROOT / ".data" / "bench")
    parser.add_argument("--kept", action="store_true", help="kept answers on; time them too")
    args = parser.parse_args()
    ensure_demo(args.data_dir, args.residents)
    modes = (*MODES, KEPT) if args.kept else MODES
    if not args.kept:
        os.environ["HUB_ANSWER_CACHE_SECONDS"] = "0"  # both hubs resolve every request
    with tempfile.TemporaryDirectory(prefix="hub-versus-") as scratch:
        tree, other_data = Path(scratch) / "tree", Path(scratch) / "data"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(tree), args.against],
                       cwd=REPO_ROOT, check=True)
        other_data.mkdir()
        (other_data / "demo").symlink_to((args.data_dir / "demo").resolve())
        stack = HubStack(args.data_dir)
        other = None
        try:
            stack.start()
            other, other_url = start_other(stack, tree, other_data)
            assert stack.graph is not None
            assert stack.hub is not None
            found, cpu = compare({"this": stack.url, args.against: other_url},
                                 {"this": stack.hub.pid, args.against: other.pid},
                                 stack.graph.url, args.repeats, modes)
        finally:
            if other is not None:
                other.send_signal(signal.SIGINT)
                other.wait(30)
            stack.stop()
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=REPO_ROOT,
                           check=False)
    print(f"`people(first: 100)`, medians of {args.repeats} alternating rounds, kept connections")
    print(f"\n| run | this checkout (ms) | {args.against} (ms) | ratio |")
    print("| --- | --- | --- | --- |")
    for mode in modes:
        this, other_ms = found["this"][mode], found[args.against][mode]
        print(f"| {mode} | {this:.1f} | {other_ms:.1f} | {this / other_ms:.2f} |")
    print("\nCPU per request, each hub's process (all its threads, from /proc; means)")
    print(f"\n| run | this checkout (ms) | {args.against} (ms) | ratio |")
    print("| --- | --- | --- | --- |")
    for mode in modes:
        this, other_ms = cpu["this"][mode], cpu[args.against][mode]
        print(f"| {mode} | {this:.1f} | {other_ms:.1f} | {this / other_ms:.2f} |")


if __name__ == "__main__":
    main()
