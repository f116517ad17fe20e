"""Where one hub process's CPU goes under bench.gateway_peer's load: a sampling profile by layer.

    python -m bench.hub_profile [--mode cold|warm|kept] [--clients 8] [--seconds 20]
        [--residents 20000] [--data-dir .data/bench]

One hub process (HUB_WORKERS=1) on the demo departments and FalkorDB, set up as the gateway
bench's hub of that mode (cold: no record cache; warm: records cached, kept answers off; kept:
kept answers on). While `clients` callers ask for `people(first: 100)` for `seconds`, the hub
samples its own main thread's stack at every millisecond of the process's CPU (SIGPROF), and
each sample is put in the layer of its innermost frame that names one. SQLAlchemy runs its
work in greenlets whose stacks do not reach their caller, so part of the SQL shows as "SQL,
caller not seen" (the police fetch or the access log's entry). Samples are taken only where
the main thread runs Python: C work (hiredis, SQLite, orjson) counts toward the frame that
called it, and signals arriving together are one sample; the shares are indicative.
"""

import argparse
import asyncio
import json
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.federated_core import QUERY, process_cpu
from bench.gateway_peer import uncached_connectors
from bench.stack import HubStack, ensure_demo, load, wait_for_query
from hub import embedded
from hub.settings import REPO_ROOT

# The first layer any frame of a sample's whole stack names (a task's work under these)
WHOLE = [
    ("access log: its entry (SQLAlchemy, aiosqlite)", r"(^|/)hub/audit/|(^|/)resolvers/access"),
    ("police SQL (SQLAlchemy, aiosqlite)", r"(^|/)connectors/sql"),
]
# else the first layer its innermost naming frame belongs to, tested in this order
LAYERS = [
    ("access: token, policies", r"(^|/)hub/access/|/casbin/|/simpleeval"),
    ("kept answers", r"(^|/)hub/answers|(^|/)resolvers/answer_cache"),
    ("answer tree: walk, leaves, strawberry, graphql-core",
     r"(^|/)resolvers/|/strawberry/|/graphql/"),
    ("records: loaders, hydration, merging", r"(^|/)hub/(entities|loaders)|/aiodataloader/"),
    ("records: converting department rows", r"(^|/)connectors/(base|convert|paging)"),
    ("REST calls: httpx, httpcore, h11", r"/httpx/|/httpcore/|/h11/|(^|/)connectors/rest"),
    ("graph and record cache: FalkorDB/Redis clients, decoding",
     r"(^|/)graph/|/falkordb/|/redis/|(^|/)hub/cache"),
    ("SQL, caller not seen (SQLAlchemy, aiosqlite)", r"/sqlalchemy/|/aiosqlite/"),
    ("HTTP: uvicorn, starlette, the hub's HTTP layer",
     r"/uvicorn/|/starlette/|/anyio/|(^|/)hub/(web|graphql_http)"),
    ("asyncio's own frames", r"asyncio/|uvloop"),
]


def serve_sampled(out: str) -> None:
    """The hub as `python app.py` with one worker, sampling between SIGUSR1 and SIGUSR2 (then
    written to `out` as JSON: [stack of "file:function", count] pairs)."""
    from hub.serve import serve
    from hub.settings import Settings

    samples: Counter[tuple[str, ...]] = Counter()

    def sample(_signal: int, frame: object) -> None:
        stack = []
        while frame is not None and len(stack) < 80:
            code = frame.f_code  # type: ignore[attr-defined]
            stack.append(f"{code.co_filename}:{code.co_name}")
            frame = frame.f_back  # type: ignore[attr-defined]
        samples[tuple(stack)] += 1

    def stop(*_: object) -> None:
        signal.setitimer(signal.ITIMER_PROF, 0)
        written = Path(f"{out}.part")
        written.write_text(json.dumps([[list(s), n] for s, n in samples.items()]))
        written.rename(out)  # whole, or not there

    signal.signal(signal.SIGPROF, sample)
    signal.signal(signal.SIGUSR1, lambda *_: signal.setitimer(signal.ITIMER_PROF, 0.001, 0.001))
    signal.signal(signal.SIGUSR2, stop)
    serve(Settings.from_env(), 1)


def layer_of(stack: list[str]) -> str:
    whole = " ".join(stack)
    for name, pattern in WHOLE:
        if re.search(pattern, whole):
            return name
    for frame in stack:
        for name, pattern in LAYERS:
            if re.search(pattern, frame):
                return name
    return "other"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mode", choices=("cold", "warm", "kept"), default="cold")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--data-dir", type=Path, default=REPO_ROOT / ".data" / "bench")
    parser.add_argument("--top", type=int, default=0,
                        help="also list the N functions most often innermost (self time)")
    args = parser.parse_args()
    data_dir = args.data_dir / f"link-{args.residents}"
    ensure_demo(data_dir, args.residents)
    with tempfile.TemporaryDirectory(prefix="hub-profile-") as scratch_dir:
        scratch = Path(scratch_dir)
        out = scratch / "samples.json"
        stack = HubStack(data_dir, workers=1)
        stack.systems.start(data_dir)
        stack.graph = embedded.start(data_dir / "bench-falkordb")
        env = {**stack.env(), "HUB_ANSWER_CACHE_SECONDS": "30" if args.mode == "kept" else "0"}
        if args.mode == "cold":
            env["HUB_CONNECTORS_DIR"] = str(uncached_connectors(scratch))
        hub = subprocess.Popen(
            [sys.executable, "-c", f"from bench.hub_profile import serve_sampled; "
                                   f"serve_sampled({str(out)!r})"],
            cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for_query(stack.url, hub)
            body = {"query": QUERY, "variables": {"n": 100}}
            asyncio.run(load(stack.url, body, 4, 3))  # code warm, records or answers kept
            before = process_cpu(hub.pid)
            hub.send_signal(signal.SIGUSR1)
            count, elapsed, p95 = asyncio.run(load(stack.url, body, args.clients, args.seconds))
            hub.send_signal(signal.SIGUSR2)
            cpu = (process_cpu(hub.pid) - before) * 1000 / count
            wait_for_file(out, hub)
            samples = json.loads(out.read_text())
        finally:
            hub.send_signal(signal.SIGINT)
            hub.wait(60)
            stack.graph.stop()
            stack.systems.stop()
    by_layer: Counter[str] = Counter()
    for frames, count_ in samples:
        by_layer[layer_of(frames)] += count_
    total = sum(by_layer.values())
    print(f"{args.mode}, one hub process, {args.clients} clients: {count / elapsed:.1f} "
          f"requests/s, p95 {p95:.0f} ms, {cpu:.1f} ms of CPU per request; {total} samples\n")
    print("| layer | share of samples | ms of CPU per request |")
    print("| --- | ---: | ---: |")
    for name, n in by_layer.most_common():
        print(f"| {name} | {100 * n / total:.0f} % | {cpu * n / total:.1f} |")
    if args.top:
        innermost: Counter[str] = Counter()
        for frames, count_ in samples:
            innermost[re.sub(r".*/(site-packages|lib/python3\.\d+)/", "", frames[0])] += count_
        print("\n| innermost function | share of samples |\n| --- | ---: |")
        for name, n in innermost.most_common(args.top):
            print(f"| {name.replace(str(REPO_ROOT) + '/', '')} | {100 * n / total:.1f} % |")


def wait_for_file(path: Path, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    for _ in range(int(timeout * 10)):
        if path.exists() or process.poll() is not None:
            return
        time.sleep(0.1)
    raise TimeoutError(f"{path} was not written")


if __name__ == "__main__":
    main()
