"""The demo's opinions import at `python app.py`: an import cut short goes on next start."""

import csv
from dataclasses import replace
from pathlib import Path

from sqlalchemy import func, select

from hub.civic import imports
from hub.civic.demo_seed import seed
from hub.civic.records import Opinion
from hub.linking.report import LinkReport
from hub.runtime import Runtime, open_runtime


async def test_an_import_cut_short_goes_on_and_adds_nothing_twice(
    runtime: Runtime, link_report: LinkReport, tmp_path: Path
) -> None:
    demo = runtime.settings.data_dir / "demo" / "opinions" / "opinions.csv"
    with demo.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    cut = tmp_path / "opinions.csv"  # what a first start stored before Ctrl-C
    with cut.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows[: len(rows) // 3])
    records = f"sqlite:///{tmp_path / 'hub.sqlite'}"  # not the session's opinions
    own = await open_runtime(replace(runtime.settings, demo=True, database_url=records))
    try:
        stored = (await imports.import_demo_opinions(own.civic, cut)).created
        assert stored > 0

        hotline, opinions = await seed(own)
        assert opinions.existing == stored
        assert opinions.created + stored + len(opinions.rejected) == len(rows)
        assert hotline.created > 0

        again = await seed(own)
        assert [r.created for r in again] == [0, 0]
        async with own.sessions() as session:
            count = await session.scalar(select(func.count()).select_from(Opinion))
        assert count == hotline.created + opinions.created + stored
    finally:
        await own.close()
