"""What the hub remembers of linking runs, in its own records DB: per-source watermarks, the
last run's report, and reviewers' decisions on candidate pairs (re-applied by every run)."""

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, UniqueConstraint, delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from hub.linking.report import LinkReport
from hub.records.db import Base

CHINA = timezone(timedelta(hours=8))
OVERLAP = timedelta(minutes=5)  # re-reading a little is harmless (linking is idempotent)
Sessions = async_sessionmaker[AsyncSession]


class LinkWatermark(Base):
    __tablename__ = "link_watermarks"
    source: Mapped[str] = mapped_column(String(200), primary_key=True)
    scanned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LinkRun(Base):
    __tablename__ = "link_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    finished_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    report: Mapped[dict[str, Any]] = mapped_column(JSON)


class LinkDecision(Base):
    """A reviewer's word on a candidate pair: the record `ref` is (merge) or is not (split)
    the person `person`."""

    __tablename__ = "link_decisions"
    __table_args__ = (UniqueConstraint("ref", "person"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ref: Mapped[str] = mapped_column(String(300))
    person: Mapped[str] = mapped_column(String(40))
    decision: Mapped[str] = mapped_column(String(10))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


async def watermarks(sessions: Sessions) -> dict[str, datetime | None]:
    """'connector/type' → time to scan from (China time, naive, as the departments store it)."""
    async with sessions() as session:
        rows = (await session.execute(select(LinkWatermark))).scalars().all()
    return {row.source: _source_time(row.scanned_at) for row in rows}


def _source_time(moment: datetime) -> datetime:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return (aware - OVERLAP).astimezone(CHINA).replace(tzinfo=None)


async def save_run(sessions: Sessions, report: LinkReport, started: datetime) -> None:
    """After a successful run: each scanned source's watermark, and the report."""
    async with sessions() as session, session.begin():
        for source in report.scanned:
            await session.merge(LinkWatermark(source=source, scanned_at=started))
        session.add(LinkRun(finished_at=datetime.now(UTC), report=report.as_dict()))


async def last_report(sessions: Sessions) -> dict[str, Any] | None:
    async with sessions() as session:
        row = (
            await session.execute(select(LinkRun).order_by(LinkRun.id.desc()).limit(1))
        ).scalar_one_or_none()
    return None if row is None else {**row.report, "finishedAt": row.finished_at.isoformat()}


async def decide(sessions: Sessions, ref: str, person: str, decision: str) -> None:
    """Record (or change) a decision; the next run and the graph both follow it."""
    async with sessions() as session, session.begin():
        await session.execute(
            delete(LinkDecision).where(LinkDecision.ref == ref, LinkDecision.person == person)
        )
        session.add(LinkDecision(ref=ref, person=person, decision=decision,
                                 decided_at=datetime.now(UTC)))


async def decisions(sessions: Sessions) -> list[tuple[str, str, str]]:
    async with sessions() as session:
        rows = (await session.execute(select(LinkDecision))).scalars().all()
    return [(row.ref, row.person, row.decision) for row in rows]


