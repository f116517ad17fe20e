"""Precise services over the session's hub: callers by role, two communities side by side."""

from typing import TYPE_CHECKING

import httpx
import pytest

from tests.civic.conftest import Caller, codes, resident  # noqa: F401  (shared helpers)
from tests.conftest import bearer

if TYPE_CHECKING:
    from hub.runtime import Runtime
    from hub.services.demo_seed import Seeded

STREET = "330105004"
MINE = "330105004001"  # the community worker's community
OTHER = "330105004002"


@pytest.fixture(scope="session")
async def services_demo(runtime: "Runtime", civic_imports: object) -> "Seeded":
    """The demo's precise services, seeded once like `make run` does (after the opinions);
    the modules over the session's stack ask for it (`pytestmark`), pure ones do not."""
    from hub.services.demo_seed import seed

    return await seed(runtime)


@pytest.fixture(scope="session")
def street(client: httpx.AsyncClient) -> Caller:
    return Caller(client, bearer("street_admin", STREET, "street-office-1"))


@pytest.fixture(scope="session")
def worker(client: httpx.AsyncClient) -> Caller:
    return Caller(client, bearer("community_worker", MINE, "worker-1"))


@pytest.fixture(scope="session")
def other_worker(client: httpx.AsyncClient) -> Caller:
    return Caller(client, bearer("community_worker", OTHER, "worker-2"))


async def residents_of(runtime: "Runtime", community: str, n: int) -> list[str]:
    """Hub ids of `n` residents of a community, from the link graph."""
    nodes, _ = await runtime.links.page("Person", [community], 0, n, {}, False)
    return [node.id for node in nodes]
