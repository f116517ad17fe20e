"""Running hubs for benchmarks over the demo departments: generated data, REST systems, graph.

`HubStack` runs `python app.py` as its own process (what users run); `bench_runtime` opens a
runtime in this process (for linking and graph benchmarks). Each size gets its own data dir
(`<root>/link-<residents>`), generated once and reused.
"""

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from hub import demo_stack, embedded
from hub.access.tokens import DEV_SECRET, mint
from hub.runtime import Runtime, open_runtime
from hub.settings import REPO_ROOT, Settings

AS_OF = "2025-06-01"  # a fixed reference day: the same data on every run

# The street office of the demo street: every type and row of the street (ID numbers masked).
HEADERS = {"Authorization": f"Bearer {mint(DEV_SECRET, 'bench', ['street_admin'], ['330105004'])}"}


def data_dir_for(root: Path, residents: int) -> Path:
    return root / f"link-{residents}"


def ensure_demo(data_dir: Path, residents: int, seed: int = 42) -> None:
    """Generate the demo departments unless this dir already holds that size and seed."""
    manifest = data_dir / "demo" / "manifest.json"
    if manifest.exists():
        known = json.loads(manifest.read_text())
        if known.get("residents") == residents and known.get("seed") == seed:
            return
    command = [sys.executable, "-m", "demo", "generate", "--data-dir", str(data_dir),
               "--residents", str(residents), "--seed", str(seed), "--as-of", AS_OF]
    subprocess.run(command, check=True, cwd=REPO_ROOT)


@asynccontextmanager
async def bench_runtime(
    data_dir: Path, graph_name: str = "bench", **settings_given: Any
) -> AsyncIterator[Runtime]:
    """Demo REST systems and an embedded FalkorDB in `data_dir`, and a runtime over them
    (`settings_given`: Settings fields to set)."""
    systems = demo_stack.DemoSystems().start(data_dir)
    server = embedded.start(data_dir / "falkordb")
    saved = {k: os.environ.get(k) for k in systems.env}
    os.environ.update(systems.env)
    try:
        settings = Settings(data_dir=data_dir, redis_url=server.url, graph_name=graph_name,
                            demo=False, jwt_secret=DEV_SECRET, **settings_given)
        runtime = await open_runtime(settings)
        try:
            yield runtime
        finally:
            await runtime.close()
    finally:
        for key, value in saved.items():
            os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
        systems.stop()
        server.stop()


def wait_for_query(url: str, process: subprocess.Popen[bytes], timeout: float = 600.0) -> float:
    """Seconds until the hub answers a real query (not just health)."""
    started = time.perf_counter()
    body = {"query": "{ people(first: 1) { totalCount edges { node { name } } } }"}
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"hub exited with {process.returncode}")
        try:
            answer = httpx.post(f"{url}/graphql", json=body, headers=HEADERS, timeout=5)
            if answer.status_code == 200 and answer.json().get("data", {}).get("people"):
                return time.perf_counter() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise TimeoutError("hub did not answer")


@dataclass
class HubStack:
    """Demo systems + FalkorDB started here; the hub as `python app.py` with HUB_DEMO=0."""

    data_dir: Path
    port: int = field(default_factory=embedded.free_port)
    metrics_port: int = field(default_factory=embedded.free_port)
    systems: demo_stack.DemoSystems = field(default_factory=demo_stack.DemoSystems)
    graph: embedded.EmbeddedFalkorDB | None = None
    hub: subprocess.Popen[bytes] | None = None
    workers: int = 1  # one process unless a bench asks for more: its CPU is the hub's

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def metrics_url(self) -> str:
        return f"http://127.0.0.1:{self.metrics_port}"

    def env(self) -> dict[str, str]:
        assert self.graph is not None
        return {
            **os.environ,
            **self.systems.env,
            "HUB_DEMO": "0",
            "HUB_PORT": str(self.port),
            "HUB_METRICS_PORT": str(self.metrics_port),
            "HUB_DATA_DIR": str(self.data_dir),
            "FALKORDB_URL": self.graph.url,
            "HUB_JWT_SECRET": DEV_SECRET,
            "HUB_WORKERS": str(self.workers),
        }

    def start(self) -> float:
        """Start everything; returns seconds from `python app.py` to its first answered query."""
        self.systems.start(self.data_dir)
        self.graph = embedded.start(self.data_dir / "bench-falkordb")
        started = time.perf_counter()
        self.hub = subprocess.Popen(
            [sys.executable, "app.py"],
            cwd=REPO_ROOT,
            env=self.env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_query(self.url, self.hub)
        return time.perf_counter() - started

    def stop(self) -> None:
        if self.hub is not None:
            self.hub.send_signal(signal.SIGINT)
            self.hub.wait(30)
        if self.graph is not None:
            self.graph.stop()
        self.systems.stop()


def time_app_start(data_dir: Path) -> float:
    """`python app.py` exactly as a user runs it (demo on, embedded services) to first answer."""
    port = embedded.free_port()
    env = {**os.environ, "HUB_PORT": str(port), "HUB_DATA_DIR": str(data_dir)}
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "app.py"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_query(f"http://127.0.0.1:{port}", process)
        return time.perf_counter() - started
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(60)


async def load(url: str, body: dict, clients: int, seconds: float) -> tuple[int, float, float]:
    """Requests answered, seconds taken and p95 latency (ms) of `clients` callers, each on a
    kept connection asking again as soon as it is answered, for `seconds`."""
    latencies: list[float] = []
    stop = time.perf_counter() + seconds

    async def caller() -> None:
        async with httpx.AsyncClient(base_url=url, timeout=120, headers=HEADERS) as client:
            while time.perf_counter() < stop:
                started = time.perf_counter()
                answer = await client.post("/graphql", json=body)
                if answer.status_code != 200 or "errors" in answer.json():
                    raise RuntimeError(f"{url}: {answer.status_code} {answer.text[:300]}")
                latencies.append((time.perf_counter() - started) * 1000)

    began = time.perf_counter()
    await asyncio.gather(*[caller() for _ in range(clients)])
    elapsed = time.perf_counter() - began
    latencies.sort()
    return len(latencies), elapsed, latencies[int(0.95 * (len(latencies) - 1))]
