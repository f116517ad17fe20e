"""The demo departments for `python app.py`: generated once, then served as separate processes."""

import logging
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx

from hub.embedded import _die_with_parent
from hub.errors import ConfigError

log = logging.getLogger("hub.demo")

REST_SYSTEMS = {"civil": ("HUB_CIVIL_URL", 8101), "urban": ("HUB_URBAN_URL", 8102)}


def demo_ready(data_dir: Path) -> bool:
    return (data_dir / "demo" / "truth.csv").exists()


def generate(
    data_dir: Path,
    residents: int = 20_000,
    seed: int = 42,
    police_url: str | None = None,
    quiet: bool = False,
    as_of: date | None = None,
) -> None:
    """`python -m demo generate` in its own process (demo/ imports nothing of the hub);
    `as_of`: the demo's reference day (default today)."""
    command = [sys.executable, "-m", "demo", "generate", "--data-dir", str(data_dir),
               "--residents", str(residents), "--seed", str(seed)]
    if police_url:
        command += ["--police-url", police_url]
    if as_of:
        command += ["--as-of", as_of.isoformat()]
    subprocess.run(command, check=True, capture_output=quiet)


def listen(port: int, exact: bool = False) -> socket.socket:
    """A listening socket on `port`, else (unless `exact`) on a free one. The socket is kept
    and handed to the department's process: a port chosen by binding and releasing it could
    be taken by another process before the department binds it again."""
    sock = socket.socket()
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # our own, just stopped
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            if exact:
                raise
            sock.bind(("127.0.0.1", 0))
        sock.listen(128)
    except BaseException:
        sock.close()
        raise
    return sock


@dataclass
class DemoSystems:
    """Child processes of the REST department systems; `env` tells connectors where they are.

    Each system's listening socket is bound here and inherited by its process: it serves the
    port this hub chose, or fails, never another hub's department on a port taken meanwhile."""

    data_dir: Path | None = None
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    sockets: dict[str, socket.socket] = field(default_factory=dict)
    restarts: dict[str, int] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _watching: threading.Event | None = None

    def start(self, data_dir: Path, usual_ports: bool = True) -> "DemoSystems":
        """Both systems boot side by side; returns once both answer. Without `usual_ports`,
        on ports the system picks (test sessions: no two contend for the usual ones)."""
        self.data_dir = data_dir
        for system, (variable, usual) in REST_SYSTEMS.items():
            given = os.environ.get(f"HUB_DEMO_{system.upper()}_PORT")
            port = int(given or (usual if usual_ports else 0))
            try:
                self.sockets[system] = listen(port, exact=bool(given))
            except OSError as exc:
                self.stop()
                raise ConfigError(f"HUB_DEMO_{system.upper()}_PORT={given}: {exc}") from exc
            self.ports[system] = self.sockets[system].getsockname()[1]
            self.env[variable] = f"http://127.0.0.1:{self.ports[system]}"
            self._spawn(system)
        for variable, _ in REST_SYSTEMS.values():
            self._wait(self.env[variable])
        self._watch()
        return self

    def _watch(self) -> None:
        """A thread that starts again, on the socket it still holds, a system that died (not
        one stopped on purpose: `stop_one` forgets its process). Restarts back off from 0.5 s,
        doubling to 30 s. The thread lives as long as the stack: the processes it starts die
        with the thread that started them (`_die_with_parent` is per thread)."""
        if self._watching is not None:
            return
        self._watching = threading.Event()
        threading.Thread(target=self._watcher, args=(self._watching,), daemon=True,
                         name="demo-watcher").start()

    def _watcher(self, stopping: threading.Event) -> None:
        next_try: dict[str, float] = {}
        while not stopping.wait(0.2):
            for system in list(self.processes):
                self._revive(system, next_try)

    def _revive(self, system: str, next_try: dict[str, float]) -> None:
        with self._lock:
            process = self.processes.get(system)
            if process is None or process.poll() is None or system not in self.sockets:
                return
            now = time.monotonic()
            if now < next_try.get(system, 0.0):
                return
            delay = min(30.0, 0.5 * 2 ** self.restarts.get(system, 0))
            log.warning("demo department %s exited (%s); starting it again", system,
                        process.returncode)
            self.restarts[system] = self.restarts.get(system, 0) + 1
            next_try[system] = now + delay
            self._spawn(system)

    def start_one(self, system: str) -> None:
        """(Re)start one system on its port and wait until it answers."""
        with self._lock:
            if system not in self.sockets:
                self.sockets[system] = listen(self.ports[system], exact=True)
            self._spawn(system)
        self._wait(self.env[REST_SYSTEMS[system][0]])

    def _spawn(self, system: str) -> None:
        assert self.data_dir is not None
        fd = self.sockets[system].fileno()
        self.processes[system] = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "demo",
                "serve-one",
                system,
                "--data-dir",
                str(self.data_dir),
                "--fd",
                str(fd),
            ],
            stdin=subprocess.DEVNULL,
            pass_fds=(fd,),
            preexec_fn=_die_with_parent,
        )

    def _wait(self, url: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=1.0) as client:  # one client: each costs a TLS context
            while time.monotonic() < deadline:
                try:
                    if client.get(f"{url}/health").status_code == 200:
                        return
                except httpx.HTTPError:
                    time.sleep(0.05)
        self.stop()
        raise ConfigError(f"demo department system at {url} did not start")

    def stop_one(self, system: str) -> None:
        """Stop one system and close its port (callers then get refused, as from a department
        that is down); `start_one` binds the same port again."""
        with self._lock:  # the watcher must not start it again meanwhile
            sock = self.sockets.pop(system, None)
            if sock is not None:
                sock.close()
            process = self.processes.pop(system, None)
        if process is None:
            return
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop(self) -> None:
        if self._watching is not None:
            self._watching.set()
            self._watching = None
        for system in list(self.processes):
            self.stop_one(system)
