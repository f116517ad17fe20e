"""CSV-export department systems: each file is read once, indexed by key, and re-read when
its modification time or size changes. Queries run in memory: for a file export that is the
honest push-down. Only reading a file counts as a source round-trip (operation `load`)."""

from __future__ import annotations

import asyncio
import csv
import logging
import os
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from hub.errors import ConnectorError
from hub.standard import FieldType

from .base import (
    BaseConnector,
    Condition,
    Filters,
    Mapper,
    QueryPage,
    Record,
    in_scope,
    round_trip,
)
from .config import JURISDICTION, ConnectorConfig
from .convert import at_or_after, convert_value

log = logging.getLogger("connectors.file")

Version = tuple[Any, ...]


@dataclass
class _Index:
    version: Version
    items: dict[str, Record | ConnectorError]
    order: list[str]
    updated: dict[str, datetime | None] = field(default_factory=dict)

    def records(self) -> list[Record]:
        return [r for k in self.order if not isinstance(r := self.items[k], ConnectorError)]


def _csv_get(row: Mapping[str, Any], column: str) -> Any:
    value = row.get(column)
    return None if value == "" else value


class FileConnector(BaseConnector):
    kind = "file"

    def __init__(self, config: ConnectorConfig) -> None:
        super().__init__(config, _csv_get)
        self.directory = Path(config.url)
        self._indexes: dict[str, _Index] = {}
        self._lock = asyncio.Lock()

    async def fetch(
        self, record_type: str, keys: Sequence[str]
    ) -> dict[str, Record | ConnectorError]:
        index = await self._index(record_type)
        found = {k: index.items[k] for k in self.unique(keys) if k in index.items}
        return {k: v if isinstance(v, ConnectorError) else dict(v) for k, v in found.items()}

    async def _query(
        self, record_type: str, mapper: Mapper, prepared: Filters, offset: int, limit: int
    ) -> QueryPage:
        index = await self._index(record_type)
        matching = [r for r in index.records() if _matches(r, prepared)]
        return QueryPage([dict(r) for r in matching[offset : offset + limit]], len(matching))

    async def scan(
        self, record_type: str, since: datetime | None = None
    ) -> AsyncIterator[list[Record]]:
        """Chunks in key order; `since` (inclusive) needs `updated`, else every row comes."""
        index = await self._index(record_type)
        records = index.records()
        if since is not None and self.mapper(record_type).tc.updated:
            records = [r for r in records if at_or_after(index.updated.get(r["_key"]), since)]
        size = self.config.scan_batch
        for start in range(0, len(records), size):
            yield [dict(r) for r in records[start : start + size]]

    # --- loading -------------------------------------------------------------------------

    async def _index(self, record_type: str) -> _Index:
        self.mapper(record_type)
        async with self._lock:
            return await self._ensure(record_type)

    async def _ensure(self, record_type: str) -> _Index:
        parent_type = self._parent_type(record_type)
        parent = await self._ensure(parent_type) if parent_type else None
        version: Version = (self._stat(record_type), parent.version if parent else None)
        cached = self._indexes.get(record_type)
        if cached is not None and cached.version == version:
            return cached
        rows = await self._load(record_type)
        index = self._build(record_type, version, rows, parent)
        self._indexes[record_type] = index
        return index

    def _parent_type(self, record_type: str) -> str | None:
        tc = self.mappers[record_type].tc
        return tc.refs[tc.jurisdiction_via] if tc.jurisdiction_via else None

    def _path(self, record_type: str) -> Path:
        return self.directory / self.mappers[record_type].tc.source

    def _stat(self, record_type: str) -> tuple[int, int]:
        try:
            stat = os.stat(self._path(record_type))
        except OSError as exc:
            raise self._missing(record_type, exc) from None
        return stat.st_mtime_ns, stat.st_size

    async def _load(self, record_type: str) -> list[dict[str, str]]:
        mapper = self.mappers[record_type]
        needed = [*mapper.columns(), *([mapper.tc.updated] if mapper.tc.updated else [])]
        with round_trip(self.name, record_type, "load"):
            try:
                header, rows = await asyncio.to_thread(_read_csv, self._path(record_type))
            except OSError as exc:
                raise self._missing(record_type, exc) from None
            except (UnicodeDecodeError, csv.Error) as exc:
                raise ConnectorError(
                    self.name,
                    f"{record_type}: {mapper.tc.source} is not UTF-8 CSV ({type(exc).__name__})",
                    retriable=False,
                ) from None
        missing = [c for c in needed if c not in header]
        if missing:
            raise ConnectorError(
                self.name,
                f"{record_type}: {mapper.tc.source} has no column {missing[0]!r}",
                retriable=False,
            )
        return rows

    def _build(
        self, record_type: str, version: Version, rows: list[dict[str, str]], parent: _Index | None
    ) -> _Index:
        mapper = self.mappers[record_type]
        items = mapper.convert(rows)
        if len(items) < len(rows):
            log.warning(
                "%s/%s: %d rows without key or with a duplicate key",
                self.name,
                record_type,
                len(rows) - len(items),
            )
        if parent is not None and mapper.tc.jurisdiction_via:
            _inherit_jurisdiction(items, mapper.tc.jurisdiction_via, parent)
        index = _Index(version, items, sorted(items))
        if mapper.tc.updated:
            index.updated = _updated_values(rows, mapper.tc.key, mapper.tc.updated)
        return index

    def _missing(self, record_type: str, exc: OSError) -> ConnectorError:
        source = self.mappers[record_type].tc.source
        return ConnectorError(
            self.name, f"{record_type}: cannot read {source} ({type(exc).__name__})"
        )


def _read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def _inherit_jurisdiction(
    items: dict[str, Record | ConnectorError], ref: str, parent: _Index
) -> None:
    for record in items.values():
        if isinstance(record, ConnectorError):
            continue
        target = parent.items.get(record.get(ref) or "")
        if target is not None and not isinstance(target, ConnectorError):
            record[JURISDICTION] = target[JURISDICTION]


def _updated_values(
    rows: list[dict[str, str]], key: str, column: str
) -> dict[str, datetime | None]:
    out: dict[str, datetime | None] = {}
    for row in rows:
        try:
            out[row[key]] = convert_value(_csv_get(row, column), FieldType.DATETIME)
        except ValueError:
            out[row[key]] = None
    return out


def _matches(record: Record, prepared: Filters) -> bool:
    return in_scope(record, prepared.prefixes) and all(
        _holds(record, c) for c in prepared.conditions
    )


def _holds(record: Record, cond: Condition) -> bool:
    value = record.get(cond.field)
    return value in cond.value if isinstance(cond.value, tuple) else value == cond.value
