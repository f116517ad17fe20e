"""The stack the data-boundary benchmarks run on: demo departments over two streets, the
embedded FalkorDB, the hub's records in a throwaway PostgreSQL, the hub app in process.

Data lives in `$HUB_BENCH_DIR` (default `.data/bench-access`): generated and linked once,
reused by later runs.
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import httpx

from hub import demo_stack
from hub.access.tokens import mint
from hub.civic import imports
from hub.linking.run import link
from hub.runtime import Runtime, open_runtime
from hub.settings import REPO_ROOT, Settings
from hub.web import create_app
from tests.support.postgres import start_postgres, stop_postgres

RESIDENTS = 24_000  # two streets of 12,000 (a street holds up to 20,000 demo residents)
SECRET = "bench-only-jwt-secret-0123456789abcdef-0123456789"


@dataclass
class Stack:
    runtime: Runtime
    enforced: httpx.AsyncClient
    unenforced: httpx.AsyncClient

    async def ask(self, query: str, headers: dict[str, str], enforced: bool = True) -> dict:  # type: ignore[type-arg]
        http = self.enforced if enforced else self.unenforced
        response = await http.post("/graphql", json={"query": query}, headers=headers)
        return response.json()  # type: ignore[no-any-return]


def bearer(roles: str | list[str], places: list[str], subject: str = "bench") -> dict[str, str]:
    if not roles:
        return {}
    named = [roles] if isinstance(roles, str) else roles
    return {"Authorization": f"Bearer {mint(SECRET, subject, named, places)}"}


@asynccontextmanager
async def stack(opinions: bool = False) -> AsyncIterator[Stack]:
    """`opinions`: the demo's opinions imported too (the civic objects' leak checks)."""
    data_dir = Path(os.environ.get("HUB_BENCH_DIR") or REPO_ROOT / ".data" / "bench-access")
    if not demo_stack.demo_ready(data_dir):
        demo_stack.generate(data_dir, RESIDENTS, seed=42)
    systems = demo_stack.DemoSystems().start(data_dir)
    os.environ.update(systems.env)
    postgres = start_postgres("hub_bench")
    settings = Settings(
        data_dir=data_dir,
        demo=False,
        database_url=postgres.url,
        jwt_secret=SECRET,
        policy_poll_seconds=0,
        answer_cache_seconds=0,  # each request resolves: the checks are what is measured
    )
    runtime = await open_runtime(settings)
    # The leak checks ask every field of every type in long pages (a cost of ~230,000): the
    # check's need, not a caller's; every role gets the highest limits of any.
    runtime.limits = replace(
        runtime.limits, roles={role: runtime.limits.largest for role in runtime.limits.roles}
    )
    try:
        if await runtime.links.is_empty():
            await link(runtime)
        if opinions:
            await imports.import_hotline(runtime.civic)
            await imports.import_demo_opinions(
                runtime.civic, data_dir / "demo" / "opinions" / "opinions.csv"
            )
        yield Stack(
            runtime,
            _client(settings, runtime),
            _client(replace(settings, enforce_access=False), runtime),
        )
    finally:
        await runtime.close()
        stop_postgres(postgres)
        systems.stop()


def _client(settings: Settings, runtime: Runtime) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(settings, runtime=runtime))
    return httpx.AsyncClient(transport=transport, base_url="http://hub", timeout=120)
