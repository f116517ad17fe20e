"""Start the Node federation fixtures (volunteer subgraph, Apollo Gateway) as subprocesses.

Both scripts live in `tests/federation/` and need its `node_modules` (`make test` installs them).
Each prints `READY <port>` on stdout once listening; the helpers wait for that line, raise
`NodeServiceError` with the process's stderr if it exits or times out first, and return a
`NodeService` whose `url` is the GraphQL endpoint. Stop with `service.stop()` (or use the
`running_*` context managers). Typical fixture chain::

    with running_volunteer_subgraph(person_ids) as volunteer, \\
            running_gateway(hub_url, volunteer.url) as gateway:
        httpx.post(gateway.url, json={"query": "{ volunteerTeams }"})

`volunteer.people` is what the subgraph serves per hub person id, to compare against.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

FEDERATION_DIR = Path(__file__).resolve().parent.parent / "federation"
VOLUNTEER_SCRIPT = FEDERATION_DIR / "volunteer-subgraph.mjs"
GATEWAY_SCRIPT = FEDERATION_DIR / "gateway.mjs"
SAMPLE_FILE = FEDERATION_DIR / "volunteers.json"
HOST = "127.0.0.1"


class VolunteerRecord(TypedDict):
    hours: int
    teams: list[str]


class NodeServiceError(RuntimeError):
    """A Node fixture could not be started (message includes its stderr)."""


@dataclass
class NodeService:
    """A running Node subprocess that printed `READY <port>`."""

    name: str
    process: subprocess.Popen[bytes]
    port: int
    workdir: Path
    people: dict[str, VolunteerRecord] = field(default_factory=dict)

    @property
    def url(self) -> str:
        """The GraphQL endpoint (Apollo standalone serves at `/`)."""
        return f"http://{HOST}:{self.port}/"

    def stderr(self) -> str:
        """Everything the process wrote to stderr so far."""
        return _read(self.workdir / "stderr.log")

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM (graceful stop), SIGKILL after `timeout`; then remove the work dir."""
        try:
            _terminate(self.process, timeout)
        finally:
            shutil.rmtree(self.workdir, ignore_errors=True)


def sample_records() -> list[VolunteerRecord]:
    """The sample volunteer records shipped in `tests/federation/volunteers.json`."""
    data = json.loads(SAMPLE_FILE.read_text(encoding="utf-8"))
    return [VolunteerRecord(hours=r["hours"], teams=list(r["teams"])) for r in data["records"]]


def sample_teams() -> list[str]:
    """All team names of the sample (the root `volunteerTeams` when no extra teams are given)."""
    data = json.loads(SAMPLE_FILE.read_text(encoding="utf-8"))
    return list(data["teams"])


def assign_volunteers(person_ids: Sequence[str]) -> dict[str, VolunteerRecord]:
    """Give the i-th hub person id the (i mod n)-th sample record."""
    records = sample_records()
    return {pid: records[i % len(records)] for i, pid in enumerate(person_ids)}


def start_volunteer_subgraph(
    people: Sequence[str] | Mapping[str, VolunteerRecord] = (),
    *,
    port: int = 0,
    timeout: float = 30.0,
) -> NodeService:
    """Start `volunteer-subgraph.mjs`; `people` is hub person ids (assigned sample records with
    `assign_volunteers`) or an explicit id → record mapping. Unknown ids get 0 hours, no teams.
    `port=0` picks a free port. The returned service's `people` is the mapping served.
    """
    mapping: dict[str, VolunteerRecord] = (
        {k: VolunteerRecord(hours=v["hours"], teams=list(v["teams"])) for k, v in people.items()}
        if isinstance(people, Mapping)
        else assign_volunteers(list(people))
    )
    workdir = Path(tempfile.mkdtemp(prefix="hub-volunteer-"))
    people_file = workdir / "people.json"
    people_file.write_text(json.dumps(mapping, ensure_ascii=False), encoding="utf-8")
    service = _start(
        "volunteer subgraph",
        [str(VOLUNTEER_SCRIPT), "--port", str(port), "--people", str(people_file)],
        workdir,
        timeout,
    )
    service.people = mapping
    return service


def start_gateway(
    hub_url: str,
    volunteer_url: str,
    *,
    port: int = 0,
    headers: Mapping[str, str] | None = None,
    timeout: float = 60.0,
) -> NodeService:
    """Start `gateway.mjs` composing subgraphs `hub` and `volunteer` (IntrospectAndCompose).

    Both subgraphs must already be up. `headers` are sent on introspection and on every
    subgraph request (e.g. a service token); incoming Authorization, traceparent and X-*
    headers are forwarded per request. A composition error raises `NodeServiceError`.
    """
    args = [str(GATEWAY_SCRIPT), "--port", str(port), "--hub", hub_url]
    args += ["--volunteer", volunteer_url]
    for name, value in (headers or {}).items():
        args += ["--header", f"{name}: {value}"]
    workdir = Path(tempfile.mkdtemp(prefix="hub-gateway-"))
    return _start("gateway", args, workdir, timeout)


def stop_service(service: NodeService, timeout: float = 10.0) -> None:
    """Same as `service.stop()`."""
    service.stop(timeout)


@contextlib.contextmanager
def running_volunteer_subgraph(
    people: Sequence[str] | Mapping[str, VolunteerRecord] = (),
    *,
    port: int = 0,
    timeout: float = 30.0,
) -> Iterator[NodeService]:
    service = start_volunteer_subgraph(people, port=port, timeout=timeout)
    try:
        yield service
    finally:
        service.stop()


@contextlib.contextmanager
def running_gateway(
    hub_url: str,
    volunteer_url: str,
    *,
    port: int = 0,
    headers: Mapping[str, str] | None = None,
    timeout: float = 60.0,
) -> Iterator[NodeService]:
    service = start_gateway(hub_url, volunteer_url, port=port, headers=headers, timeout=timeout)
    try:
        yield service
    finally:
        service.stop()


# --- internals -------------------------------------------------------------------------------


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        raise NodeServiceError("node is not on PATH: `make test` installs it (Debian package)")
    if not (FEDERATION_DIR / "node_modules" / "@apollo" / "gateway").is_dir():
        raise NodeServiceError(
            f"{FEDERATION_DIR.name}/node_modules is missing: `make test` installs it "
            "(npm ci in tests/federation)"
        )
    return node


def _start(name: str, args: list[str], workdir: Path, timeout: float) -> NodeService:
    try:
        node = _node()
        stdout_path, stderr_path = workdir / "stdout.log", workdir / "stderr.log"
        with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
            process = subprocess.Popen(
                [node, *args],
                cwd=FEDERATION_DIR,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
            )
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    service = NodeService(name=name, process=process, port=0, workdir=workdir)
    try:
        service.port = _wait_ready(service, stdout_path, timeout)
    except BaseException:
        service.stop()
        raise
    return service


def _wait_ready(service: NodeService, stdout_path: Path, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while True:
        for line in _read(stdout_path).splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == "READY" and parts[1].isdigit():
                return int(parts[1])
        code = service.process.poll()
        if code is not None:
            raise NodeServiceError(
                f"{service.name} exited with {code} before READY:\n{service.stderr().strip()}"
            )
        if time.monotonic() > deadline:
            raise NodeServiceError(
                f"{service.name} printed no READY line within {timeout:.0f}s:\n"
                f"{service.stderr().strip()}"
            )
        time.sleep(0.05)


def _terminate(process: subprocess.Popen[bytes], timeout: float) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
    process.wait()


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
