"""A second hub process (`python app.py`) over the session's graph, Redis and records."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from hub.embedded import free_port
from hub.settings import REPO_ROOT, Settings


@contextmanager
def running_hub(settings: Settings, jwt_secret: str, **extra: str) -> Iterator[str]:
    """Yields the base URL; the process ends with the block. `extra`: more settings."""
    port = free_port()
    env = {
        **os.environ,
        "HUB_PORT": str(port),
        "HUB_DEMO": "0",
        "HUB_DATA_DIR": str(settings.data_dir),
        "FALKORDB_URL": settings.redis_url or "",
        "HUB_GRAPH_NAME": settings.graph_name,
        "DATABASE_URL": settings.database_url or "",
        "HUB_JWT_SECRET": jwt_secret,
        **extra,
    }
    process = subprocess.Popen(
        [sys.executable, "app.py"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            try:
                if httpx.get(f"{url}/health").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(20)
        if process.stderr:
            process.stderr.close()
