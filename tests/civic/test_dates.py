"""Date-sensitive civic rules on fixed days: month ends, year ends, a leap day.

Each day gets the demo's opinions and hotline orders as generated on that day (the session's
world, so the session's places), its own records, and the hub's clock pinned to it.
"""

import csv
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path
from typing import NamedTuple

import pytest

from demo.generate import write_opinions
from hub import clock
from hub.civic.demo_seed import DEMO_STREET, seed
from hub.civic.intake import BatchReport
from hub.civic.periods import CST, Period, month, month_of
from hub.linking.report import LinkReport
from hub.runtime import Runtime, open_runtime
from tests.conftest import DEMO_RESIDENTS, DEMO_SEED

DAYS = [date(2026, 1, 31), date(2026, 2, 28), date(2026, 12, 31), date(2027, 1, 1),
        date(2024, 2, 29)]


def previous_label(day: date) -> str:
    """The month before `day`'s, by plain arithmetic."""
    year, number = (day.year - 1, 12) if day.month == 1 else (day.year, day.month - 1)
    return f"{year:04d}-{number:02d}"


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_last_month_at_month_and_year_ends(day: date) -> None:
    for hour in (0, 12, 23):
        at = datetime.combine(day, time(hour, 59, 59), CST)
        last = month_of(at).before(1)
        assert last.label == previous_label(day)
        assert last == month(previous_label(day))
        assert last.end == month_of(at).start
        assert last.start <= datetime.combine(last.start.date(), time(), CST) < last.end


class Dated(NamedTuple):
    runtime: Runtime
    day: date
    last: Period  # the month before `day`'s
    seeded: tuple[BatchReport, BatchReport] | None

    def demo(self, name: str) -> Path:
        return self.runtime.settings.data_dir / "demo" / "opinions" / name


@pytest.fixture(scope="module", params=DAYS, ids=str)
async def dated(
    request: pytest.FixtureRequest, runtime: Runtime, link_report: LinkReport,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Dated]:
    """A demo hub whose opinions were generated on `day` and seeded at 10:00 that day."""
    day: date = request.param
    root = tmp_path_factory.mktemp(f"dated-{day}")
    write_opinions(root, DEMO_SEED, DEMO_RESIDENTS, day)
    settings = replace(runtime.settings, data_dir=root, demo=True,
                       database_url=f"sqlite:///{root / 'hub.sqlite'}")
    with clock.pinned(datetime.combine(day, time(10), CST)):
        own = await open_runtime(settings)
        try:
            yield Dated(own, day, month(previous_label(day)), await seed(own))
        finally:
            await own.close()


def _received(path: Path, label: str) -> int:
    """Opinions the demo file says were received in month `label` (times carry +08:00)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return sum(1 for row in csv.DictReader(handle) if row["created_at"].startswith(label))


def _planted(path: Path, label: str) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [r for r in csv.DictReader(handle) if r["month"] == label and r["kind"] == "planted"]


async def test_the_demo_proposes_last_months_topics(dated: Dated) -> None:
    assert dated.seeded is not None and not dated.seeded[1].rejected
    topics = await dated.runtime.civic.agenda.generate(DEMO_STREET, dated.last, 5)
    assert topics and all(t.period_start == dated.last.start for t in topics)


async def test_kpis_count_the_month_s_opinions(dated: Dated) -> None:
    kpis = await dated.runtime.civic.kpis(DEMO_STREET, dated.last)
    app_opinions = _received(dated.demo("opinions.csv"), dated.last.label)
    assert kpis.received >= app_opinions > 0
    assert 0 < kpis.responded <= kpis.received and kpis.rated <= kpis.closed


async def test_hotspots_come_with_evidence(dated: Dated) -> None:
    spots = await dated.runtime.civic.hotspots(DEMO_STREET, dated.last, 10)
    assert spots and all(s.score >= 10 and s.opinion_ids and s.places for s in spots)


async def test_a_planted_burst_is_a_hotspot_at_its_building(dated: Dated) -> None:
    planted = _planted(dated.demo("hotspots_truth.csv"), dated.last.label)
    assert planted, "the demo plants bursts in every full month"
    spots = await dated.runtime.civic.hotspots(DEMO_STREET, dated.last, 10)
    found = [s for s in spots for b in planted
             if s.place_name == b["estate"] + b["building_no"]
             and any(word in topic for word in b["keywords"].split() for topic in s.keywords)]
    assert found and all(s.count >= 8 and s.growth > 0 for s in found)
