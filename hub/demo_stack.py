"""The demo departments for `python app.py`: generated once, then served as separate processes."""

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from hub.embedded import _die_with_parent, free_port
from hub.errors import ConfigError

REST_SYSTEMS = {"civil": ("HUB_CIVIL_URL", 8101), "urban": ("HUB_URBAN_URL", 8102)}


def demo_ready(data_dir: Path) -> bool:
    return (data_dir / "demo" / "truth.csv").exists()


def generate(data_dir: Path, residents: int = 20_000, seed: int = 42) -> None:
    command = [
        sys.executable,
        "-m",
        "demo",
        "generate",
        "--data-dir",
        str(data_dir),
        "--residents",
        str(residents),
        "--seed",
        str(seed),
    ]
    subprocess.run(command, check=True)


def _port(preferred: int) -> int:
    try:
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", preferred))
        return preferred
    except OSError:
        return free_port()


@dataclass
class DemoSystems:
    """Child processes of the REST department systems; `env` tells connectors where they are."""

    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)

    def start(self, data_dir: Path) -> "DemoSystems":
        for system, (variable, preferred) in REST_SYSTEMS.items():
            port = int(os.environ.get(f"HUB_DEMO_{system.upper()}_PORT") or _port(preferred))
            self.processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "demo",
                        "serve-one",
                        system,
                        "--data-dir",
                        str(data_dir),
                        "--port",
                        str(port),
                    ],
                    stdin=subprocess.DEVNULL,
                    preexec_fn=_die_with_parent,
                )
            )
            self.env[variable] = f"http://127.0.0.1:{port}"
        for url in self.env.values():
            self._wait(url)
        return self

    def _wait(self, url: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/health", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise ConfigError(f"demo department system at {url} did not start")

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()
