"""The connector protocol, records, row mapping, filters/scope helpers and metrics."""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from prometheus_client import Counter, Histogram

from hub import deadline, tracing
from hub.errors import BadInput, ConnectorError, ErrorCode, MalformedRecord

from .breaker import Breaker
from .config import JURISDICTION, ConnectorConfig, TypeConfig
from .convert import convert_value, exact_type, redact

log = logging.getLogger("connectors")

Record = dict[str, Any]
"""Standard field names -> values, plus `_key` and `_jurisdiction`."""

KEY = "_key"


@dataclass
class QueryPage:
    records: list[Record]
    total: int
    errors: dict[str, ConnectorError] = field(default_factory=dict)
    """Rows of this page that did not fit the mapping, by key (not in `records`)."""


@runtime_checkable
class Connector(Protocol):
    name: str
    config: ConnectorConfig

    async def fetch(
        self, record_type: str, keys: Sequence[str]
    ) -> dict[str, Record | ConnectorError]: ...

    async def query(
        self,
        record_type: str,
        filters: Mapping[str, object],
        scope: Sequence[str] | None,
        offset: int,
        limit: int,
    ) -> QueryPage: ...

    def scan(
        self, record_type: str, since: datetime | None = None
    ) -> AsyncIterator[list[Record]]: ...

    async def close(self) -> None: ...


# --- metrics -------------------------------------------------------------------------------

REQUESTS = Counter(
    "hub_connector_requests_total",
    "Round-trips to department systems.",
    ["connector", "record_type", "operation"],
)
LATENCY = Histogram(
    "hub_connector_latency_seconds",
    "Latency of round-trips to department systems.",
    ["connector", "operation"],
)
MALFORMED = Counter(
    "hub_connector_malformed_records_total",
    "Source rows skipped by scan because they do not fit the mapping.",
    ["connector", "record_type"],
)


@contextmanager
def round_trip(connector: str, record_type: str, operation: str) -> Iterator[None]:
    """Count one real round-trip to a source and observe its latency (failures included)."""
    REQUESTS.labels(connector, record_type, operation).inc()
    started = time.perf_counter()
    try:
        with tracing.span(f"department {connector} {operation}", **{
            "hub.department": connector, "hub.record_type": record_type,
            "hub.operation": operation,
        }):
            yield
    finally:
        LATENCY.labels(connector, operation).observe(time.perf_counter() - started)


def round_trips(
    connector: str | None = None, record_type: str | None = None, operation: str | None = None
) -> int:
    """Round-trips counted so far, summed over the labels left as None (for tests and bench)."""
    wanted = {"connector": connector, "record_type": record_type, "operation": operation}
    total = 0.0
    for metric in REQUESTS.collect():
        for sample in metric.samples:
            if not sample.name.endswith("_total"):
                continue
            if all(v is None or sample.labels.get(k) == v for k, v in wanted.items()):
                total += sample.value
    return int(total)


# --- row -> record -------------------------------------------------------------------------

Getter = Callable[[Mapping[str, Any], str], Any]


def plain_get(row: Mapping[str, Any], column: str) -> Any:
    return row.get(column)


