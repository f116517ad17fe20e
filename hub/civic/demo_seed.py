"""First start of the demo (`python app.py`): a year of opinions and a proposed agenda.

Imports the demo's 12345 work orders and app/WeChat opinions once (when no opinion is stored),
then proposes council topics from last month's hotspots, so the loop is alive on first look.
"""

import logging
from datetime import datetime, timedelta

from sqlalchemy import func, select

from hub.civic import imports
from hub.civic.periods import CST, month
from hub.civic.records import Opinion
from hub.runtime import Runtime

log = logging.getLogger("hub.civic")
DEMO_STREET = "330105004"


def last_month() -> str:
    return (datetime.now(CST).replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


async def seed_if_empty(runtime: Runtime) -> None:
    demo = runtime.settings.data_dir / "demo" / "opinions" / "opinions.csv"
    if not runtime.settings.demo or not demo.exists():
        return
    async with runtime.sessions() as session:
        if await session.scalar(select(func.count()).select_from(Opinion)):
            return
    log.info("importing the demo's opinions and 12345 work orders (first run, ~30 s)")
    hotline = await imports.import_hotline(runtime.civic)
    opinions = await imports.import_demo_opinions(runtime.civic, demo)
    log.info("12345 hotline: %s; app and WeChat: %s", hotline.lines()[0], opinions.lines()[0])
    items = await runtime.civic.agenda.generate(DEMO_STREET, month(last_month()), 5)
    log.info("proposed %d council topics for %s", len(items), last_month())
