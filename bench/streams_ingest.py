"""Stream ingest: its ceiling, 1,000 events/s sustained, and a hub killed mid-stream.

The demo street (20,000 residents, ~3,800 devices) linked once; the embedded broker
(mosquitto where installed); the ingest as its own process (`hub streams run`), which is what
is killed. Every figure is read off `hub:stream:events`: an event there has been stored in its
department's event store and linked into the graph first (hub.streams.ingest).

1. ceiling: a replayed stretch of N messages published while the ingest is stopped (the broker
   queues them for its session), then the ingest started: events/s between the first and the
   last entry it appends; median over repeats.
2. sustained: messages published at `--rate` (1,000/s) for `--seconds`; the publish-to-append
   latency of each (p50, p95, max) and whether the ingest kept up.
3. kill: the same rate; the ingest SIGKILLed a third of the way through and started again 3 s
   later; every message the broker acknowledged to the publisher counted against the stream.

    .venv/bin/python -m bench.streams_ingest [--repeats 3] [--rate 1000] [--seconds 60]
"""

import argparse
import asyncio
import json
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from itertools import islice
from pathlib import Path

import psutil
from redis import Redis

from bench.stack import ensure_demo
from demo.devices.publish import Publisher
from demo.devices.simulate import replay
from hub.civic.periods import CST
from hub.linking.run import link
from hub.runtime import open_runtime
from hub.settings import REPO_ROOT, Settings
from hub.streams import broker as mqtt_broker
from hub.streams.ingest import STREAM

GRAPH = "bench-streams"
RESIDENTS = 20_000
SEED = 42
FIRST_DAY = datetime(2025, 5, 1, tzinfo=CST)


def mqtt_only(data_dir: Path, start: datetime, days: int) -> list[tuple[str, bytes]]:
    """A replay's MQTT messages (the webhook's lamps are left out: no broker counts them)."""
    return [(t, p) for t, p, _ in replay(SEED, start, days, 0, data_dir)
            if not t.startswith("webhook/")]


class Ingest:
    """`hub streams run` as its own process."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "hub", "streams", "run"], cwd=REPO_ROOT, env=self.env,
                stdout=subprocess.PIPE, stderr=log)
        assert self.process.stdout is not None
        self.process.stdout.readline()  # "streams: …" once subscribed

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(30)
        self.process = None


def entries(redis: Redis, after: str = "-") -> list[tuple[int, str]]:
    """(append time ms, key) of the stream's entries after id `after`."""
    found = []
    for entry_id, fields in redis.xrange(STREAM, min=after):
        found.append((int(entry_id.decode().split("-")[0]), fields[b"key"].decode()))
    return found


def wait_drained(redis: Redis, before: int, expected: int, timeout: float = 600) -> None:
    """Until `expected` entries were appended after the stream held `before` (or 20 s pass
    with none appended)."""
    deadline = time.monotonic() + timeout
    last, still = -1, 0
    while time.monotonic() < deadline:
        n = redis.xlen(STREAM) - before
        if n >= expected:
            return
        still = still + 1 if n == last else 0
        if still > 100:  # 20 s without a new entry
            return
        last = n
        time.sleep(0.2)


def last_id(redis: Redis) -> str:
    top = redis.xrevrange(STREAM, count=1)
    if not top:
        return "-"
    ms, seq = top[0][0].decode().split("-")
    return f"{ms}-{int(seq) + 1}"


def cpu(pid: int) -> float:
    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


def ceiling(redis: Redis, ingest: Ingest, url: str, messages: list[tuple[str, bytes]],
            others: dict[str, int]) -> dict:
    """Events/s draining a backlog; the CPU seconds the ingest, the graph server and the
    broker spent meanwhile (of the machine's cores x the drain's seconds)."""
    ingest.stop()
    mark, before = last_id(redis), redis.xlen(STREAM)
    sender = Publisher(url, client_id="bench-ceiling")
    for topic, body in messages:
        sender.send(topic, body)
    sender.close()
    ingest.start()
    assert ingest.process is not None
    pids = {"ingest": ingest.process.pid, **others}
    used = {name: cpu(pid) for name, pid in pids.items()}
    began = time.monotonic()
    wait_drained(redis, before, len(messages))
    wall = time.monotonic() - began
    used = {name: round(cpu(pid) - used[name], 1) for name, pid in pids.items()}
    got = entries(redis, mark)
    seconds = (got[-1][0] - got[0][0]) / 1000 if len(got) > 1 else float("nan")
    return {"messages": len(messages), "appended": len(got),
            "events_per_s": round(len(got) / seconds) if seconds else None,
            "cpu_seconds": used, "wall_seconds": round(wall, 1),
            "cores": os.cpu_count(), "load_1min": round(os.getloadavg()[0], 1)}


def paced(url: str, messages: list[tuple[str, bytes]], rate: float,
          sent_at: dict[str, float]) -> Publisher:
    """Publish at `rate`/s, remembering when each key was sent (wall clock, ms)."""
    sender = Publisher(url, client_id=f"bench-paced-{time.monotonic_ns()}")
    began = time.monotonic()
    for i, (topic, body) in enumerate(messages):
        ahead = i / rate - (time.monotonic() - began)
        if ahead > 0:
            time.sleep(ahead)
        sent_at[json.loads(body).get("eventId") or json.loads(body)["msgId"]] = time.time() * 1000
        sender.send(topic, body)
    sender.close()
    return sender