class Mapper:
    """Turns source rows of one record type into standard records."""

    def __init__(self, connector: str, record_type: str, tc: TypeConfig, get: Getter = plain_get):
        self.connector, self.record_type, self.tc, self.get = connector, record_type, tc, get
        self.constants = {f: convert_value(v, tc.field_type(f)) for f, v in tc.constants.items()}
        self._fields = [
            (name, column, tc.field_type(name), exact_type(tc.field_type(name)))
            for name, column in tc.fields.items()
        ]

    def columns(self) -> list[str]:
        """Source columns to read: key, jurisdiction, mapped fields (no duplicates)."""
        wanted = [self.tc.key, self.tc.jurisdiction, *self.tc.fields.values()]
        return list(dict.fromkeys(c for c in wanted if c))

    def key_of(self, row: Mapping[str, Any]) -> str | None:
        value = self.get(row, self.tc.key)
        return None if value is None or value == "" else str(value)

    def to_record(self, row: Mapping[str, Any]) -> Record:
        """Map one row; raises MalformedRecord naming connector, type, key and field."""
        key = self.key_of(row)
        if key is None:
            raise self.malformed("?", self.tc.key, "row without a key")
        record: Record = {KEY: key, JURISDICTION: self._jurisdiction(row, key)}
        get = self.get
        for name, column, field_type, exact in self._fields:
            value = get(row, column)
            if value is None or type(value) is exact:  # most values: already of their type
                record[name] = value
                continue
            try:
                record[name] = convert_value(value, field_type)
            except ValueError as exc:
                raise self.malformed(key, name, str(exc)) from None
        record.update(self.constants)
        return record

    def convert(self, rows: Sequence[Mapping[str, Any]]) -> dict[str, Record | ConnectorError]:
        """Map many rows by key; a row that does not fit fails only its own key."""
        out: dict[str, Record | ConnectorError] = {}
        for row in rows:
            key = self.key_of(row)
            if key is None:
                continue
            try:
                out[key] = self.to_record(row)
            except MalformedRecord as exc:
                out[key] = exc
        return out

    def records_only(self, rows: Sequence[Mapping[str, Any]]) -> list[Record]:
        """Map rows for scan: malformed ones are logged, counted and skipped."""
        records: list[Record] = []
        for item in self.convert(rows).values():
            if isinstance(item, ConnectorError):
                MALFORMED.labels(self.connector, self.record_type).inc()
                log.warning("skipping malformed row: %s", item.message)
            else:
                records.append(item)
        return records

    def malformed(self, key: str, field_name: str, why: str) -> MalformedRecord:
        where = f"{self.record_type} {redact(key)}: field {field_name}"
        return MalformedRecord(self.connector, f"{where}: {why}")

    def _jurisdiction(self, row: Mapping[str, Any], key: str) -> str | None:
        if self.tc.jurisdiction is None:
            return None
        value = self.get(row, self.tc.jurisdiction)
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise self.malformed(key, JURISDICTION, f"expected a code, got {type(value).__name__}")
        return str(value)


# --- filters and scope ---------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """Equality on a standard field, pushed to `column`; a tuple value means IN."""

    field: str
    column: str
    value: Any


@dataclass(frozen=True)
class Filters:
    conditions: list[Condition]
    prefixes: list[str] | None
    """Effective jurisdiction prefixes (scope ∩ `_jurisdiction` filter); None = unscoped."""

    @property
    def empty(self) -> bool:
        """True when nothing can match (empty scope or an empty IN list)."""
        no_values = any(isinstance(c.value, tuple) and not c.value for c in self.conditions)
        return no_values or self.prefixes == []


def prepare_filters(
    connector: str, tc: TypeConfig, filters: Mapping[str, object], scope: Sequence[str] | None
) -> Filters:
    """Check filters against the type's `filters` table and cast their values."""
    conditions: list[Condition] = []
    prefix: str | None = None
    for name, value in filters.items():
        if name == JURISDICTION:
            if not isinstance(value, str):
                raise BadInput(
                    f"{connector}: {JURISDICTION} filter must be a code prefix",
                    code=ErrorCode.BAD_FILTER,
                )
            prefix = value
            continue
        column = _filter_column(connector, tc, name)
        conditions.append(Condition(name, column, _filter_value(connector, tc, name, value)))
    return Filters(conditions, effective_scope(scope, prefix))


def filter_columns(kind: str, tc: TypeConfig) -> dict[str, str]:
    """Standard field -> column usable in a filter (sql/file: also `_jurisdiction`)."""
    columns = dict(tc.filters)
    if kind != "rest" and (tc.jurisdiction or tc.jurisdiction_via):
        columns[JURISDICTION] = tc.jurisdiction or JURISDICTION
    return columns


def _filter_column(connector: str, tc: TypeConfig, name: str) -> str:
    if name not in tc.filters:
        allowed = ", ".join(sorted(tc.filters)) or "none"
        raise BadInput(
            f"{connector}: cannot filter {tc.entity.value} on {name!r} (filterable: {allowed})",
            code=ErrorCode.BAD_FILTER,
        )
    return tc.filters[name]


