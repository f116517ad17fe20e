"""Early warnings over the session's hub: events XADDed to the stream as a stream connector
would (STREAMS.md), the engine driven step by step, buildings and people of the demo street."""

import asyncio
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from hub import clock
from hub.alerts import signals
from hub.runtime import Runtime
from tests.civic.conftest import Caller
from tests.conftest import bearer


@dataclass(frozen=True)
class Building:
    id: str
    jurisdiction: str  # its grid

    @property
    def community(self) -> str:
        return self.jurisdiction[:12]


async def xadd(runtime: Runtime, type: str, at: datetime, place: str = "", person: str = "",
               jurisdiction: str = "", thing: str = "", value: str = "",
               source: str = "property_iot") -> str:
    key = uuid.uuid4().hex
    await runtime.redis.xadd(signals.STREAM, {
        "source": source, "key": key, "type": type, "at": at.isoformat(), "place": place,
        "thing": thing, "person": person, "jurisdiction": jurisdiction, "value": value,
    }, maxlen=1_000_000, approximate=True)
    return f"{source}/{key}"


async def settle(runtime: Runtime) -> None:
    """Until every entry of the stream is handled (by this process or another hub's)."""
    engine = runtime.alerts.engine
    await engine.ensure_group()
    for _ in range(400):
        await engine.read_once(50)
        groups = await runtime.redis.xinfo_groups(signals.STREAM)
        mine = next(g for g in groups if g["name"] in (signals.GROUP, signals.GROUP.encode()))
        if not mine["pending"] and not mine.get("lag"):
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the stream was not handled")


@pytest.fixture(scope="session")
async def buildings(runtime: Runtime, link_report: object) -> list[Building]:
    """Buildings of the demo street, two grids apart first: tests take their own."""
    rows = await runtime.store.read(
        "MATCH (b:Place {level: 'building'}) RETURN b.id AS id, b.jurisdiction AS j "
        "ORDER BY b.id")
    found = [Building(r["id"], r["j"]) for r in rows if r["j"] and len(r["j"]) == 14]
    assert len({b.jurisdiction for b in found}) >= 2
    return found


def pick(buildings: list[Building], n: int, salt: str) -> list[Building]:
    """`n` buildings, a different set per test (`salt`), in two grids at least when n > 1."""
    start = sum(salt.encode()) % len(buildings)
    chosen = [buildings[(start + i * 7) % len(buildings)] for i in range(n)]
    return chosen


def grid_worker(grid: str) -> dict[str, str]:
    return bearer("grid_worker", grid, f"grid-{grid[-4:]}")


@pytest.fixture
def other_grid(buildings: list[Building]):  # type: ignore[no-untyped-def]
    def choose(building: Building) -> str:
        return next(b.jurisdiction for b in buildings if b.jurisdiction != building.jurisdiction)
    return choose


@pytest.fixture
def later() -> Iterator[None]:
    """The clock stays where a test moved it only for that test."""
    now = clock.now()
    yield
    clock.set_now(now)


def as_(caller: Caller, headers: dict[str, str]) -> Caller:
    return Caller(caller.http, headers)


def ago(hours: float) -> datetime:
    return clock.now() - timedelta(hours=hours)
