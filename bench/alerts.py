"""Early warnings measured: alerts against planted truth, event → delivered alert latency at
1,000 events/s, and a leak check through every door.

    python -m bench.alerts [--residents 3800] [--rate 1000] [--seconds 20] [--repeats 3]
    python -m bench.alerts --devices     # the streams' simulator's week instead (no latency)

1. Quality: a week of device traffic with planted situations (bench/alerts_week.py) fed in
   10-minute steps into the hub's event stream and read by the rule engine (its consumer
   group, this process), the clock pinned at each step's end for the clock's rules; alerts
   raised are matched against the truth per rule (same rule and subject, fired within the
   situation, or up to 2 h after it for the clock's rules).
2. Leaks: over GraphQL, tokens of every role at the street, each community and each grid (and
   some of several roles or places): every alert listed, counted, asked by id, moved, their
   evidence, and the access log, against an oracle computed from the records and the policy.
3. Latency: `python app.py` (its own process, fresh records) subscribed to over WebSocket;
   events XADDed at `rate` a second for `seconds`, smoke alarms among them at distinct
   buildings; time from XADD to the alert's delivery. A grid worker's subscription is checked
   to receive only its own grid's alerts.
"""

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect

from bench.alerts_devices import DeviceWeek
from bench.alerts_devices import load as load_devices
from bench.alerts_leaks import leak_check
from bench.alerts_week import Street, Week, generate
from bench.stack import AS_OF, data_dir_for, ensure_demo
from hub import clock, demo_stack, embedded
from hub.access.tokens import DEV_SECRET, mint
from hub.alerts import signals
from hub.civic.intake import Submission
from hub.civic.periods import CST
from hub.linking.run import link
from hub.runtime import Runtime, open_runtime
from hub.settings import REPO_ROOT, Settings

STREET = "330105004"
DEVICES_SEED = 42  # the demo's seed: the device registers and their replay share it


@asynccontextmanager
async def stack(data_dir: Path, database: Path):  # type: ignore[no-untyped-def]
    systems = demo_stack.DemoSystems().start(data_dir)
    server = embedded.start(data_dir / "falkordb")
    os.environ.update(systems.env)
    settings = Settings(data_dir=data_dir, redis_url=server.url, graph_name="bench", demo=False,
                        jwt_secret=DEV_SECRET, database_url=f"sqlite:///{database}")
    runtime = await open_runtime(settings)
    try:
        if await runtime.links.is_empty():
            await link(runtime)
        yield runtime, systems, server
    finally:
        await runtime.close()
        systems.stop()
        server.stop()


async def street_of(runtime: Runtime) -> Street:
    rows = await runtime.store.read(
        "MATCH (b:Place {level: 'building'}) WHERE size(b.jurisdiction) = 14 "
        "RETURN b.id AS id, b.jurisdiction AS j ORDER BY b.id")
    buildings = [(r["id"], r["j"]) for r in rows]
    rooms: dict[str, list[str]] = {}
    for r in await runtime.store.read(
            "MATCH (r:Place {level: 'room'})-[:LOCATED_IN*1..2]->(b:Place {level: 'building'}) "
            "RETURN r.id AS room, b.id AS building ORDER BY r.id"):
        rooms.setdefault(r["building"], []).append(r["room"])
    world = runtime.alerts.world
    people = [p for p in await world.population("Person.livingAlone", True)
              if p.jurisdiction and len(p.jurisdiction) == 14]
    homes = await world.residences([p.id for p in people])
    elderly = sorted((p.id, homes[p.id], p.jurisdiction or "") for p in people if p.id in homes)
    return Street(buildings, rooms, elderly)


async def drain(runtime: Runtime) -> None:
    """Until the engine finds nothing more to read."""
    while await runtime.alerts.engine.read_once(10):
        pass


STEP = timedelta(minutes=10)  # the clock's rules run every minute live; every 10 here


async def feed(runtime: Runtime, week: Week) -> float:
    """The week in steps of 10 minutes: its events into the stream, its opinions through the
    intake; the engine reads; at each step's end the clock's rules run. Returns seconds."""
    started = time.perf_counter()
    await runtime.alerts.engine.ensure_group()
    events, opinions = week.events, list(week.opinions)
    done = 0
    hour = week.start
    while hour < week.start + timedelta(days=7):
        end = hour + STEP
        with clock.pinned(end, running=False):
            upto = done
            while upto < len(events) and events[upto]["at"] < end.isoformat():
                upto += 1
            batch, done = events[done:upto], upto
            pipe = runtime.redis.pipeline(transaction=False)
            for fields in batch:
                pipe.xadd(signals.STREAM, fields, maxlen=1_000_000, approximate=True)
            await pipe.execute()
            while opinions and opinions[0][0] < end:
                at, place, text = opinions.pop(0)
                await runtime.civic.intake.submit(Submission(
                    text=text, channel="app", client="app", idempotency_key=uuid.uuid4().hex,
                    place_id=place, received_at=at))
            await drain(runtime)
            await runtime.alerts.tick()
        hour = end
    return time.perf_counter() - started


