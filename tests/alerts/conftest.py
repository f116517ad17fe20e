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


_handed_out: set[str] = set()


def pick(buildings: list[Building], n: int, salt: str, other_than: str = "",
         avoid: frozenset[str] = frozenset()) -> list[Building]:
    """`n` buildings no other test of the session was given (an alert's suppression window
    would otherwise join two tests' alarms), spread over the grids; `other_than`: not in
    that grid; `avoid`: not these. `salt` names the test in the error when the street runs
    out."""
    free = [b for b in buildings if b.id not in _handed_out and b.jurisdiction != other_than
            and b.id not in avoid]
    free.sort(key=lambda b: (sum(1 for f in free if f.jurisdiction == b.jurisdiction), b.id))
    chosen: list[Building] = []
    for building in free[::-1]:
        if len(chosen) < n and all(c.jurisdiction != building.jurisdiction for c in chosen):
            chosen.append(building)
    for building in free[::-1]:
        if len(chosen) < n and building not in chosen:
            chosen.append(building)
    if len(chosen) < n:
        raise AssertionError(f"{salt}: the demo street has no {n} buildings left")
    _handed_out.update(b.id for b in chosen)
    return chosen


def grid_worker(grid: str) -> dict[str, str]:
    return bearer("grid_worker", grid, f"grid-{grid[-4:]}")


@pytest.fixture
def later() -> Iterator[None]:
    """The clock stays where a test moved it only for that test."""
    now = clock.now()
    yield
    clock.set_now(now)


def ago(hours: float) -> datetime:
    return clock.now() - timedelta(hours=hours)
