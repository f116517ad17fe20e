"""`python app.py` as `make run` starts it: embedded defaults, demo departments, Ctrl-C.

The hub runs as its own process with nothing of the test session's services or settings: it
starts FalkorDB and the demo departments itself, prints where to query and with which tokens,
answers, stops every process it started on Ctrl-C, and a second run reuses the data.
"""

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from hub.embedded import free_port
from hub.settings import REPO_ROOT

QUERY = "{ people(first: 2) { totalCount edges { node { name residenceAddress } } } }"


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class Run:
    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process, self.lines = process, []
        self.port, self.token = 0, ""

    def read_until(self, pattern: str, timeout: float = 120) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        assert self.process.stdout is not None
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                raise AssertionError("app.py ended:\n" + "".join(self.lines[-30:]))
            self.lines.append(line)
            if found := re.search(pattern, line):
                return found
        raise AssertionError(f"no {pattern!r} in:\n" + "".join(self.lines[-30:]))

    @property
    def output(self) -> str:
        return "".join(self.lines)


def _user_env(data_dir: Path, **settings: str) -> dict[str, str]:
    """A user's shell: none of the test session's settings, HUB_DATA_DIR and `settings`."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("HUB_", "FALKORDB", "DATABASE_URL", "REDIS"))}
    return env | {"HUB_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1", **settings}


def _falkordb_servers(data_dir: Path) -> set[int]:
    """Processes running a FalkorDB server on the data folder's files (redis-server rewrites
    its arguments, but works in its `--dir`)."""
    folder = (data_dir / "falkordb").resolve()
    found = set()
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if b"redis-server" in (proc / "cmdline").read_bytes() and (
                (proc / "cwd").resolve() == folder
            ):
                found.add(int(proc.name))
        except OSError:
            continue
    return found


@contextmanager
def app_py(data_dir: Path, **settings: str) -> Iterator[Run]:
    """`python app.py` with only HUB_DATA_DIR, HUB_PORT=0 (any free port: the hub says which)
    and `settings` set."""
    env = _user_env(data_dir, HUB_PORT="0", **settings)
    process = subprocess.Popen([sys.executable, "app.py"], cwd=REPO_ROOT, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        yield Run(process)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(30)
        if process.stdout:
            process.stdout.close()


def _ask(run: Run) -> dict:
    run.port = int(run.read_until(r"listening on 127\.0\.0\.1:(\d+)").group(1))
    url = run.read_until(r"(http://127\.0\.0\.1:\d+/graphql)").group(1)
    assert url == f"http://127.0.0.1:{run.port}/graphql"  # the banner names the bound port
    run.token = run.read_until(r"^\s+street_admin\s+\S+\s+(\S+)$").group(1)
    run.read_until(r"Application startup complete")
    return _ask_again(run)


def _ask_again(run: Run) -> dict:
    answer = httpx.post(f"http://127.0.0.1:{run.port}/graphql", json={"query": QUERY},
                        timeout=30, headers={"Authorization": f"Bearer {run.token}"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


def _stop(run: Run) -> None:
    """Ctrl-C: the hub ends with every process it started (FalkorDB, the departments)."""
    children = _children(run.process.pid)
    assert len(children) >= 3, children  # FalkorDB and the two REST departments
    run.process.send_signal(signal.SIGINT)
    assert run.process.wait(60) == 0
    deadline = time.monotonic() + 10
    while any(map(_alive, children)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in children if _alive(pid)], "left running after Ctrl-C"


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("app-run")
    subprocess.run([sys.executable, "-m", "demo", "generate", "--data-dir", str(data_dir),
                    "--residents", "400", "--seed", "3"],
                   cwd=REPO_ROOT, check=True, capture_output=True, timeout=120)
    return data_dir


def test_app_py_serves_the_demo_and_a_second_run_reuses_its_data(demo_dir: Path) -> None:
    with app_py(demo_dir) as first:
        people = _ask(first)["people"]
        _stop(first)
    assert people["totalCount"] > 300
    assert all(p["name"] and p["residenceAddress"] for p in (e["node"] for e in people["edges"]))
    assert "linked:" in first.output
    assert (demo_dir / "falkordb").is_dir()

    with app_py(demo_dir) as second:
        assert _ask(second)["people"] == people
        _stop(second)
    assert "linked:" not in second.output  # the graph came back from disk
    assert "generating demo" not in second.output


def test_hub_link_beside_app_py_uses_its_falkordb(demo_dir: Path) -> None:
    """Two servers on one folder would each save their own snapshot over the other's: what
    `hub link` wrote would be gone when the hub stops. It uses the hub's server instead."""
    civil, urban = free_port(), free_port()
    ports = {"HUB_DEMO_CIVIL_PORT": str(civil), "HUB_DEMO_URBAN_PORT": str(urban)}
    with app_py(demo_dir, **ports) as run:
        people = _ask(run)["people"]
        servers = _falkordb_servers(demo_dir)
        assert len(servers) == 1
        departments = {"HUB_CIVIL_URL": f"http://127.0.0.1:{civil}",
                       "HUB_URBAN_URL": f"http://127.0.0.1:{urban}"}
        link = subprocess.Popen([sys.executable, "-m", "hub", "link", "--quiet"], cwd=REPO_ROOT,
                                env=_user_env(demo_dir, **departments), text=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        seen = set(servers)
        while link.poll() is None:  # every server on the folder while the link runs
            seen |= _falkordb_servers(demo_dir)
            time.sleep(0.02)
        assert link.stderr is not None
        assert link.returncode == 0, link.stderr.read()[-2000:]
        link.stderr.close()
        assert seen == servers
        assert _ask_again(run)["people"] == people
        _stop(run)
