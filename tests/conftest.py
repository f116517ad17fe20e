"""Real services for the whole session: FalkorDB, PostgreSQL, the demo departments, the hub."""

import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import httpx
import pytest

from hub import clock, demo_stack, embedded
from hub.access.tokens import mint
from hub.civic import imports
from hub.civic.intake import BatchReport
from hub.civic.periods import CST
from hub.linking.report import LinkReport
from hub.linking.run import link
from hub.runtime import Runtime, open_runtime
from hub.settings import Settings
from hub.web import create_app
from tests.support.fixtures import postgres  # noqa: F401
from tests.support.postgres import PostgresServer

DEMO_RESIDENTS = 3800  # two communities of the demo street: scopes side by side
DEMO_SEED = 7
# The demo's reference day, and the hub's clock for the session: 10:00 that day, running on.
# Nothing in the tests depends on the day they run (tests/civic/test_dates.py tries others).
AS_OF = date(2026, 6, 15)
TEST_JWT_SECRET = "test-only-jwt-secret-0123456789abcdef-0123456789"
DEMO_STREET = "330105004"  # 小河街道: every demo resident of the session lives in it


def token(roles: str | list[str], jurisdictions: str | list[str] = (), subject: str = "tester") -> str:
    """A bearer token signed with the session's secret."""
    roles = [roles] if isinstance(roles, str) else roles
    places = [jurisdictions] if isinstance(jurisdictions, str) else list(jurisdictions)
    return mint(TEST_JWT_SECRET, subject, roles, places)


def bearer(roles: str | list[str], jurisdictions: str | list[str] = (), subject: str = "tester") -> dict[str, str]:
    return {"Authorization": f"Bearer {token(roles, jurisdictions, subject)}"}


# The core's tests read as the street office of the demo street: every type, every row of the
# street, ID numbers masked. Tests of the data boundaries pick their own principals.
STREET_ADMIN = bearer("street_admin", DEMO_STREET, "street-admin")


@pytest.fixture(scope="session", autouse=True)
def session_clock() -> Iterator[None]:
    with clock.pinned(datetime.combine(AS_OF, time(10), CST)):
        yield


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
    demo_stack.generate(data_dir, DEMO_RESIDENTS, DEMO_SEED, postgres.async_url, quiet=True,
                        as_of=AS_OF)
    systems = demo_stack.DemoSystems().start(data_dir, usual_ports=False)
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
        jwt_secret=TEST_JWT_SECRET,
        refusals_per_minute=10_000,  # many tests send bad tokens through one app; see test_tokens
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
async def civic_imports(runtime: Runtime, link_report: LinkReport) -> dict[str, BatchReport]:
    demo = runtime.settings.data_dir / "demo" / "opinions" / "opinions.csv"
    return {
        "hotline": await imports.import_hotline(runtime.civic),
        "demo": await imports.import_demo_opinions(runtime.civic, demo),
    }


@pytest.fixture(scope="session")
async def client(runtime: Runtime, link_report: LinkReport) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(runtime.settings, runtime=runtime)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://hub", headers=STREET_ADMIN
    ) as http:
        yield http


class GraphQLClient:
    """POSTs GraphQL as the street office, or as `headers` say (`{}` = anonymous)."""

    def __init__(self, http: httpx.AsyncClient, headers: dict[str, str] | None = None) -> None:
        self.http = http
        self.headers = STREET_ADMIN if headers is None else headers

    def as_(self, headers: dict[str, str]) -> "GraphQLClient":
        return GraphQLClient(self.http, headers)

    async def __call__(self, query: str, **variables: object) -> dict[str, object]:
        response = await self.http.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": ""} | self.headers,
        )
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture(scope="session")
def gql(client: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(client)


def restart(demo: DemoEnv, runtime: Runtime, system: str) -> None:
    """Start again a department a test stopped, and close its breaker (its failures opened it)
    rather than wait for the cool-down's probe: the tests after it expect it answering."""
    demo.systems.start_one(system)
    runtime.registry.get(system).breaker.succeeded()  # type: ignore[attr-defined]