def _filter_value(connector: str, tc: TypeConfig, name: str, value: object) -> Any:
    field_type = tc.field_type(name)
    try:
        if isinstance(value, list | tuple | set | frozenset):
            return tuple(convert_value(v, field_type) for v in value)
        return convert_value(value, field_type)
    except ValueError as exc:
        raise BadInput(f"{connector}: filter {name}: {exc}", code=ErrorCode.BAD_FILTER) from None


def effective_scope(scope: Sequence[str] | None, prefix: str | None) -> list[str] | None:
    """Intersect scope prefixes with a jurisdiction prefix filter; drop covered prefixes."""
    prefixes = None if scope is None else list(scope)
    if prefix is not None:
        if prefixes is None:
            prefixes = [prefix]
        else:
            prefixes = [
                max(p, prefix, key=len)
                for p in prefixes
                if p.startswith(prefix) or prefix.startswith(p)
            ]
    if prefixes is None:
        return None
    minimal: list[str] = []
    for p in sorted(set(prefixes)):
        if not any(p.startswith(q) for q in minimal):
            minimal.append(p)
    return minimal


def in_scope(record: Record, prefixes: list[str] | None) -> bool:
    if prefixes is None:
        return True
    code = record.get(JURISDICTION)
    return isinstance(code, str) and any(code.startswith(p) for p in prefixes)


def check_page(connector: str, offset: int, limit: int) -> None:
    if offset < 0 or limit < 0:
        raise BadInput(f"{connector}: offset and limit must be >= 0", code=ErrorCode.BAD_PAGE)


# --- shared connector skeleton -------------------------------------------------------------


class BaseConnector(ABC):
    """Holds config and mappers; subclasses implement the source round-trips."""

    def __init__(self, config: ConnectorConfig, get: Getter = plain_get) -> None:
        self.name = config.name
        self.config = config
        self.mappers = {t: Mapper(config.name, t, tc, get) for t, tc in config.types.items()}
        self.breaker = Breaker(config.name)

    def admit(self, record_type: str, retry: bool = False) -> float:
        """The time one round-trip may take: the connector's timeout cut to what is left of
        the request's deadline. Fails at once past the deadline, or while the breaker is open
        (asked before a call's first try only: its retries, within the deadline, go ahead)."""
        timeout = deadline.budget(self.config.timeout)
        if timeout <= 0:
            raise ConnectorError(self.name, f"{record_type}: no answer within the deadline")
        if not retry and not self.breaker.allow():
            raise ConnectorError(
                self.name, f"{record_type}: unavailable (not answering; retried shortly)",
                retriable=False,
            )
        return timeout

    def mapper(self, record_type: str) -> Mapper:
        try:
            return self.mappers[record_type]
        except KeyError:
            raise ConnectorError(
                self.name, f"no record type {record_type!r}", retriable=False
            ) from None

    @staticmethod
    def unique(keys: Sequence[str]) -> list[str]:
        return list(dict.fromkeys(str(k) for k in keys))

    @abstractmethod
    async def fetch(
        self, record_type: str, keys: Sequence[str]
    ) -> dict[str, Record | ConnectorError]: ...

    async def query(
        self,
        record_type: str,
        filters: Mapping[str, object],
        scope: Sequence[str] | None,
        offset: int,
        limit: int,
    ) -> QueryPage:
        """Checks the page and the filters, then asks the source (`_query`) unless the scope
        and filters can match nothing."""
        check_page(self.name, offset, limit)
        mapper = self.mapper(record_type)
        prepared = prepare_filters(self.name, mapper.tc, filters, scope)
        if prepared.empty:
            return QueryPage([], 0)
        return await self._query(record_type, mapper, prepared, offset, limit)

    @abstractmethod
    async def _query(
        self, record_type: str, mapper: Mapper, prepared: Filters, offset: int, limit: int
    ) -> QueryPage:
        """One page of records matching `prepared`, pushed down to the source."""

    @abstractmethod
    def scan(
        self, record_type: str, since: datetime | None = None
    ) -> AsyncIterator[list[Record]]: ...

    async def close(self) -> None:
        return None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"
