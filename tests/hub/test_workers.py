"""`hub serve --workers`: several hub processes on one socket, one hub to its callers (real
processes over the session's graph and PostgreSQL records, with a Redis of their own)."""

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Iterator

import httpx
import pytest

from hub import embedded
from hub.audit.verify import verify
from hub.embedded import free_port
from hub.runtime import Runtime
from hub.settings import Settings
from tests.conftest import STREET_ADMIN, TEST_JWT_SECRET
from tests.support.hub_process import hub_process

WORKERS = 2
CLIENT_ADDRESS = "127.0.0.7"
BAD = {"query": "{ people(first: 1) { totalCount } }"}
PEOPLE = {"query": "{ people(first: 2) { edges { node { id name } } } }"}


def _answering_process(url: str) -> int:
    """The pid of the worker that accepts a new connection."""
    with httpx.Client(base_url=url, timeout=10) as fresh:
        return int(fresh.get("/health").json()["process"])


def _workers_seen(url: str, wanted: int, tries: int = 400) -> set[int]:
    seen: set[int] = set()
    for _ in range(tries):
        seen.add(_answering_process(url))
        if len(seen) >= wanted:
            break
    return seen


METRICS_PORT = free_port()


@pytest.fixture(scope="module")
def workers(
    settings: Settings, link_report: object, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, int]]:
    """The production shape on one machine: the workers' cache and pub/sub on a Redis of
    their own, apart from the graph's server; records in the session's PostgreSQL."""
    cache = embedded.start(tmp_path_factory.mktemp("cache-redis"))
    try:
        with hub_process(settings, TEST_JWT_SECRET, HUB_WORKERS=str(WORKERS),
                         REDIS_URL=cache.url, HUB_REFUSALS_PER_MINUTE="3",
                         HUB_METRICS_PORT=str(METRICS_PORT)) as (url, process):
            yield url, process.pid
    finally:
        cache.stop()


def test_every_worker_takes_connections(workers: tuple[str, int]) -> None:
    url, parent = workers
    seen = _workers_seen(url, WORKERS)
    assert len(seen) == WORKERS and parent not in seen


@contextlib.contextmanager
def one_client_per_worker(url: str, tries: int = 400) -> Iterator[list[httpx.Client]]:
    """Keep-alive clients, each connected to a different worker."""
    kept: dict[int, httpx.Client] = {}
    try:
        for _ in range(tries):
            # a client address of its own: refusal counts are per address, and other tests'
            # hubs share the session's Redis
            transport = httpx.HTTPTransport(local_address=CLIENT_ADDRESS)
            fresh = httpx.Client(base_url=url, timeout=10, transport=transport)
            pid = int(fresh.get("/health").json()["process"])
            if pid in kept:
                fresh.close()
            else:
                kept[pid] = fresh
            if len(kept) == WORKERS:
                break
        assert len(kept) == WORKERS, f"connections reached {len(kept)} worker(s)"
        yield list(kept.values())
    finally:
        for client in kept.values():
            client.close()


def test_the_refusal_burst_is_one_for_all_workers(workers: tuple[str, int]) -> None:
    """Three bad tokens recorded one by one per minute, however many workers took them."""
    url, _ = workers
    with one_client_per_worker(url) as clients:
        if time.time() % 60 > 40:  # refusal windows are the clock's minutes: start early in one
            time.sleep(61 - time.time() % 60)
        statuses = [
            clients[n % WORKERS].post("/graphql", json=BAD, headers={
                "Authorization": "Bearer not.a.token"}).status_code
            for n in range(3 * WORKERS)
        ]
    assert statuses == [401] * 3 + [429] * (3 * WORKERS - 3)


async def test_one_access_log_chain_from_all_workers(
    workers: tuple[str, int], runtime: Runtime
) -> None:
    """Requests answered by different workers at once still append to one intact chain."""
    url, _ = workers
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        answers = await asyncio.gather(*[
            client.post("/graphql", json=PEOPLE, headers=STREET_ADMIN) for _ in range(24)
        ])
    assert all(a.status_code == 200 and "errors" not in a.json() for a in answers)
    report = await verify(runtime.sessions)
    assert report.ok, report.lines()


def test_one_metrics_endpoint_counts_every_worker(workers: tuple[str, int]) -> None:
    url, _ = workers
    with one_client_per_worker(url) as clients:
        for client in clients:
            assert client.post("/graphql", json=PEOPLE, headers=STREET_ADMIN).status_code == 200
        pids = {str(client.get("/health").json()["process"]) for client in clients}
    scraped = httpx.get(f"http://127.0.0.1:{METRICS_PORT}/metrics", timeout=10).text
    breakers = [line for line in scraped.splitlines()
                if line.startswith("hub_connector_breaker_state{")]
    assert "hub_graph_queries_total" in scraped
    assert pids <= {line.split('pid="')[1].split('"')[0] for line in breakers}


def test_a_worker_that_dies_is_replaced(workers: tuple[str, int]) -> None:
    url, _ = workers
    victim = _answering_process(url)
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 60
    seen: set[int] = set()
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):  # the dead worker's last connection
            seen.add(_answering_process(url))
        if len(seen - {victim}) >= WORKERS:
            break
        time.sleep(0.2)
    assert len(seen - {victim}) == WORKERS and victim not in seen
