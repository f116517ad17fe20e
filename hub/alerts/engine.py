"""The rule engine of one hub process: reads the event stream in the hub's consumer group
(each entry to one process), keeps what it heard, fires the rules, raises alerts; and on the
clock, checks the time rules and escalates what nobody acknowledged. Every process runs one;
the group, the slots and a short lock for the clock's checks keep them from doing twice what
one must do once."""

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from redis.exceptions import RedisError, ResponseError
from sqlalchemy.exc import SQLAlchemyError

from hub.alerts import evaluate, events, periodic, signals
from hub.alerts.lifecycle import Firing, Suppressed, escalate_due, raise_alert
from hub.alerts.queries import recipients
from hub.alerts.render import render
from hub.errors import HubError

if TYPE_CHECKING:
    from hub.alerts.service import Alerts

log = logging.getLogger("hub.alerts")
BATCH = 500
BLOCK_MS = 1000
CLAIM_IDLE_MS = 60_000
TICK_LOCK = "hub:alerts:tick"
TICK_SECONDS = 60.0  # HUB_ALERT_TICK_SECONDS


class Engine:
    def __init__(self, alerts: "Alerts", tick_seconds: float = TICK_SECONDS) -> None:
        self.alerts = alerts
        self.redis = alerts.runtime.redis
        self.consumer = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.tick_seconds = tick_seconds
        self.bad_entries = 0
        self.heard = 0
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        await self.ensure_group()
        self._tasks = [asyncio.create_task(self._read_forever()),
                       asyncio.create_task(self._tick_forever())]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()

    async def ensure_group(self) -> None:
        with contextlib.suppress(ResponseError):  # BUSYGROUP: another process made it
            await self.redis.xgroup_create(signals.STREAM, signals.GROUP, id="0", mkstream=True)

    async def _read_forever(self) -> None:
        while True:
            try:
                await self.read_once(BLOCK_MS)
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError, SQLAlchemyError, HubError) as exc:
                log.warning("alert engine: %s; reading again in 1 s", exc)
                await asyncio.sleep(1)

    async def read_once(self, block_ms: int | None = None) -> int:
        """One batch from the group (entries left pending by a process that died too); the
        entries are acknowledged once their alerts are committed. Returns how many."""
        answer = await self.redis.xreadgroup(signals.GROUP, self.consumer,
                                             {signals.STREAM: ">"}, count=BATCH, block=block_ms)
        entries = [e for _stream, batch in answer or [] for e in batch]
        if not entries:
            entries = await self._claim()
        if entries:
            await self.handle(entries)
        return len(entries)

    async def _claim(self) -> list[Any]:
        found = await self.redis.xautoclaim(signals.STREAM, signals.GROUP, self.consumer,
                                            CLAIM_IDLE_MS, "0-0", count=BATCH)
        return [e for e in found[1] if e[1]]

    async def handle(self, entries: Sequence[tuple[Any, dict[Any, Any]]]) -> None:
        heard = []
        for _entry_id, fields in entries:
            try:
                heard.append(signals.parse(fields))
            except signals.BadEntry as exc:
                self.bad_entries += 1
                log.warning("alert engine: entry skipped: %s", exc)
        self.heard += len(heard)
        await self.alerts.hear(heard)
        await self.redis.xack(signals.STREAM, signals.GROUP, *[e[0] for e in entries])

    async def _tick_forever(self) -> None:
        while True:
            await asyncio.sleep(self.tick_seconds)
            try:
                if await self.redis.set(TICK_LOCK, self.consumer, nx=True,
                                        px=int(self.tick_seconds * 900)):
                    await self.alerts.tick()
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError, SQLAlchemyError, HubError) as exc:
                log.warning("alert engine: clock check failed: %s", exc)


async def raise_all(alerts: "Alerts", firings: Sequence[Firing]) -> list[int]:
    """Raise each firing in its own transaction; announce the new ones once committed."""
    runtime = alerts.runtime
    new: list[int] = []
    for firing in firings:
        title, message = await render(alerts.world, firing)
        try:
            async with runtime.sessions() as session, session.begin():
                raised = await raise_alert(session, firing, title, message)
        except Suppressed:
            continue
        if raised.new:
            new.append(raised.alert_id)
            async with runtime.sessions() as session:
                await events.announce(runtime.redis, raised.alert_id, "raised",
                                      await recipients(session, raised.alert_id))
    return new


async def escalate(alerts: "Alerts") -> list[int]:
    runtime = alerts.runtime
    async with runtime.sessions() as session, session.begin():
        done = await escalate_due(session, alerts.rules.by_id())
    async with runtime.sessions() as session:
        for alert_id in done:
            await events.announce(runtime.redis, alert_id, "escalated",
                                  await recipients(session, alert_id))
    return done


async def check_clock(alerts: "Alerts") -> list[int]:
    async with alerts.runtime.sessions() as session:
        firings = await periodic.check(session, alerts.world, alerts.rules.rules)
    return await raise_all(alerts, firings)


async def fire_on(alerts: "Alerts", heard: Sequence[signals.Heard]) -> list[int]:
    runtime = alerts.runtime
    buildings = await alerts.world.buildings([h.place_id for h in heard])
    async with runtime.sessions() as session, session.begin():
        stored = await signals.store(session, heard, buildings)
        firings = await evaluate.on_signals(session, alerts.world, alerts.rules.rules, stored)
    return await raise_all(alerts, firings)
