"""Target-group sizes per community, counted live from the departments' records.

A group (data/modules.toml) is the records of one connector's record type matching its
conditions, or the graph's residents. One pass per source and street reads the records in
the jurisdiction (the scope is pushed to the department) and counts every group of that
source per community at once; the counts (never the records) are kept a few minutes.
"""

import asyncio
import time
from collections import Counter
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from hub import clock
from hub.errors import ConnectorError
from hub.services.config import Group, Vocabulary

if TYPE_CHECKING:
    from hub.runtime import Runtime

PAGE = 500
KEEP_SECONDS = 300.0
COMMUNITY = 12  # digits of a community code

Counts = dict[str, dict[str, int]]  # group code -> community code -> people


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def matches(group: Group, record: Mapping[str, Any], today: date) -> bool:
    if any(record.get(f) != v for f, v in group.equals.items()):
        return False
    if any(record.get(f) not in vs for f, vs in group.one_of.items()):
        return False
    if any(record.get(f) in (None, "") for f in group.present):
        return False
    for f, years in group.younger_than_years.items():
        born = record.get(f)
        if not isinstance(born, date) or born <= years_before(today, years):
            return False
    return True


class GroupCounter:
    def __init__(self, runtime: "Runtime", vocabulary: Vocabulary) -> None:
        self.runtime = runtime
        self.vocabulary = vocabulary
        self._kept: dict[str, tuple[float, Counts]] = {}
        self._running: dict[str, asyncio.Task[Counts]] = {}

    async def counts(self, prefix: str) -> Counts:
        """Every group's size per community under `prefix` (a street, a district, a community);
        callers asking for the same prefix at once share one pass over the departments."""
        kept = self._kept.get(prefix)
        if kept and time.monotonic() - kept[0] < KEEP_SECONDS:
            return kept[1]
        running = self._running.get(prefix)
        if running is None:
            running = asyncio.ensure_future(self._counts(prefix))
            self._running[prefix] = running
            running.add_done_callback(lambda _: self._running.pop(prefix, None))
        return await asyncio.shield(running)

    async def _counts(self, prefix: str) -> Counts:
        by_source: dict[str, list[Group]] = {}
        for group in self.vocabulary.groups.values():
            by_source.setdefault(group.source, []).append(group)
        parts = await asyncio.gather(*(self._count(source, groups, prefix)
                                       for source, groups in by_source.items()))
        counts: Counts = {}
        for part in parts:
            counts.update(part)
        self._kept[prefix] = (time.monotonic(), counts)
        return counts

    def forget(self) -> None:
        self._kept.clear()

    async def _count(self, source: str, groups: list[Group], prefix: str) -> Counts:
        if source == "graph":
            rows = await self.runtime.links.residents_by_community([prefix])
            return {g.code: {code: n for code, _, n in rows} for g in groups}
        connector_name, record_type = source.split("/", 1)
        connector = self.runtime.registry.get(connector_name)
        today = clock.now().date()
        tallies = {g.code: Counter[str]() for g in groups}
        offset = 0
        while True:
            page = await connector.query(record_type, {}, [prefix], offset, PAGE)
            for record in page.records:
                community = str(record.get("_jurisdiction") or "")[:COMMUNITY]
                for group in groups:
                    if matches(group, record, today):
                        tallies[group.code][community] += 1
            offset += PAGE
            if offset >= page.total or not page.records:
                break
        return {code: dict(tally) for code, tally in tallies.items()}


async def safe_counts(counter: GroupCounter, prefix: str) -> tuple[Counts, list[str]]:
    """Counts, or none and the department that failed (the catalogue shows without them)."""
    try:
        return await counter.counts(prefix), []
    except ConnectorError as exc:
        return {}, [exc.message]
