"""A running hub for benchmarks: demo departments, an embedded FalkorDB and `python app.py`.

Everything runs as real processes on 127.0.0.1, as in production; the benchmark talks HTTP.
"""

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from hub import demo_stack, embedded
from hub.access.tokens import DEV_SECRET, mint
from hub.settings import REPO_ROOT

# The street office of the demo street: every type and row of the street (ID numbers masked).
HEADERS = {"Authorization": f"Bearer {mint(DEV_SECRET, 'bench', ['street_admin'], ['330105004'])}"}


def ensure_demo(data_dir: Path, residents: int, seed: int = 42) -> None:
    if not demo_stack.demo_ready(data_dir):
        demo_stack.generate(data_dir, residents, seed)


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
    systems: demo_stack.DemoSystems = field(default_factory=demo_stack.DemoSystems)
    graph: embedded.EmbeddedFalkorDB | None = None
    hub: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        assert self.graph is not None
        return {
            **os.environ,
            **self.systems.env,
            "HUB_DEMO": "0",
            "HUB_PORT": str(self.port),
            "HUB_DATA_DIR": str(self.data_dir),
            "FALKORDB_URL": self.graph.url,
            "HUB_JWT_SECRET": DEV_SECRET,
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
