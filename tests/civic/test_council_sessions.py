"""Council sessions listed per jurisdiction: a worker sees her community's, the street office
all of the street's, in the query's own scope."""

import httpx

from hub.ids import encode_cursor
from tests.civic.conftest import STREET, Caller, codes
from tests.conftest import bearer

SCHEDULE = """mutation($input: SessionInput!) { scheduleSession(input: $input) { id } }"""
LIST = """query($j: String!, $after: String) { councilSessions(jurisdiction: $j, first: 1,
  after: $after) { id jurisdiction title } }"""
FIRST, SECOND = "330105004001", "330105004002"  # the demo street's first two communities


async def _schedule(staff: Caller, jurisdiction: str, title: str, day: int) -> str:
    data = await staff.data(SCHEDULE, input={
        "jurisdiction": jurisdiction, "title": title, "mode": "ONLINE", "agendaIds": [],
        "startsAt": f"2026-07-{day:02d}T19:00:00", "endsAt": f"2026-07-{day:02d}T21:00:00"})
    return str(data["scheduleSession"]["id"])


async def _all(caller: Caller, jurisdiction: str) -> list[dict[str, str]]:
    """Every page of one, following the cursor (each page's last offset + 1)."""
    found: list[dict[str, str]] = []
    while True:
        page = await caller.data(LIST, j=jurisdiction, after=_cursor(len(found)))
        if not page["councilSessions"]:
            return found
        found += page["councilSessions"]


def _cursor(offset: int) -> str | None:
    return encode_cursor(offset - 1) if offset else None


async def test_sessions_are_listed_within_the_callers_jurisdiction(
    client: httpx.AsyncClient, staff: Caller
) -> None:
    mine = await _schedule(staff, FIRST, "红茶议事会·一社区加装电梯", 20)
    other = await _schedule(staff, SECOND, "红茶议事会·二社区停车", 21)
    street = await _schedule(staff, STREET, "红茶议事会·街道垃圾分类", 22)
    worker = Caller(client, bearer("community_worker", FIRST, "worker-1"))
    seen = await _all(worker, FIRST)
    assert mine in {s["id"] for s in seen}
    assert all(s["jurisdiction"].startswith(FIRST) for s in seen)
    everything = [s["id"] for s in await _all(staff, STREET)]
    assert {mine, other, street} <= set(everything)
    assert everything.index(street) < everything.index(other) < everything.index(mine)
    assert codes(await worker(LIST, j=STREET)) == ["FORBIDDEN"]
    assert codes(await worker(LIST, j=SECOND)) == ["FORBIDDEN"]
    grid = Caller(client, bearer("grid_worker", f"{FIRST}01", "grid-1"))
    assert codes(await grid(LIST, j=f"{FIRST}01")) == ["FORBIDDEN"]
