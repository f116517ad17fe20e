"""Small demo data sets generated once per session, and the REST systems as real processes."""

import csv
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from demo.generate import generate

REPO_ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2025, 6, 1)
SEED = 7
RESIDENTS = 2000


@pytest.fixture(scope="session")
def data_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo-data")
    generate(root, SEED, RESIDENTS, None, as_of=AS_OF)
    return root


@pytest.fixture(scope="session")
def out(data_root: Path) -> Path:
    return data_root / "demo"


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def query(path: Path, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    with closing(sqlite3.connect(path)) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(sql, params)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(system: str, data_root: Path) -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "demo", "serve-one", system, "--data-dir", str(data_root),
         "--port", str(port)],
        cwd=REPO_ROOT, stdin=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            assert proc.poll() is None, f"{system} server exited with {proc.returncode}"
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, f"{system} server did not start"
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def civil_url(data_root: Path) -> Iterator[str]:
    yield from _start("civil", data_root)


@pytest.fixture(scope="session")
def urban_url(data_root: Path) -> Iterator[str]:
    yield from _start("urban", data_root)
