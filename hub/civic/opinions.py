"""Reading opinions: by id, by author, by jurisdiction and period, and as hotspot rows."""

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Select, and_, false, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from hub.civic.hotspots import Row
from hub.civic.periods import Period
from hub.civic.records import Correction, Opinion, Response
from hub.civic.similar import grams
from hub.errors import BadInput, ErrorCode

_HOTSPOT_COLUMNS = (
    Opinion.id,
    Opinion.keywords,
    Opinion.place_id,
    Opinion.place_name,
    Opinion.category,
    Opinion.simhash,
    Opinion.created_at,
    Opinion.jurisdiction,
    Opinion.text,
)


def in_scope(
    statement: Select, prefixes: Sequence[str] | None, column: Any = Opinion.jurisdiction
) -> Select:
    """Row scope pushed into SQL (None: every row; [] none): codes nest by prefix, and digits
    sort before '~'. `column`: the jurisdiction judged (an opinion's, by default)."""
    if prefixes is None:
        return statement
    ranges = [and_(column >= p, column < p + "~") if p else true() for p in prefixes]
    return statement.where(or_(false(), *ranges))


def in_period(statement: Select, period: Period) -> Select:
    return statement.where(Opinion.created_at >= period.start, Opinion.created_at < period.end)


async def get(session: AsyncSession, opinion_id: str) -> Opinion:
    found = await session.get(Opinion, opinion_id)
    if found is None:
        raise BadInput(f"opinion {opinion_id[:40]} not found", ErrorCode.NOT_FOUND)
    return found


async def many(session: AsyncSession, ids: Sequence[str]) -> dict[str, Opinion]:
    rows = await session.scalars(select(Opinion).where(Opinion.id.in_(list(ids))))
    return {row.id: row for row in rows}


async def hotspot_rows(
    session: AsyncSession,
    prefix: str,
    period: Period,
    topics: Callable[[Sequence[str]], tuple[str, ...]] | None = None,
) -> list[Row]:
    """Rows for hotspot detection; `topics` picks what is counted of an opinion's keywords
    (TextAnalyzer.topic_terms: its concepts, else its taxonomy words), unless staff named
    its topic (a correction, or an opinion attached to a hotspot by hand)."""
    statement = select(*_HOTSPOT_COLUMNS, Correction.topic).outerjoin(
        Correction, Correction.opinion_id == Opinion.id)
    result = await session.execute(in_period(in_scope(statement, [prefix]), period))
    rows = []
    for i, k, p, n, c, s, at, area, text, named in result.all():
        terms = tuple(k.split())
        units = (named,) if named else topics(terms) if topics else None
        # A staff-named topic is what it is; otherwise its wording counts too (hub.civic.similar).
        rows.append(Row(i, terms, p, n, c, s, at.timestamp(), area, units,
                        () if named else grams(text, n)))
    return rows


async def page(
    session: AsyncSession,
    prefixes: Sequence[str] | None,
    period: Period | None,
    filters: dict[str, str | None],
    offset: int,
    limit: int,
) -> tuple[list[Opinion], int]:
    """Newest first; filters on status, category, channel and place are exact."""
    statement = in_scope(select(Opinion), prefixes)
    if period:
        statement = in_period(statement, period)
    for name, value in filters.items():
        if value is not None:
            statement = statement.where(getattr(Opinion, name) == value)
    total = await session.scalar(select(func.count()).select_from(statement.subquery()))
    rows = await session.scalars(
        statement.order_by(Opinion.created_at.desc(), Opinion.id).offset(offset).limit(limit)
    )
    return list(rows), int(total or 0)


async def by_authors(
    session: AsyncSession, author_keys: Sequence[str], offset: int, limit: int
) -> tuple[list[Opinion], int]:
    """An author's opinions from every channel, newest first."""
    statement = select(Opinion).where(Opinion.author_key.in_(list(author_keys)))
    total = await session.scalar(select(func.count()).select_from(statement.subquery()))
    rows = await session.scalars(
        statement.order_by(Opinion.created_at.desc(), Opinion.id).offset(offset).limit(limit)
    )
    return list(rows), int(total or 0)


async def responses(session: AsyncSession, ids: Sequence[str]) -> dict[str, list[Response]]:
    rows = await session.scalars(
        select(Response)
        .where(Response.opinion_id.in_(list(ids)))
        .order_by(Response.created_at, Response.id)
    )
    found: dict[str, list[Response]] = {i: [] for i in ids}
    for row in rows:
        found[row.opinion_id].append(row)
    return found
