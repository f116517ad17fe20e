"""SQL department systems through a SQLAlchemy async engine (Core, declared columns)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from hub.errors import ConnectorError

from .base import (
    BaseConnector,
    Filters,
    Mapper,
    QueryPage,
    Record,
    round_trip,
)
from .config import ConnectorConfig, TypeConfig
from .convert import redact

MAX_IN = 1000
"""Keys per `IN (...)` list; a fetch of more keys takes one round-trip per chunk."""

_NOT_RETRIABLE = ("no such table", "no such column", "syntax error")


class SqlConnector(BaseConnector):
    kind = "sql"

    def __init__(self, config: ConnectorConfig, engine: AsyncEngine | None = None) -> None:
        super().__init__(config)
        # A file database has no connection to lose: the ping before each use would be an
        # extra round trip per fetch for nothing.
        ping = not config.url.startswith("sqlite")
        self.engine = engine or create_async_engine(config.url, pool_pre_ping=ping)
        self._tables = {t: _table(tc) for t, tc in config.types.items()}
        # Built once: a statement made per fetch, with its keys as literals, costs SQLAlchemy
        # a new cache key and coercion of every key each time (~0.3 ms per 100 keys).
        self._by_keys = {t: self._select_by_keys(t) for t in config.types}

    async def fetch(
        self, record_type: str, keys: Sequence[str]
    ) -> dict[str, Record | ConnectorError]:
        mapper = self.mapper(record_type)
        wanted = self.unique(keys)
        out: dict[str, Record | ConnectorError] = {}
        for start in range(0, len(wanted), MAX_IN):
            chunk = wanted[start : start + MAX_IN]
            rows = await self._rows(record_type, "fetch", self._by_keys[record_type], chunk)
            out.update(mapper.convert(rows))
        requested = set(wanted)
        return {k: v for k, v in out.items() if k in requested}

    async def _query(
        self, record_type: str, mapper: Mapper, prepared: Filters, offset: int, limit: int
    ) -> QueryPage:
        where = self._where(record_type, prepared)
        if limit == 0:
            return QueryPage([], await self._count(record_type, where))
        key = self._tables[record_type].c[mapper.tc.key]
        stmt = (
            self._select(record_type, sa.func.count().over().label("_total"))
            .where(*where)
            .order_by(key)
            .offset(offset)
            .limit(limit)
        )
        rows = await self._rows(record_type, "query", stmt)
        total = rows[0]["_total"] if rows else await self._count(record_type, where)
        converted = mapper.convert(rows)
        records = [v for v in converted.values() if not isinstance(v, ConnectorError)]
        errors = {k: v for k, v in converted.items() if isinstance(v, ConnectorError)}
        return QueryPage(records, int(total), errors)

    async def scan(
        self, record_type: str, since: datetime | None = None
    ) -> AsyncIterator[list[Record]]:
        """Keyset-paginated chunks in key order; `since` (inclusive) needs `updated`."""
        mapper, table = self.mapper(record_type), self._tables[record_type]
        key = table.c[mapper.tc.key]
        base = self._select(record_type).order_by(key).limit(self.config.scan_batch)
        if since is not None and mapper.tc.updated:
            base = base.where(table.c[mapper.tc.updated] >= since)
        last: Any = None
        while True:
            stmt = base if last is None else base.where(key > last)
            rows = await self._rows(record_type, "scan", stmt)
            if not rows:
                return
            last = rows[-1][mapper.tc.key]
            records = mapper.records_only(rows)
            if records:
                yield records
            if len(rows) < self.config.scan_batch:
                return

    async def close(self) -> None:
        await self.engine.dispose()

    # --- statements ----------------------------------------------------------------------

    def _select(self, record_type: str, *extra: sa.ColumnElement[Any]) -> sa.Select[Any]:
        table = self._tables[record_type]
        columns = [table.c[c] for c in self.mappers[record_type].columns()]
        return sa.select(*columns, *extra).select_from(table)

    def _select_by_keys(self, record_type: str) -> sa.Select[Any]:
        key = self._tables[record_type].c[self.mappers[record_type].tc.key]
        return self._select(record_type).where(key.in_(sa.bindparam("keys", expanding=True)))

    def _where(self, record_type: str, prepared: Filters) -> list[sa.ColumnElement[bool]]:
        table, tc = self._tables[record_type], self.mappers[record_type].tc
        where: list[sa.ColumnElement[bool]] = []
        for cond in prepared.conditions:
            column = table.c[cond.column]
            if isinstance(cond.value, tuple):
                where.append(column.in_(cond.value))
            elif cond.value is None:
                where.append(column.is_(None))
            else:
                where.append(column == cond.value)
        if prepared.prefixes is not None and tc.jurisdiction:
            code = table.c[tc.jurisdiction]
            likes = [code.like(_escape_like(p) + "%", escape="\\") for p in prepared.prefixes]
            where.append(sa.or_(*likes))
        return where

    async def _count(self, record_type: str, where: list[sa.ColumnElement[bool]]) -> int:
        table = self._tables[record_type]
        stmt = sa.select(sa.func.count().label("n")).select_from(table).where(*where)
        rows = await self._rows(record_type, "count", stmt)
        return int(rows[0]["n"])

    async def _rows(
        self, record_type: str, operation: str, stmt: sa.Executable, keys: Sequence[str] = ()
    ) -> list[Any]:
        """Run one statement (`keys` bound to its `keys` list, if it has one) as one counted
        round-trip; driver errors become ConnectorError."""
        timeout = self.admit(record_type)
        with round_trip(self.name, record_type, operation):
            try:
                async with asyncio.timeout(timeout):
                    async with self.engine.connect() as conn:
                        result = await conn.execute(stmt, {"keys": list(keys)} if keys else None)
                        columns = list(result.keys())
                        rows = [dict(zip(columns, row, strict=True)) for row in result.all()]
            except TimeoutError:
                self.breaker.failed()
                raise ConnectorError(
                    self.name, f"{record_type}: timed out after {timeout:.1f}s"
                ) from None
            except (SQLAlchemyError, OSError) as exc:
                error = self._driver_error(record_type, exc)
                if error.retriable:  # down or unreachable; a refused statement is an answer
                    self.breaker.failed()
                else:
                    self.breaker.succeeded()
                raise error from None
            except BaseException:
                self.breaker.failed()
                raise
        self.breaker.succeeded()
        return rows

    def _driver_error(self, record_type: str, exc: Exception) -> ConnectorError:
        orig = exc.orig if isinstance(exc, DBAPIError) else exc
        detail = redact(str(orig).splitlines()[0] if str(orig) else "")
        retriable = not any(m in detail.lower() for m in _NOT_RETRIABLE)
        if isinstance(exc, DBAPIError) and not isinstance(exc, sa.exc.OperationalError):
            retriable = bool(exc.connection_invalidated) or isinstance(exc, sa.exc.InterfaceError)
        name = type(orig).__name__  # the driver's text may name the server: the log's only
        return ConnectorError(
            self.name, f"{record_type}: {name}", retriable=retriable, detail=detail
        )


def _table(tc: TypeConfig) -> sa.TableClause:
    schema, _, name = tc.source.rpartition(".")
    columns = [tc.key, tc.jurisdiction, tc.updated, *tc.fields.values(), *tc.filters.values()]
    unique = dict.fromkeys(c for c in columns if c)
    return sa.table(name, *(sa.column(c) for c in unique), schema=schema or None)


def _escape_like(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
