"""The demo's opinions import at `python app.py`: stopped or cut short, it goes on next start."""

import asyncio
import csv
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hub.civic import imports
from hub.civic.demo_seed import seed
from hub.civic.records import AgendaItem, Opinion
from hub.linking.report import LinkReport
from hub.runtime import Runtime, open_runtime


@pytest.fixture
async def own(runtime: Runtime, link_report: LinkReport, tmp_path: Path) -> AsyncIterator[Runtime]:
    """A demo hub over the session's graph and departments, with its own records."""
    records = f"sqlite:///{tmp_path / 'hub.sqlite'}"
    own = await open_runtime(replace(runtime.settings, demo=True, database_url=records))
    yield own
    await own.close()


async def _count(runtime: Runtime, table: type[Opinion] | type[AgendaItem]) -> int:
    async with runtime.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(table)) or 0)


class _AfterOneBatch(asyncio.Event):
    """Ctrl-C while the first batch is being stored."""

    def __init__(self) -> None:
        super().__init__()
        self.asked = 0

    def is_set(self) -> bool:
        self.asked += 1
        return self.asked > 1


async def test_a_stopped_import_keeps_whole_batches_and_the_next_start_finishes_it(
    own: Runtime,
) -> None:
    reports = await seed(own, _AfterOneBatch())
    assert reports is not None
    first = reports[0].created + reports[1].created
    assert first == min(imports.BATCH, await imports.hotline_orders(own.civic))
    assert await _count(own, Opinion) == first

    finished = await seed(own)
    assert finished is not None
    hotline, opinions = finished
    assert hotline.existing + opinions.existing == first
    assert await _count(own, Opinion) == first + hotline.created + opinions.created


async def test_an_import_cut_short_goes_on_and_adds_nothing_twice(
    own: Runtime, tmp_path: Path
) -> None:
    demo = own.settings.data_dir / "demo" / "opinions" / "opinions.csv"
    with demo.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    cut = tmp_path / "opinions.csv"  # what a first start stored before Ctrl-C
    with cut.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows[: len(rows) // 3])
    stored = (await imports.import_demo_opinions(own.civic, cut)).created
    assert stored > 0

    reports = await seed(own)
    assert reports is not None
    hotline, opinions = reports
    assert opinions.existing == stored
    assert opinions.created + stored + len(opinions.rejected) == len(rows)
    assert hotline.created > 0
    count = await _count(own, Opinion)
    assert count == hotline.created + opinions.created + stored

    assert await _count(own, AgendaItem) > 0  # last month's topics were proposed
    assert await seed(own) is None  # finished: nothing read again, nothing added
    assert await _count(own, Opinion) == count