def sustained(redis: Redis, url: str, messages: list[tuple[str, bytes]], rate: float) -> dict:
    mark, before = last_id(redis), redis.xlen(STREAM)
    sent_at: dict[str, float] = {}
    began = time.monotonic()
    paced(url, messages, rate, sent_at)
    publish_s = time.monotonic() - began
    wait_drained(redis, before, len(messages))
    got = entries(redis, mark)
    lags = sorted(ms - sent_at[key] for ms, key in got if key in sent_at)
    return {"messages": len(messages), "published_per_s": round(len(messages) / publish_s),
            "appended": len(got), "latency_ms_p50": round(lags[len(lags) // 2]),
            "latency_ms_p95": round(lags[int(len(lags) * 0.95)]), "latency_ms_max": round(lags[-1])}


def kill_mid_stream(redis: Redis, ingest: Ingest, url: str, messages: list[tuple[str, bytes]],
                    rate: float) -> dict:
    mark, before = last_id(redis), redis.xlen(STREAM)
    sent_at: dict[str, float] = {}
    done: list[Publisher] = []
    thread = threading.Thread(target=lambda: done.append(paced(url, messages, rate, sent_at)))
    thread.start()
    time.sleep(len(messages) / rate / 3)
    ingest.stop(signal.SIGKILL)
    time.sleep(3)
    ingest.start()
    thread.join()
    wait_drained(redis, before, len(messages))
    keys = [key for _, key in entries(redis, mark)]
    acknowledged = done[0].published  # every one PUBACKed by the broker (Publisher.close)
    return {"published_acknowledged": acknowledged, "appended": len(keys),
            "unique": len(set(keys)), "lost": len(set(sent_at) - set(keys)),
            "appended_twice": len(keys) - len(set(keys))}


def forget_events(data_dir: Path, redis: Redis) -> None:
    """A run starts with empty event stores and stream: the same replay, the same keys, again
    new (the graph's Events of an earlier run are merged into, not duplicated)."""
    for store in (data_dir / "streams").glob("*.sqlite"):
        with sqlite3.connect(store) as db:
            if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'events'").fetchone():
                db.execute("DELETE FROM events")
    redis.delete(STREAM)


async def prepare(data_dir: Path, graph_url: str) -> None:
    """Link the demo street into the bench graph once."""
    settings = Settings(data_dir=data_dir, redis_url=graph_url, graph_name=GRAPH, demo=False)
    runtime = await open_runtime(settings)
    try:
        if await runtime.links.is_empty():
            await link(runtime)
    finally:
        await runtime.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=REPO_ROOT / ".data" / "bench")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--ceiling-messages", type=int, default=30_000)
    parser.add_argument("--rate", type=float, default=1000)
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args()
    data_dir = args.root / f"link-{RESIDENTS}"
    ensure_demo(data_dir, RESIDENTS, SEED)
    from hub import demo_stack, embedded

    systems = demo_stack.DemoSystems().start(data_dir)
    graph = embedded.start(data_dir / "falkordb")
    broker = mqtt_broker.start(data_dir / "bench-mqtt")
    os.environ.update(systems.env)
    asyncio.run(prepare(data_dir, graph.url))
    env = {**os.environ, **systems.env, "HUB_DEMO": "0", "HUB_DATA_DIR": str(data_dir),
           "REDIS_URL": graph.url, "HUB_GRAPH_NAME": GRAPH, "HUB_MQTT_URL": broker.url()}
    redis = Redis.from_url(graph.url)
    forget_events(data_dir, redis)
    ingest = Ingest(env, data_dir / "bench-ingest.log")
    ingest.start()
    devices_url = broker.url("devices")
    try:
        days = iter(range(0, 10_000, 7))
        others = {"graph": graph.process.pid if graph.process else 0,
                  "broker": broker.process.pid}
        runs = [ceiling(redis, ingest, devices_url, list(islice(
            mqtt_only(data_dir, FIRST_DAY + timedelta(days=next(days)), 1),
            args.ceiling_messages)), {k: v for k, v in others.items() if v})
            for _ in range(args.repeats)]
        rates = [r["events_per_s"] for r in runs]
        print(json.dumps({"ceiling": runs, "ceiling_median_events_per_s": statistics.median(rates)},
                         ensure_ascii=False), flush=True)
        count = int(args.rate * args.seconds)
        for _ in range(args.repeats):
            week = mqtt_only(data_dir, FIRST_DAY + timedelta(days=next(days)), 3)[:count]
            print(json.dumps({"sustained": sustained(redis, devices_url, week, args.rate)}),
                  flush=True)
        for _ in range(args.repeats):
            week = mqtt_only(data_dir, FIRST_DAY + timedelta(days=next(days)), 3)[:count // 2]
            print(json.dumps({"kill": kill_mid_stream(redis, ingest, devices_url, week,
                                                      args.rate)}), flush=True)
    finally:
        ingest.stop()
        broker.stop()
        graph.stop()
        systems.stop()


if __name__ == "__main__":
    main()