async def feed_devices(runtime: Runtime, week: "DeviceWeek", start: datetime, days: int
                       ) -> tuple[float, int, int]:
    """The simulator's week in 10-minute steps through the stream departments' ingest."""
    from bench.alerts_devices import Feeder

    started = time.perf_counter()
    feeder = Feeder(runtime)
    await feeder.start()
    await runtime.alerts.engine.ensure_group()
    messages, complaints = week.messages, list(week.complaints)
    done, step = 0, start
    while step < start + timedelta(days=days):
        end = step + STEP
        with clock.pinned(end, running=False):
            upto = done
            while upto < len(messages) and messages[upto][2] < end:
                upto += 1
            await feeder.send(messages[done:upto])
            done = upto
            while complaints and complaints[0][0] < end:
                await feeder.complain(*complaints.pop(0))
            await drain(runtime)
            await runtime.alerts.tick()
        step = end
    return time.perf_counter() - started, feeder.stored, feeder.aside


async def score(runtime: Runtime, week: Any) -> dict[str, dict[str, float]]:
    from sqlalchemy import select

    from hub.alerts.records import Alert

    async with runtime.sessions() as session:
        alerts = list(await session.scalars(select(Alert)))
    rules = sorted({s.rule for s in week.truth} | {a.rule for a in alerts})
    result: dict[str, dict[str, float]] = {}
    slack = timedelta(hours=2)
    for rule in rules:
        truth = [s for s in week.truth if s.rule == rule]
        raised = [a for a in alerts if a.rule == rule]
        used: set[int] = set()
        hits = 0
        for situation in truth:
            match = next((a for a in raised if a.id not in used and a.subject == situation.subject
                          and situation.start - timedelta(minutes=1) <= a.fired_at
                          <= situation.end + slack), None)
            if match is not None:
                used.add(match.id)
                hits += 1
        result[rule] = {
            "planted": len(truth), "raised": len(raised), "matched": hits,
            "precision": round(hits / len(raised), 3) if raised else 1.0,
            "recall": round(hits / len(truth), 3) if truth else 1.0,
        }
    return result


def hub_env(data_dir: Path, systems: demo_stack.DemoSystems, graph_url: str, port: int,
            database: Path) -> dict[str, str]:
    return {**os.environ, **systems.env, "HUB_DEMO": "0", "HUB_PORT": str(port),
            "HUB_DATA_DIR": str(data_dir), "FALKORDB_URL": graph_url, "HUB_GRAPH_NAME": "bench",
            "HUB_JWT_SECRET": DEV_SECRET, "DATABASE_URL": f"sqlite:///{database}",
            "HUB_ALERT_TICK_SECONDS": "3600"}


