"""Opinions stored without a place get one once the place index can place their address.

A hotline order whose address the index could not place is kept without a place (see
`imports`); so were all of them on a first start whose index had not loaded (a freshly booted
machine, before the fix of the index's clock). Placing them later is idempotent: only opinions
still without a place are read, in batches, and each gets the place and jurisdiction the
intake would have given it.
"""

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from hub.civic.places import PlaceRef
from hub.civic.records import Opinion

if TYPE_CHECKING:
    from hub.civic.service import Civic

BATCH = 500


@dataclass
class PlacingReport:
    examined: int = 0
    placed: int = 0

    def lines(self) -> list[str]:
        still = self.examined - self.placed
        return [f"examined {self.examined}, placed {self.placed}, still without a place {still}"]


def _place(opinion: Opinion, place: PlaceRef) -> None:
    opinion.place_id, opinion.place_name = place.id, place.name
    opinion.place_precision, opinion.jurisdiction = place.precision, place.jurisdiction


async def _batch(civic: "Civic", after: str, report: PlacingReport) -> str | None:
    """Places one batch of opinions with ids after `after`; the last id read, None if none."""
    async with civic.runtime.sessions() as session:
        rows = list(await session.scalars(
            select(Opinion)
            .where(Opinion.place_id.is_(None), Opinion.address.is_not(None), Opinion.id > after)
            .order_by(Opinion.id).limit(BATCH)
        ))
        for opinion in rows:
            place = await civic.places.resolve(opinion.address or "")
            if place is not None:
                _place(opinion, place)
                report.placed += 1
        await session.commit()
    report.examined += len(rows)
    return rows[-1].id if rows else None


async def place_unplaced(civic: "Civic", stopping: asyncio.Event | None = None) -> PlacingReport:
    """Gives each opinion without a place the place its address names, where now known;
    `stopping`: once set, no further batch is begun."""
    report = PlacingReport()
    after = await _batch(civic, "", report)
    while after is not None and not (stopping is not None and stopping.is_set()):
        after = await _batch(civic, after, report)
    if report.placed:
        civic.forget_backgrounds()  # the earlier months' counts per place have changed
    return report
