"""The access log as CSV, and page queries for auditors."""

import csv
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.audit.table import PAYLOAD, AccessEntry

COLUMNS = ["seq", *PAYLOAD, "prev_hash", "hash"]


@dataclass(frozen=True)
class LogFilter:
    principal: str | None = None
    decision: str | None = None
    since: str | None = None  # ISO 8601 UTC text, compared as stored
    until: str | None = None

    def apply(self, query: Select) -> Select:  # type: ignore[type-arg]
        if self.principal:
            query = query.where(AccessEntry.principal == self.principal)
        if self.decision:
            query = query.where(AccessEntry.decision == self.decision)
        if self.since:
            query = query.where(AccessEntry.at >= self.since)
        if self.until:
            query = query.where(AccessEntry.at < self.until)
        return query


async def page(
    sessions: async_sessionmaker[AsyncSession], where: LogFilter, after: int, limit: int
) -> tuple[list[AccessEntry], int]:
    """Entries after sequence number `after`, oldest first, and how many match in all."""
    async with sessions() as session:
        total = await session.scalar(where.apply(select(func.count()).select_from(AccessEntry)))
        rows = await session.scalars(
            where.apply(select(AccessEntry))
            .where(AccessEntry.seq > after)
            .order_by(AccessEntry.seq)
            .limit(limit)
        )
        return list(rows), int(total or 0)


async def csv_chunks(
    sessions: async_sessionmaker[AsyncSession], where: LogFilter, batch: int = 5000
) -> AsyncIterator[str]:
    """The matching entries as CSV text, header first, in chunks (for files and HTTP)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    columns = [getattr(AccessEntry, name) for name in COLUMNS]
    async with sessions() as session:
        result = await session.stream(
            where.apply(select(*columns))
            .order_by(AccessEntry.seq)
            .execution_options(yield_per=batch)
        )
        async for rows in result.partitions(batch):
            writer.writerows(rows)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.getvalue():
        yield buffer.getvalue()
