"""REST department systems over httpx: paged lists, batch lookups, retries with backoff."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

import httpx
import orjson

from hub import deadline
from hub.errors import BadInput, ConnectorError, ErrorCode
from hub.standard import FieldType

from .base import (
    BaseConnector,
    Filters,
    Mapper,
    QueryPage,
    Record,
    in_scope,
    round_trip,
)
from .config import JURISDICTION, ConnectorConfig, RestOptions, TypeConfig
from .convert import at_or_after, convert_value
from .paging import page_params, page_plan

log = logging.getLogger("connectors.rest")

Item = dict[str, Any]
# Bodies go through orjson, not httpx's stdlib json: ~0.15 ms of CPU less per batch call.
_JSON_BODY = {"Content-Type": "application/json"}


def json_get(obj: Mapping[str, Any], path: str) -> Any:
    """A top-level key, else a dotted path into nested objects (None when absent)."""
    if path in obj:
        return obj[path]
    value: Any = obj
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


class RestConnector(BaseConnector):
    kind = "rest"

    def __init__(self, config: ConnectorConfig, client: httpx.AsyncClient | None = None) -> None:
        super().__init__(config, json_get)
        self.client = client or httpx.AsyncClient(
            base_url=config.url, timeout=config.timeout, headers={"Accept": "application/json"}
        )
        self._slots = asyncio.Semaphore(config.concurrency)

    # --- protocol ------------------------------------------------------------------------

    async def fetch(
        self, record_type: str, keys: Sequence[str]
    ) -> dict[str, Record | ConnectorError]:
        mapper = self.mapper(record_type)
        opts = self._opts(mapper.tc)
        wanted = self.unique(keys)
        if not wanted:
            return {}
        if opts.batch_path:
            size = opts.batch_max
            chunks = [wanted[i : i + size] for i in range(0, len(wanted), size)]
            items = await self._gather([self._batch(record_type, c) for c in chunks])
        elif opts.item_path:
            items = await self._gather([self._one(record_type, k) for k in wanted])
        else:
            raise ConnectorError(
                self.name, f"{record_type}: no batch_path or item_path", retriable=False
            )
        requested = set(wanted)
        return {k: v for k, v in mapper.convert(items).items() if k in requested}

    async def _query(
        self, record_type: str, mapper: Mapper, prepared: Filters, offset: int, limit: int
    ) -> QueryPage:
        items: list[Item] = []
        total = 0
        for params in self._query_params(record_type, mapper.tc, prepared):
            got, count = await self._window(record_type, params, offset, limit)
            items.extend(got)
            total += count
            offset, limit = max(0, offset - count), limit - len(got)
        converted = mapper.convert(items)
        records = [r for r in converted.values() if not isinstance(r, ConnectorError)]
        kept = [r for r in records if in_scope(r, prepared.prefixes)]
        if len(kept) < len(records):
            log.warning("%s/%s: source returned rows outside the scope", self.name, record_type)
        errors = {k: v for k, v in converted.items() if isinstance(v, ConnectorError)}
        return QueryPage(kept, total, errors)

    async def scan(
        self, record_type: str, since: datetime | None = None
    ) -> AsyncIterator[list[Record]]:
        """Pages in source order; `since` goes to `since_param`, else is applied to `updated`
        here, else every record comes (a scan may over-deliver, never under-deliver)."""
        mapper = self.mapper(record_type)
        opts = self._opts(mapper.tc)
        params: dict[str, str] = {}
        if since is not None and opts.since_param:
            params[opts.since_param] = since.isoformat()
        size, start = opts.max_page_size, 0
        while True:
            paging = page_params(opts.pagination, start, size)
            body = await self._call(record_type, "scan", "GET", mapper.tc.source, params | paging)
            items = self._items(record_type, mapper.tc.source, body, opts.items, mapper.tc.key)
            total = self._total(record_type, mapper.tc.source, body, opts.total)
            wanted = items
            if since is not None and not opts.since_param and mapper.tc.updated:
                wanted = [i for i in items if _updated_since(json_get(i, mapper.tc.updated), since)]
            records = mapper.records_only(wanted)
            if records:
                yield records
            start += size
            if len(items) < size or start >= total:
                return

    async def close(self) -> None:
        await self.client.aclose()

    # --- requests ------------------------------------------------------------------------

    def _opts(self, tc: TypeConfig) -> RestOptions:
        assert tc.rest is not None  # guaranteed by config validation
        return tc.rest

    async def _gather(self, calls: list[Any]) -> list[Item]:
        try:
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(call) for call in calls]
        except ExceptionGroup as failed:  # one failed chunk fails the fetch: surface it plainly
            errors = [e for e in failed.exceptions if isinstance(e, ConnectorError)]
            raise (errors or list(failed.exceptions))[0] from None
        return [item for task in tasks for item in task.result()]

    async def _batch(self, record_type: str, keys: list[str]) -> list[Item]:
        tc = self.mappers[record_type].tc
        opts = self._opts(tc)
        path = opts.batch_path or ""
        if opts.batch_method == "get_ids":
            params = {opts.batch_param: ",".join(keys)}
            body = await self._call(record_type, "fetch", "GET", path, params=params)
        else:
            body = await self._call(
                record_type,
                "fetch",
                "POST",
                path,
                json={opts.batch_param: keys},
                idempotent=opts.batch_idempotent,
            )
        return self._items(record_type, path, body, opts.batch_items or opts.items, tc.key)

    async def _one(self, record_type: str, key: str) -> list[Item]:
        tc = self.mappers[record_type].tc
        path = (self._opts(tc).item_path or "").replace("{key}", quote(key, safe=""))
        body = await self._call(record_type, "fetch", "GET", path, allow_404=True)
        return [] if body is None else self._items(record_type, path, {"_": [body]}, "_", tc.key)

    async def _window(
        self, record_type: str, params: dict[str, str], offset: int, limit: int
    ) -> tuple[list[Item], int]:
        """Items [offset, offset+limit) of a listing with the fewest page requests, and total."""
        tc = self.mappers[record_type].tc
        opts = self._opts(tc)
        plan = page_plan(opts.pagination, offset, limit, opts.max_page_size)
        items: list[Item] = []
        total = 0
        for start, size in plan:
            paging = page_params(opts.pagination, start, size)
            body = await self._call(record_type, "query", "GET", tc.source, params | paging)
            page = self._items(record_type, tc.source, body, opts.items, tc.key)
            total = self._total(record_type, tc.source, body, opts.total)
            items.extend(page)
            if len(page) < size:
                break
        skip = offset - plan[0][0]
        return items[skip : skip + limit], total

    def _query_params(
        self, record_type: str, tc: TypeConfig, prepared: Filters
    ) -> list[dict[str, str]]:
        """One parameter set per jurisdiction prefix (the source takes a single prefix)."""
        params = {c.column: _param(self.name, c.field, c.value) for c in prepared.conditions}
        prefixes = prepared.prefixes
        if prefixes is None or prefixes == [""]:
            return [params]
        column = tc.filters.get(JURISDICTION)
        if column is None:
            raise ConnectorError(
                self.name,
                f"{record_type}: no `filters.{JURISDICTION}` to push the scope to",
                retriable=False,
            )
        return [params | {column: prefix} for prefix in prefixes]

    async def _call(
        self,
        record_type: str,
        operation: str,
        method: str,
        path: str,
        params: Mapping[str, str] | None = None,
        *,
        json: Any = None,
        idempotent: bool = True,
        allow_404: bool = False,
    ) -> Any:
        """One request (plus retries on 5xx/429/timeouts when idempotent, within the request's
        deadline), each counted and told to the department's breaker."""
        attempts = 1 + (self.config.retries if idempotent else 0)
        body, headers = (None, None) if json is None else (orjson.dumps(json), _JSON_BODY)
        error = ConnectorError(self.name, f"{record_type}: no attempt made")
        for attempt in range(attempts):
            if attempt and not await self._backoff(attempt):
                break
            timeout = self.admit(record_type, retry=attempt > 0)
            try:
                response = await self._send(record_type, operation, method, path, params,
                                            body, headers, timeout)
            except (httpx.TimeoutException, TimeoutError):
                error = self._error(record_type, f"timed out after {timeout:.1f}s", detail=path)
                continue
            except httpx.HTTPError as exc:
                error = self._error(
                    record_type, f"unreachable ({type(exc).__name__})", detail=self.config.url
                )
                continue
            status = response.status_code
            if status == 404 and allow_404:
                return None
            if status >= 500 or status == 429:
                error = self._error(record_type, f"HTTP {status}", detail=path)
                continue
            if status >= 400:
                raise self._error(record_type, f"HTTP {status}", retriable=False, detail=path)
            return self._json(record_type, path, response)
        raise error

    async def _send(
        self,
        record_type: str,
        operation: str,
        method: str,
        path: str,
        params: Mapping[str, str] | None,
        body: bytes | None,
        headers: dict[str, str] | None,
        timeout: float,
    ) -> httpx.Response:
        """One round-trip, at most `timeout` in all (httpx's own timeouts are per phase);
        its outcome goes to the breaker: an answer (any status below 500) is a success."""
        try:
            async with asyncio.timeout(timeout), self._slots:
                with round_trip(self.name, record_type, operation):
                    response = await self.client.request(
                        method, path, params=params, content=body, headers=headers,
                        timeout=timeout,
                    )
        except BaseException:
            self.breaker.failed()
            raise
        if response.status_code >= 500 or response.status_code == 429:
            self.breaker.failed()
        else:
            self.breaker.succeeded()
        return response

    async def _backoff(self, attempt: int) -> bool:
        """Wait before a retry; False when the wait would reach past the deadline."""
        delay = self.config.backoff * 2 ** (attempt - 1)
        if deadline.budget(delay + 0.05) <= delay:
            return False
        await asyncio.sleep(delay)
        return True

    def _error(
        self, record_type: str, message: str, retriable: bool = True, detail: str | None = None
    ) -> ConnectorError:
        """Named by connector and record type; where it runs (`detail`) goes to the log only."""
        return ConnectorError(
            self.name, f"{record_type}: {message}", retriable=retriable, detail=detail
        )

    def _json(self, record_type: str, path: str, response: httpx.Response) -> Any:
        try:
            return orjson.loads(response.content)
        except ValueError:  # strict JSON only: NaN or Infinity, as Python's json writes them
            pass
        try:
            return response.json()
        except ValueError:
            raise self._error(record_type, f"malformed JSON from {path}", retriable=False) from None

    def _items(self, record_type: str, path: str, body: Any, field: str, key: str) -> list[Item]:
        """Validate a response: an object whose `field` is a list of objects with the key."""
        if not isinstance(body, dict):
            raise self._error(record_type, f"response from {path} is not a JSON object", False)
        items = json_get(body, field)
        if not isinstance(items, list):
            raise self._error(record_type, f"response from {path}: {field!r} is not a list", False)
        for i, item in enumerate(items):
            if not isinstance(item, dict) or json_get(item, key) in (None, ""):
                message = f"response from {path}: {field}[{i}] is not an object with {key!r}"
                raise self._error(record_type, message, False)
        return items

    def _total(self, record_type: str, path: str, body: dict[str, Any], field: str) -> int:
        total = json_get(body, field)
        if isinstance(total, bool) or not isinstance(total, int) or total < 0:
            raise self._error(record_type, f"response from {path}: {field!r} is not a count", False)
        return total


def _param(connector: str, field: str, value: Any) -> str:
    if isinstance(value, tuple):
        raise BadInput(
            f"{connector}: filter {field} takes one value here", code=ErrorCode.BAD_FILTER
        )
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def _updated_since(value: Any, since: datetime) -> bool:
    try:
        return at_or_after(convert_value(value, FieldType.DATETIME), since)
    except ValueError:
        return True
