"""Reading alerts, always through a `Reader`'s clause (the scope is in the SQL, never applied
to rows afterwards), and their evidence cut to what the caller's view may read."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.access.view import AccessView
from hub.alerts.access import Reader
from hub.alerts.records import Alert, Evidence, History, Recipient

STATUSES = ("raised", "acknowledged", "handled", "dismissed")


@dataclass(frozen=True)
class AlertFilter:
    status: Sequence[str] = ()
    rule: str | None = None
    place_id: str | None = None
    since: datetime | None = None


def _where(reader: Reader, wanted: AlertFilter) -> list[ColumnElement[bool]]:
    clauses = [reader.clause()]
    if wanted.status:
        clauses.append(Alert.status.in_(list(wanted.status)))
    if wanted.rule:
        clauses.append(Alert.rule == wanted.rule)
    if wanted.place_id:
        clauses.append(Alert.place_id == wanted.place_id)
    if wanted.since:
        clauses.append(Alert.raised_at >= wanted.since)
    return clauses


async def page(session: AsyncSession, reader: Reader, wanted: AlertFilter, offset: int,
               limit: int) -> tuple[list[Alert], int]:
    """Newest first; and how many there are in all, in the same scope."""
    where = _where(reader, wanted)
    rows = list(await session.scalars(select(Alert).where(*where)
                                      .order_by(Alert.raised_at.desc(), Alert.id.desc())
                                      .offset(offset).limit(limit)))
    total = await session.scalar(select(func.count()).select_from(Alert).where(*where))
    return rows, int(total or 0)


async def one(session: AsyncSession, reader: Reader, alert_id: int) -> Alert | None:
    """The alert when the reader stands for one of its recipients; None otherwise, exactly as
    for an id that does not exist."""
    return await session.scalar(select(Alert).where(Alert.id == alert_id, reader.clause()))


async def counts(session: AsyncSession, reader: Reader, wanted: AlertFilter) -> dict[str, int]:
    rows = await session.execute(select(Alert.status, func.count()).where(
        *_where(reader, wanted)).group_by(Alert.status))
    found = dict(rows.all())
    return {status: int(found.get(status, 0)) for status in STATUSES}


def _prefixed(column, prefixes: list[str] | None) -> ColumnElement[bool]:
    if prefixes is None:
        return column.is_not(None)
    if not prefixes:
        return false()
    return or_(*[column.startswith(p) for p in prefixes])


def evidence_clause(view: AccessView) -> ColumnElement[bool]:
    """Events where the caller reads events, people where it reads people, opinions where it
    reads opinions, counts and forecasts where it reads places."""
    def rows(kind: str) -> list[str] | None:
        if not view.readable(kind) or view.rows.ids(kind) is not None:
            return []
        return view.rows.prefixes(kind)

    opinions = view.where("civic.opinion", "read")
    return or_(
        and_(Evidence.kind == "event", _prefixed(Evidence.jurisdiction, rows("Event"))),
        and_(Evidence.kind == "person", _prefixed(Evidence.jurisdiction, rows("Person"))),
        and_(Evidence.kind == "opinion", _prefixed(
            Evidence.jurisdiction, None if opinions is None else list(opinions))),
        and_(Evidence.kind.in_(["count", "forecast"]),
             _prefixed(Evidence.jurisdiction, rows("Place"))),
    )


async def evidence(session: AsyncSession, view: AccessView, alert_ids: Sequence[int]
                   ) -> dict[int, list[Evidence]]:
    rows = await session.scalars(select(Evidence).where(
        Evidence.alert_id.in_(list(alert_ids)), evidence_clause(view))
        .order_by(Evidence.alert_id, Evidence.at.desc(), Evidence.id))
    found: dict[int, list[Evidence]] = {i: [] for i in alert_ids}
    for row in rows:
        found[row.alert_id].append(row)
    return found


async def history(session: AsyncSession, alert_ids: Sequence[int]) -> dict[int, list[History]]:
    rows = await session.scalars(select(History).where(History.alert_id.in_(list(alert_ids)))
                                 .order_by(History.alert_id, History.id))
    found: dict[int, list[History]] = {i: [] for i in alert_ids}
    for row in rows:
        found[row.alert_id].append(row)
    return found


async def recipients(session: AsyncSession, alert_id: int) -> list[tuple[str, str]]:
    rows = await session.execute(select(Recipient.role, Recipient.jurisdiction)
                                 .where(Recipient.alert_id == alert_id))
    return [(r, j) for r, j in rows.all()]
