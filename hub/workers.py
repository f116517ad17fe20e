"""`hub serve --workers N`: N hub processes on one socket, so every core serves.

The parent binds the socket, starts the demo departments and (on embedded defaults) one FalkorDB
for all workers, builds the link graph once when it is empty, then hands the socket to uvicorn's
process manager: it starts the workers, replaces one that dies or hangs, and stops them all on
Ctrl-C or SIGTERM. Each worker is a whole hub (runtime, pools, event loop) built from the
environment the parent leaves it.

What must be one across processes meets in the shared stores: kept answers and their epoch,
refusal counts, policy reload notices, live updates and the demo import's lock in Redis; the
access log's chain in the records database. Per process, by design: connection pools and each
request's share of them, department breakers (each worker learns of a hung department from its
own first call), the place index.
"""

import asyncio
import dataclasses
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Callable

import uvicorn
from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.applications import Starlette
from uvicorn.supervisors import Multiprocess

from hub import demo_stack, embedded
from hub.errors import ConfigError
from hub.settings import Settings

log = logging.getLogger("hub")

METRICS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"  # prometheus_client's own: read as it is imported


def worker_app() -> Starlette:
    """One worker's app (uvicorn's factory): its settings from the environment."""
    from hub.serve import quiet_loggers
    from hub.web import create_app

    quiet_loggers()  # a spawned process starts with logging unconfigured
    return create_app(Settings.from_env(), seed=True)


async def _build_graph_once(settings: Settings) -> None:
    from hub.linking.run import link
    from hub.runtime import open_runtime
    from hub.web import needs_build

    runtime = await open_runtime(settings)
    try:
        if await needs_build(runtime.links):
            report = await link(runtime)
            log.info("linked: %s", "; ".join(report.lines()))
    finally:
        await runtime.close()


def _metrics_for_all(settings: Settings) -> None:
    """One /metrics for every worker: each writes its samples to files in a folder of its own
    run, which the parent's endpoint reads (prometheus_client's multiprocess mode)."""
    folder = settings.data_dir / "metrics"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    os.environ[METRICS_DIR_ENV] = str(folder)
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(folder))
    start_http_server(settings.metrics_port, settings.metrics_host, registry=registry)


def serve_workers(
    settings: Settings, workers: int, banner_of: Callable[[Settings], str]
) -> None:
    from hub.serve import (
        embedded_broker,
        listening_socket,
        start_demo_departments,
        start_devices,
        uvicorn_options,
    )

    sock = listening_socket(settings)
    settings = dataclasses.replace(settings, port=sock.getsockname()[1])
    os.environ["HUB_PORT"] = str(settings.port)
    systems = demo_stack.DemoSystems()
    server: embedded.EmbeddedFalkorDB | None = None
    broker = None
    helpers: list[subprocess.Popen[bytes]] = []  # the stream ingest, the demo's devices
    try:
        start_demo_departments(settings, systems)
        if settings.redis_url is None and settings.graph_url is None:
            server = embedded.start(settings.data_dir / "falkordb")
            os.environ["REDIS_URL"] = server.url
            settings = dataclasses.replace(settings, redis_url=server.url)
        broker, settings = embedded_broker(settings)
        asyncio.run(_build_graph_once(settings))
        if settings.streams and settings.mqtt_url:
            helpers.append(_stream_ingest(settings))
        if settings.metrics_port:
            _metrics_for_all(settings)
        config = uvicorn.Config(
            "hub.workers:worker_app", factory=True, workers=workers, **uvicorn_options(settings)
        )
        log.info("listening on %s:%d", settings.host, settings.port)
        print(banner_of(settings) + f"\n{workers} worker processes", flush=True)
        start_devices(settings, helpers)
        Multiprocess(config, sockets=[sock]).run()
    finally:
        stop_all(helpers)
        if broker is not None:
            broker.stop()
        systems.stop()
        if server is not None:
            server.stop()
        sock.close()


def stop_all(processes: list[subprocess.Popen[bytes]], wait: float = 20.0) -> None:
    """SIGTERM to each, then each waited for (killed past `wait`): none outlives the hub."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(wait)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _stream_ingest(settings: Settings) -> subprocess.Popen[bytes]:
    """One MQTT subscriber for all workers (`hub streams run`): an MQTT client id is one
    connection, and N workers subscribing would each take every message. The workers keep
    the webhooks (HTTP, any worker), without a broker."""
    os.environ.pop("HUB_MQTT_URL", None)
    env = {**os.environ, "HUB_MQTT_URL": settings.mqtt_url or ""}
    return subprocess.Popen([sys.executable, "-m", "hub", "streams", "run"], env=env,
                            stdin=subprocess.DEVNULL)


def default_workers() -> int:
    """`HUB_WORKERS`, or one per core this process may run on."""
    raw = os.environ.get("HUB_WORKERS", "")
    if raw:
        try:
            count = int(raw)
        except ValueError:
            raise ConfigError(f"HUB_WORKERS={raw!r} is not an integer") from None
        if count < 1:
            raise ConfigError(f"HUB_WORKERS={raw!r}: at least 1")
        return count
    return len(os.sched_getaffinity(0))
