"""What the rules in force would have fired over stored history (`hub rules test --since`):
the kept stream events in time order through the event and count rules, and the clock rules
hour by hour, each (rule, subject) once per suppression window, as the engine raises them.
Nothing is raised or sent."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select

from hub import clock
from hub.alerts import evaluate, periodic
from hub.alerts.lifecycle import Firing
from hub.alerts.records import Signal
from hub.alerts.rules import Rule
from hub.alerts.world import World

STEP = timedelta(hours=1)
CHUNK = 2000


async def replay(runtime, rules: Sequence[Rule], since: datetime, until: datetime
                 ) -> list[Firing]:
    world = World(runtime)
    found: list[Firing] = []
    last: dict[str, datetime] = {}

    def keep(firings: list[Firing]) -> None:
        for f in firings:
            before = last.get(f.dedup_key)
            if before is not None and f.fired_at < before:
                continue
            last[f.dedup_key] = f.fired_at + timedelta(hours=f.rule.suppress_hours)
            found.append(f)

    step = since
    async with runtime.sessions() as session:
        while step < until:
            end = min(step + STEP, until)
            signals = list(await session.scalars(
                select(Signal).where(Signal.at > step, Signal.at <= end)
                .order_by(Signal.at, Signal.id)))
            for i in range(0, len(signals), CHUNK):
                keep(await evaluate.on_signals(session, world, rules, signals[i:i + CHUNK]))
            with clock.pinned(end, running=False):
                keep(await periodic.check(session, world, rules))
            step = end
    return sorted(found, key=lambda f: (f.fired_at, f.rule.id, f.subject))
