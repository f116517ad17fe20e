"""`Alerts`: the early-warning services of one hub process, built once in the lifespan."""

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from hub.alerts import engine, events
from hub.alerts.access import Reader
from hub.alerts.lifecycle import move
from hub.alerts.queries import one, recipients
from hub.alerts.records import Alert
from hub.alerts.ruleset import RuleSet
from hub.alerts.signals import Heard
from hub.alerts.world import World
from hub.errors import BadInput, ErrorCode
from hub.settings import Settings

if TYPE_CHECKING:
    from hub.runtime import Runtime


def rules_dir(settings: Settings) -> Path:
    """`HUB_ALERT_RULES_DIR`, or `rules/` in the policy folder."""
    given = settings.extra.get("alert_rules_dir", "")
    return Path(given) if given else settings.policy_dir / "rules"


class Alerts:
    def __init__(self, runtime: "Runtime") -> None:
        self.runtime = runtime
        self.world = World(runtime)
        self.rules = RuleSet(rules_dir(runtime.settings))
        self.rules.load(runtime.policies.current)
        tick = runtime.settings.extra.get("alert_tick_seconds", "")
        self.engine = engine.Engine(self, float(tick) if tick else engine.TICK_SECONDS)

    def refresh_rules(self) -> None:
        """Load the rules again when their files or the policy changed (last good kept)."""
        if self.rules.changed(self.runtime.policies.current):
            self.rules.load(self.runtime.policies.current)

    async def start(self) -> None:
        await self.engine.start()

    async def stop(self) -> None:
        await self.engine.stop()

    async def hear(self, heard: Sequence[Heard]) -> list[int]:
        """Events from the stream: kept, and the event and count rules fired on them."""
        self.refresh_rules()
        return await engine.fire_on(self, heard) if heard else []

    async def tick(self) -> list[int]:
        """The clock's checks (absence, surge, capacity) and escalations; ids raised or
        escalated."""
        self.refresh_rules()
        raised = await engine.check_clock(self)
        return raised + await engine.escalate(self)

    async def act(self, reader: Reader, alert_id: int, action: str, note: str | None) -> Alert:
        """A lifecycle move by someone the alert is addressed to (NOT_FOUND otherwise)."""
        async with self.runtime.sessions() as session, session.begin():
            alert = await one(session, reader, alert_id)
            if alert is None:
                raise BadInput(f"alert {alert_id} not found", ErrorCode.NOT_FOUND)
            alert = await move(session, alert, action, reader.subject, note)
        async with self.runtime.sessions() as session:
            await events.announce(self.runtime.redis, alert_id, action,
                                  await recipients(session, alert_id))
        return alert
