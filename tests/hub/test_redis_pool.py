"""Connections packing commands with hiredis speak Redis exactly as redis-py's own do."""

import pytest
from redis.asyncio import Redis
from redis.exceptions import DataError

from hub import embedded
from hub.redis_pool import packing_pool


async def test_commands_values_and_pipelines_round_trip(
    falkordb: embedded.EmbeddedFalkorDB,
) -> None:
    redis = Redis.from_pool(packing_pool(falkordb.url))
    try:
        assert redis.connection_pool.connection_class.__name__ == "HiredisConnection"
        values = {"t:str": "社区网格 3幢", "t:bytes": b"\x00\xff\r\n", "t:int": 42, "t:float": 2.5}
        await redis.mset(values)
        got = await redis.mget(list(values))
        assert got == ["社区网格 3幢".encode(), b"\x00\xff\r\n", b"42", b"2.5"]
        assert await redis.config_get("maxmemory-policy")  # a command name of two words
        async with redis.pipeline(transaction=True) as pipe:
            pipe.set("t:p", "一").incrby("t:n", 3).get("t:p")
            assert (await pipe.execute())[1:] == [3, "一".encode()]
        script = redis.register_script("return redis.call('GET', KEYS[1])")
        assert await script(keys=["t:int"]) == b"42"
        await redis.set("t:bytes", memoryview(b"view"))  # what hiredis leaves to redis-py
        assert await redis.get("t:bytes") == b"view"
        with pytest.raises(DataError):  # refused as redis-py refuses it, a RedisError
            await redis.set("t:str", True)
    finally:
        await redis.delete("t:str", "t:bytes", "t:int", "t:float", "t:p", "t:n")
        await redis.aclose()
