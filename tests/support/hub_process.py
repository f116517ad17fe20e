"""A second hub process (`python app.py`) over the session's graph, Redis and records."""

import os
import queue
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from hub.settings import REPO_ROOT, Settings

# The banner names where the hub listens once its app has started (HUB_PORT=0: any free port,
# chosen by the system as the hub binds its socket: nothing can take it in between).
LISTENING = re.compile(r"community data hub: (http://127\.0\.0\.1:\d+)/graphql")


class Output:
    """The process's output, read as it comes (a full pipe would stall the hub)."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self._new: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._reader.start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self.lines.append(line)
            self._new.put(line)
        self._new.put(None)

    def wait_for(self, pattern: re.Pattern[str], timeout: float) -> re.Match[str]:
        """The first line matching `pattern`; AssertionError with the output when the process
        ends or `timeout` passes first."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._new.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                raise AssertionError("the hub ended:\n" + self.tail())
            if found := pattern.search(line):
                return found
        raise AssertionError(f"the hub did not start in {timeout} s:\n" + self.tail())

    def close(self) -> None:
        """Once the process has ended: its last lines read."""
        self._reader.join(10)

    def tail(self) -> str:
        return "".join(self.lines[-40:])


@contextmanager
def running_hub(settings: Settings, jwt_secret: str, **extra: str) -> Iterator[str]:
    """Yields the base URL once the hub answers its health check; the process ends with the
    block. `extra`: more settings."""
    with hub_process(settings, jwt_secret, **extra) as (url, _):
        yield url


@contextmanager
def hub_process(
    settings: Settings, jwt_secret: str, **extra: str
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """As `running_hub`, with the process itself (to stop it the hard way)."""
    env = {
        **os.environ,
        "HUB_PORT": "0",
        "HUB_DEMO": "0",
        "HUB_DATA_DIR": str(settings.data_dir),
        "FALKORDB_URL": settings.redis_url or "",
        "HUB_GRAPH_NAME": settings.graph_name,
        "DATABASE_URL": settings.database_url or "",
        "HUB_JWT_SECRET": jwt_secret,
        "PYTHONUNBUFFERED": "1",
        "HUB_WORKERS": "1",  # one process unless a test asks for more (not the machine's cores)
        **extra,
    }
    process = subprocess.Popen(
        [sys.executable, "app.py"],
        cwd=REPO_ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    output = Output(process)
    try:
        url = output.wait_for(LISTENING, 60).group(1)
        health = httpx.get(f"{url}/health", timeout=10)
        assert health.status_code == 200, f"{health.status_code} {health.text}\n{output.tail()}"
        yield url, process
    finally:
        process.terminate()
        process.wait(20)
        output.close()
        if process.stdout:
            process.stdout.close()
