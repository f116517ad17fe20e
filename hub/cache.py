"""Redis read-through cache of department records, TTL per connector.

Values are JSON with dates tagged, so a cached record comes back exactly as the connector gave it.
Records are flat (field -> value), so tags are only looked for at the top level. In Redis they
are sealed (hub.sealed): a snapshot of the server never holds a department's record in clear.
"""

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from datetime import date, datetime
from typing import Any

import orjson
from prometheus_client import Counter
from redis.asyncio import Redis
from redis.exceptions import RedisError

from hub import deadline
from hub.answers import data_changed
from hub.sealed import Seal

_SET_MANY = """
local ttl = ARGV[#ARGV]
for i, key in ipairs(KEYS) do redis.call('SET', key, ARGV[i], 'EX', ttl) end
return #KEYS
"""

CACHE_LOOKUPS = Counter("hub_cache_lookups_total", "Record cache lookups", ["connector", "result"])

Fetch = Callable[[Sequence[str]], Awaitable[dict[str, Any]]]


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$d": value.isoformat()}
    raise TypeError(f"cannot cache {type(value).__name__}")


def _decode(obj: dict[str, Any]) -> Any:
    if len(obj) == 1 and "$dt" in obj:
        return datetime.fromisoformat(obj["$dt"])
    if len(obj) == 1 and "$d" in obj:
        return date.fromisoformat(obj["$d"])
    return obj


def dumps(record: dict[str, Any]) -> bytes:
    return orjson.dumps(record, default=_encode, option=orjson.OPT_PASSTHROUGH_DATETIME)


def loads(raw: bytes | str) -> dict[str, Any]:
    record = orjson.loads(raw)
    for name, value in record.items():
        if type(value) is dict and len(value) == 1:
            record[name] = _decode(value)
    return record


class RecordCache:
    """`get_many` answers from Redis what it can and fetches the rest in one call."""

    def __init__(
        self, redis: Redis, seal: Seal, namespace: str = "hub:rec:2", timeout: float = 1.0
    ) -> None:
        self.redis = redis
        self.timeout = timeout  # a read or write, at most (cut to the request's time left)
        self.seal = seal
        self.namespace = namespace  # its version: hubs sealing differently never meet
        self._running: set[asyncio.Task[None]] = set()  # reads and writes under way
        self._set_many = redis.register_script(_SET_MANY)
        # Reads asked in one tick of the event loop (a request level's record types), sent
        # as one MGET: each command saved is ~0.1 ms of the client's CPU.
        self._reads: list[tuple[list[str], asyncio.Future[list[Any]]]] = []

    def _key(self, connector: str, record_type: str, key: str) -> str:
        return f"{self.namespace}:{connector}:{record_type}:{self.seal.name(key)}"

    async def get_many(
        self, connector: str, record_type: str, keys: Sequence[str], ttl: int, fetch: Fetch
    ) -> dict[str, Any]:
        if ttl <= 0:
            return await fetch(keys)
        names = [self._key(connector, record_type, k) for k in keys]
        cached = await self._read(names)
        found = {}
        for key, name, value in zip(keys, names, cached, strict=True):
            plain = self.seal.open(name, value) if value else None
            if plain is not None:
                found[key] = loads(plain)
        CACHE_LOOKUPS.labels(connector, "hit").inc(len(found))
        missing = [k for k in keys if k not in found]
        if not missing:
            return found
        CACHE_LOOKUPS.labels(connector, "miss").inc(len(missing))
        fetched = await fetch(missing)
        # Written while the request goes on (the next level's graph and source reads), not in
        # its way; `settle` waits for what is still being written.
        self._start(self._store(connector, record_type, fetched, ttl))
        return found | fetched

    def _start(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` as a task held until it is done (`settle` waits for it)."""
        task = asyncio.create_task(work)
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _read(self, names: list[str]) -> list[Any]:
        """The cached values of `names` (None where absent), read with the tick's others."""
        future: asyncio.Future[list[Any]] = asyncio.get_running_loop().create_future()
        if not self._reads:
            self._start(self._read_together())
        self._reads.append((names, future))
        return await future

    async def _read_together(self) -> None:
        await asyncio.sleep(0)  # the reads asked in this tick join the first
        reads, self._reads = self._reads, []
        names = [name for wanted, _ in reads for name in wanted]
        try:
            async with asyncio.timeout(deadline.budget(self.timeout)):
                values = await self.redis.mget(names)
        except (RedisError, TimeoutError):
            values = [None] * len(names)  # the cache is an optimisation, never a failure
        except BaseException as exc:  # cancelled (shutdown) or worse: no reader waits forever
            for _, future in reads:
                if future.done():
                    continue
                if isinstance(exc, asyncio.CancelledError):
                    future.cancel()
                else:
                    future.set_exception(exc)
            raise
        at = 0
        for wanted, future in reads:
            if not future.done():
                future.set_result(values[at : at + len(wanted)])
            at += len(wanted)

    async def settle(self) -> None:
        """Wait for the reads and writes started so far (before answering, so the next request
        finds the records it cached)."""
        if self._running:
            await asyncio.gather(*list(self._running), return_exceptions=True)

    async def _store(
        self, connector: str, record_type: str, rows: dict[str, Any], ttl: int
    ) -> None:
        names: list[str] = []
        values: list[bytes] = []
        for key, row in rows.items():
            if not isinstance(row, dict):
                continue
            try:
                plain = dumps(row)
            except TypeError:  # a value JSON cannot hold: that record is not cached
                continue
            names.append(self._key(connector, record_type, key))
            values.append(self.seal.seal(names[-1], plain))
        if not names:
            return
        try:  # one command for the batch: a pipeline pays the client's packing per SET
            async with asyncio.timeout(deadline.budget(self.timeout)):
                await self._set_many(keys=names, args=[*values, ttl])
        except (RedisError, TimeoutError):
            return

    async def invalidate(self, connector: str = "*") -> None:
        """Forget cached records of one connector (all by default), and the answers built from
        them; the graph is left alone."""
        pattern = f"{self.namespace}:{connector}:*"
        names = [name async for name in self.redis.scan_iter(match=pattern, count=1000)]
        for start in range(0, len(names), 1000):
            await self.redis.delete(*names[start : start + 1000])
        await data_changed(self.redis)
