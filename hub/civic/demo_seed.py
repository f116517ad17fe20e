"""The demo's residents' voice (`python app.py`): a year of opinions and a proposed agenda.

Imports the demo's 12345 work orders and app/WeChat opinions in the background once the hub
answers. Both imports are idempotent, so a start goes on with what an earlier one did not
finish (Ctrl-C during the first run, say) and adds nothing twice; a finished import is told
by its counts and costs a start nothing. App opinions refused (an unknown place) are not
stored, so not counted: the next start tries them again. Hotline orders are stored even
without a place, so each start first gives those it can now place their place (`placing`):
a first start whose place index knew no places is repaired by the next. Council topics are
proposed from last month's hotspots after an import or such a repair, or while none was ever
proposed, so the loop is alive on first look. With several hub processes
(`hub serve --workers`), one holds a lock in Redis and imports; the others leave it to her.
"""

import asyncio
import contextlib
import logging
from pathlib import Path

from redis.asyncio.lock import Lock
from redis.exceptions import LockError, RedisError
from sqlalchemy import exists, func, select

from hub import clock
from hub.civic import imports, placing
from hub.civic.intake import BatchReport
from hub.civic.periods import month_of
from hub.civic.records import AgendaItem, Opinion
from hub.runtime import Runtime

log = logging.getLogger("hub.civic")
DEMO_STREET = "330105004"
LOCK = "hub:civic:demo-seeding"
LOCK_SECONDS = 60  # held while the importer lives: renewed every third of it


def _demo_file(runtime: Runtime) -> Path:
    return runtime.settings.data_dir / "demo" / "opinions" / "opinions.csv"


class DemoSeeding:
    """The import as a task of the running hub. `stop` lets the batch being stored finish
    (a cancelled database call could leave its connection half-returned) and ends it."""

    def __init__(self, runtime: Runtime) -> None:
        self.stopping = asyncio.Event()
        self.task = asyncio.create_task(self._run(runtime), name="demo opinions")

    async def _run(self, runtime: Runtime) -> None:
        lock = runtime.redis.lock(LOCK, timeout=LOCK_SECONDS, blocking=False)
        try:
            if not await lock.acquire():
                return  # another hub process imports
        except RedisError:
            log.warning("the demo's opinions import waits for the next start: Redis unavailable")
            return
        renewing = asyncio.create_task(_renew(lock, self.stopping))
        try:
            await seed(runtime, self.stopping)
        except Exception:  # the hub serves on; the next start tries again
            log.exception("the demo's opinions import failed")
        finally:
            renewing.cancel()
            with contextlib.suppress(RedisError, LockError):
                await lock.release()
        if self.stopping.is_set():
            log.info("the demo's opinions import stopped; the next start goes on with it")

    async def stop(self) -> None:
        self.stopping.set()
        await self.task


async def _renew(lock: Lock, stopping: asyncio.Event) -> None:
    while not stopping.is_set():
        await asyncio.sleep(LOCK_SECONDS / 3)
        with contextlib.suppress(RedisError, LockError):
            await lock.reacquire()


def start_seeding(runtime: Runtime) -> DemoSeeding | None:
    """None outside the demo."""
    if not runtime.settings.demo or not _demo_file(runtime).exists():
        return None
    return DemoSeeding(runtime)


async def stop_seeding(seeding: DemoSeeding | None) -> None:
    if seeding is not None:
        await seeding.stop()


async def seed(
    runtime: Runtime, stopping: asyncio.Event | None = None
) -> tuple[BatchReport, BatchReport] | None:
    """Places what an earlier start stored without a place, brings in what is not stored yet:
    the hotline's report, then the opinions'; None when nothing was placed, both imports had
    finished and topics were proposed."""
    placed = await placing.place_unplaced(runtime.civic, stopping)
    if placed.placed:
        log.info("opinions without a place: %s", placed.lines()[0])
    demo = _demo_file(runtime)
    stored = await _stored(runtime)
    finished = (stored.get("hotline", 0) >= await imports.hotline_orders(runtime.civic)
                and stored.get("demo", 0) >= imports.demo_opinions(demo))
    if finished and not placed.placed and await _any_topic(runtime):
        return None
    hotline = opinions = BatchReport()
    if not finished:
        if not stored:
            log.info("importing the demo's opinions and 12345 work orders (first run, ~15 s; "
                     "the hub answers meanwhile)")
        hotline = await imports.import_hotline(runtime.civic, stopping=stopping)
        opinions = await imports.import_demo_opinions(runtime.civic, demo, stopping)
        log.info("12345 hotline: %s; app and WeChat: %s", hotline.lines()[0], opinions.lines()[0])
        if stopping is not None and stopping.is_set():
            return hotline, opinions
    last = month_of(clock.now()).before(1)
    items = await runtime.civic.agenda.generate(DEMO_STREET, last, 5)
    log.info("proposed %d council topics for %s", len(items), last.label)
    return hotline, opinions


async def _stored(runtime: Runtime) -> dict[str, int]:
    """Opinions stored per import (the hotline's, the demo file's)."""
    async with runtime.sessions() as session:
        rows = await session.execute(
            select(Opinion.idem_scope, func.count())
            .where(Opinion.idem_scope.in_(("hotline", "demo")))
            .group_by(Opinion.idem_scope)
        )
        return {scope: int(count) for scope, count in rows.all()}


async def _any_topic(runtime: Runtime) -> bool:
    async with runtime.sessions() as session:
        return bool(await session.scalar(select(exists().select_from(AgendaItem))))
