"""The record cache: exact round trips of records, one read for a tick's record types."""

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime
from typing import Any

import pytest
from redis.asyncio import Redis

from hub import embedded
from hub.cache import RecordCache
from hub.redis_pool import packing_pool
from hub.sealed import Seal

SEAL = Seal("test-only-link-secret")


@pytest.fixture
async def cache(falkordb: embedded.EmbeddedFalkorDB) -> AsyncIterator[RecordCache]:
    redis = Redis.from_pool(packing_pool(falkordb.url))
    cache = RecordCache(redis, SEAL, namespace="test:rec")
    yield cache
    names = [name async for name in redis.scan_iter(match="test:rec:*")]
    if names:
        await redis.delete(*names)
    await redis.aclose()


def source(records: dict[str, Any], calls: list[list[str]]) -> Any:
    async def fetch(keys: Sequence[str]) -> dict[str, Any]:
        calls.append(list(keys))
        return {k: records[k] for k in keys if k in records}

    return fetch


async def _mgets(redis: Redis) -> int:
    stats = await redis.info("commandstats")
    return int(stats.get("cmdstat_mget", {}).get("calls", 0))


async def test_records_come_back_as_fetched_and_are_not_fetched_twice(
    cache: RecordCache,
) -> None:
    records = {"R1": {"name": "王秀英", "born": date(1948, 3, 2),
                      "seen": datetime(2025, 5, 1, 8, 30), "rooms": 2}}
    calls: list[list[str]] = []
    first = await cache.get_many("police", "resident", ["R1", "R2"], 60, source(records, calls))
    await cache.settle()
    again = await cache.get_many("police", "resident", ["R1"], 60, source(records, calls))
    assert first == {"R1": records["R1"]} and again == first
    assert calls == [["R1", "R2"]]


async def test_reads_asked_in_one_tick_go_as_one_command(cache: RecordCache) -> None:
    calls: list[list[str]] = []
    for kind, keys in (("a", ["1", "2"]), ("b", ["3"]), ("c", ["4", "5", "6"])):
        await cache.get_many("d", kind, keys, 60, source({k: {"k": k} for k in keys}, calls))
    await cache.settle()
    before = await _mgets(cache.redis)
    found = await asyncio.gather(
        cache.get_many("d", "a", ["1", "2"], 60, source({}, calls)),
        cache.get_many("d", "b", ["3", "9"], 60, source({}, calls)),
        cache.get_many("d", "c", ["6"], 60, source({}, calls)),
    )
    assert await _mgets(cache.redis) - before == 1
    assert found == [{"1": {"k": "1"}, "2": {"k": "2"}}, {"3": {"k": "3"}}, {"6": {"k": "6"}}]
    assert calls[-1] == ["9"]  # only the key not cached went to its source


async def test_an_unreachable_cache_fetches_from_the_source(
    falkordb: embedded.EmbeddedFalkorDB,
) -> None:
    redis = Redis.from_url("redis://127.0.0.1:1")  # nothing listens there
    cache = RecordCache(redis, SEAL)
    calls: list[list[str]] = []
    try:
        found = await cache.get_many("d", "a", ["1"], 60, source({"1": {"k": 1}}, calls))
        await cache.settle()
    finally:
        await redis.aclose()
    assert found == {"1": {"k": 1}} and calls == [["1"]]
