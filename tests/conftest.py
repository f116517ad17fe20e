"""Real services for the whole session: FalkorDB, PostgreSQL, the demo departments, the hub."""

import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from hub import demo_stack, embedded
from hub.linking.report import LinkReport
from hub.linking.run import link
from hub.runtime import Runtime, open_runtime
from hub.settings import Settings
from hub.web import create_app
from tests.support.fixtures import postgres  # noqa: F401
from tests.support.postgres import PostgresServer

DEMO_RESIDENTS = 1500


@dataclass
class DemoEnv:
    data_dir: Path
    env: dict[str, str]
    systems: demo_stack.DemoSystems


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hub-data")


@pytest.fixture(scope="session")
def falkordb(data_dir: Path) -> Iterator[embedded.EmbeddedFalkorDB]:
    server = embedded.start(data_dir / "falkordb")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def demo(data_dir: Path, postgres: PostgresServer) -> Iterator[DemoEnv]:  # noqa: F811
    """Demo departments: police in PostgreSQL, civil and urban as REST servers, property CSV."""
    command = [
        sys.executable,
        "-m",
        "demo",
        "generate",
        "--data-dir",
        str(data_dir),
        "--residents",
        str(DEMO_RESIDENTS),
        "--seed",
        "7",
        "--police-url",
        postgres.async_url,
    ]
    subprocess.run(command, check=True, capture_output=True)
    systems = demo_stack.DemoSystems().start(data_dir)
    env = {**systems.env, "HUB_POLICE_URL": postgres.async_url}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    yield DemoEnv(data_dir, env, systems)
    systems.stop()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def settings(
    data_dir: Path,
    falkordb: embedded.EmbeddedFalkorDB,
    demo: DemoEnv,
    postgres: PostgresServer,  # noqa: F811
) -> Settings:
    """The hub over the session's services; its own records in PostgreSQL."""
    return Settings(
        data_dir=data_dir,
        redis_url=falkordb.url,
        graph_name="test",
        demo=False,
        database_url=postgres.create_database("hub_records"),
    )


@pytest.fixture(scope="session")
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    runtime = await open_runtime(settings)
    await runtime.store.clear()
    yield runtime
    await runtime.close()


@pytest.fixture(scope="session")
async def link_report(runtime: Runtime) -> LinkReport:
    return await link(runtime)


@pytest.fixture(scope="session")
async def client(runtime: Runtime, link_report: LinkReport) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(runtime.settings, runtime=runtime)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
        yield http


class GraphQLClient:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def __call__(self, query: str, **variables: object) -> dict[str, object]:
        response = await self.http.post("/graphql", json={"query": query, "variables": variables})
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture(scope="session")
def gql(client: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(client)