def start_hub(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen([sys.executable, "app.py"], cwd=REPO_ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError("the hub did not start")


async def subscriber(url: str, token: str, got: dict[str, float], places: list[str]) -> None:
    query = "subscription { alertUpdates { change alert { id rule jurisdiction place { id } } } }"
    async with connect(url, subprotocols=["graphql-transport-ws"],
                       additional_headers={"Authorization": f"Bearer {token}"}) as ws:
        await ws.send(json.dumps({"type": "connection_init"}))
        await ws.recv()
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
        async for raw in ws:
            message = json.loads(raw)
            if message.get("type") != "next":
                continue
            alert = message["payload"]["data"]["alertUpdates"]["alert"]
            place = (alert.get("place") or {}).get("id", "")
            got.setdefault(place, time.time())
            places.append(alert["jurisdiction"])


async def latency_run(runtime: Runtime, url: str, rate: int, seconds: int, street: Street
                      ) -> dict[str, Any]:
    sent: dict[str, float] = {}
    got: dict[str, float] = {}
    property_places: list[str] = []
    grid = street.buildings[0][1]
    grid_places: list[str] = []
    grid_got: dict[str, float] = {}
    pm = mint(DEV_SECRET, "bench-pm", ["property_manager"], [STREET])
    gw = mint(DEV_SECRET, "bench-gw", ["grid_worker"], [grid])
    tasks = [asyncio.create_task(subscriber(url, pm, got, property_places)),
             asyncio.create_task(subscriber(url, gw, grid_got, grid_places))]
    await asyncio.sleep(2)  # both subscribed
    alarms = street.buildings[: min(len(street.buildings), seconds * 4)]
    every = max(1, (rate * seconds) // len(alarms))
    noise = [(b, j) for b, j in street.buildings]
    tick, per_tick = 0.01, max(1, rate // 100)
    started = time.perf_counter()
    total = 0
    for step in range(int(seconds / tick)):
        pipe = runtime.redis.pipeline(transaction=False)
        now = datetime.now(CST)
        for i in range(per_tick):
            n = total + i
            building, code = noise[n % len(noise)]
            kind = "door_access" if n % 2 else "water_use"
            if n % every == 0 and n // every < len(alarms):
                building, code = alarms[n // every]
                kind = "smoke_alarm"
                sent[building] = time.time()
            pipe.xadd(signals.STREAM, {"source": "bench", "key": f"{uuid.uuid4().hex}",
                                       "type": kind, "at": now.isoformat(), "place": building,
                                       "thing": "", "person": "", "jurisdiction": code,
                                       "value": ""}, maxlen=1_000_000, approximate=True)
        await pipe.execute()
        total += per_tick
        behind = started + (step + 1) * tick - time.perf_counter()
        if behind > 0:
            await asyncio.sleep(behind)
    produced = time.perf_counter() - started
    while True:
        groups = await runtime.redis.xinfo_groups(signals.STREAM)
        mine = next(g for g in groups if g["name"] in (signals.GROUP, signals.GROUP.encode()))
        if not mine["pending"] and not mine.get("lag"):
            break
        await asyncio.sleep(0.1)
    drained = time.perf_counter() - started
    await asyncio.sleep(2)
    for task in tasks:
        task.cancel()
    delays = sorted(got[b] - sent[b] for b in sent if b in got)
    return {
        "events": total, "sent_rate": round(total / produced), "drained_s": round(drained, 2),
        "throughput": round(total / drained), "alarms": len(sent), "delivered": len(delays),
        "p50_s": round(statistics.median(delays), 3) if delays else None,
        "p95_s": round(delays[int(0.95 * (len(delays) - 1))], 3) if delays else None,
        "grid_worker_foreign": sum(1 for j in grid_places if not j.startswith(grid)),
        "grid_worker_received": len(grid_places),
        "grid_worker_expected": sum(1 for _b, j in alarms if j.startswith(grid)),
    }


async def main(args: argparse.Namespace) -> dict[str, Any]:
    root = Path(args.root or tempfile.gettempdir()) / "hub-bench"
    data_dir = data_dir_for(root, args.residents)
    ensure_demo(data_dir, args.residents)
    run = uuid.uuid4().hex[:8]
    if args.devices:
        from demo.devices import registry

        registry.write(data_dir, DEVICES_SEED)  # the platforms' registers, as demo generate does
    async with stack(data_dir, data_dir / f"alerts-{run}.sqlite") as (runtime, systems, server):
        street = await street_of(runtime)
        start = datetime.fromisoformat(AS_OF).replace(tzinfo=CST) + timedelta(days=7)
        if args.devices:
            devices = await load_devices(runtime, data_dir, DEVICES_SEED, start, 7)
            took, stored, aside = await feed_devices(runtime, devices, start, 7)
            quality = await score(runtime, devices)
            return {"source": "demo/devices replay", "seed": DEVICES_SEED,
                    "messages": len(devices.messages), "stored": stored, "aside": aside,
                    "complaints": len(devices.complaints), "week_fed_s": round(took, 1),
                    "quality": quality,
                    "leaks": await _leaks_at(runtime, street, start)}
        week = generate(street, start, args.seed)
        took = await feed(runtime, week)
        quality = await score(runtime, week)
        with clock.pinned(week.start + timedelta(days=7), running=False):
            leaks = await leak_check(runtime, street)
        latency = []
        for repeat in range(args.repeats):
            port = embedded.free_port()
            env = hub_env(data_dir, systems, server.url, port,
                          data_dir / f"alerts-{run}-latency-{repeat}.sqlite")
            process = start_hub(env, port)
            try:
                latency.append(await latency_run(
                    runtime, f"ws://127.0.0.1:{port}/graphql", args.rate, args.seconds, street))
            finally:
                process.terminate()
                process.wait(30)
    return {"residents": args.residents, "buildings": len(street.buildings),
            "watched_elderly": min(60, len(street.elderly)), "events": len(week.events),
            "opinions": len(week.opinions), "malformed": week.malformed,
            "week_fed_s": round(took, 1), "quality": quality, "leaks": leaks,
            "latency": latency,
            "p95_median_s": _median([r["p95_s"] for r in latency if r["p95_s"]]),
            "throughput_median": _median([r["throughput"] for r in latency])}


async def _leaks_at(runtime: Runtime, street: Street, start: datetime) -> dict[str, Any]:
    with clock.pinned(start + timedelta(days=7), running=False):
        return await leak_check(runtime, street)


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=3800)
    parser.add_argument("--rate", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3, help="latency runs (0: none)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--root", default=None)
    parser.add_argument("--devices", action="store_true",
                        help="replay demo/devices (the streams' simulator) instead of the "
                        "bench's own week; no latency runs")
    print(json.dumps(asyncio.run(main(parser.parse_args())), ensure_ascii=False, indent=2))
