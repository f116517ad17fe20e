"""The demo's residents' voice (`python app.py`): a year of opinions and a proposed agenda.

Imports the demo's 12345 work orders and app/WeChat opinions in the background once the hub
answers: both imports are idempotent, so each start brings in what an earlier one did not
finish (Ctrl-C during the first run, say) and adds nothing twice. Council topics are proposed
from last month's hotspots when something new came in, or none was ever proposed, so the loop
is alive on first look.
"""

import asyncio
import logging
from datetime import datetime, timedelta

from sqlalchemy import exists, select

from hub.civic import imports
from hub.civic.intake import BatchReport
from hub.civic.periods import CST, month
from hub.civic.records import AgendaItem, Opinion
from hub.runtime import Runtime

log = logging.getLogger("hub.civic")
DEMO_STREET = "330105004"


def last_month() -> str:
    return (datetime.now(CST).replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


def start_seeding(runtime: Runtime) -> asyncio.Task[None] | None:
    """The demo's import as a task of the running hub (None outside the demo): cancel it on
    the way out; the next start goes on from what it stored."""
    demo = runtime.settings.data_dir / "demo" / "opinions" / "opinions.csv"
    if not runtime.settings.demo or not demo.exists():
        return None
    return asyncio.create_task(_seed(runtime), name="demo opinions")


async def stop_seeding(task: asyncio.Task[None] | None) -> None:
    if task is not None and not task.done():
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def _seed(runtime: Runtime) -> None:
    try:
        await seed(runtime)
    except asyncio.CancelledError:
        log.info("the demo's opinions import stopped; the next start goes on with it")
        raise
    except Exception:  # the hub serves on; the next start tries again
        log.exception("the demo's opinions import failed")


async def seed(runtime: Runtime) -> tuple[BatchReport, BatchReport]:
    """Brings in what is not stored yet; the hotline's report, then the opinions'."""
    demo = runtime.settings.data_dir / "demo" / "opinions" / "opinions.csv"
    if not await _any(runtime, Opinion):
        log.info("importing the demo's opinions and 12345 work orders (first run, ~15 s; "
                 "the hub answers meanwhile)")
    hotline = await imports.import_hotline(runtime.civic)
    opinions = await imports.import_demo_opinions(runtime.civic, demo)
    if hotline.created or opinions.created:
        log.info("12345 hotline: %s; app and WeChat: %s", hotline.lines()[0], opinions.lines()[0])
    if hotline.created or opinions.created or not await _any(runtime, AgendaItem):
        items = await runtime.civic.agenda.generate(DEMO_STREET, month(last_month()), 5)
        log.info("proposed %d council topics for %s", len(items), last_month())
    return hotline, opinions


async def _any(runtime: Runtime, table: type[Opinion] | type[AgendaItem]) -> bool:
    async with runtime.sessions() as session:
        return bool(await session.scalar(select(exists().select_from(table))))
