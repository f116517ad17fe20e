"""`hub rules test --since …`: the kept stream history replayed through the rules in force
shows what would have fired, and raises nothing."""

from datetime import timedelta

from sqlalchemy import func, select

from hub import clock
from hub.alerts.records import Alert
from hub.alerts.replay import replay
from hub.runtime import Runtime
from tests.alerts.conftest import Building, pick, settle, xadd


async def test_replay_shows_what_would_have_fired_and_raises_nothing(
    runtime: Runtime, buildings: list[Building]
) -> None:
    twice, once = pick(buildings, 2, "replay")
    start = clock.now() - timedelta(days=400)  # history no other test wrote to
    for building, days in ((twice, (3, 10)), (once, (5,))):
        for day in days:
            await xadd(runtime, "high_throw", start + timedelta(days=day), building.id,
                       jurisdiction=building.jurisdiction, source="security")
    await settle(runtime)
    async with runtime.sessions() as session:
        before = await session.scalar(select(func.count()).select_from(Alert))
    found = await replay(runtime, runtime.alerts.rules.rules, start, start + timedelta(days=12))
    throws = [(f.rule.id, f.subject) for f in found if f.rule.id == "repeated_high_throw"]
    assert throws == [("repeated_high_throw", twice.id)]
    assert found[[f.rule.id for f in found].index("repeated_high_throw")].fired_at == (
        start + timedelta(days=10))
    async with runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Alert)) == before
