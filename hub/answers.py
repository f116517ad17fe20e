"""Whole answers to entity reads, kept per caller in Redis (resolvers/answer_cache.py decides
what may be kept, for how long, and under which key).

Every stored answer carries the data epoch it was computed under. Anything that changes what
an answer could say (a linking run, a reviewer's decision, records forgotten on purpose) bumps
the epoch, and every answer from before stops counting at once, in every hub process.
Answers are sealed in Redis (hub.sealed), as cached records are.
"""

import asyncio
import logging
from typing import Any

import orjson
from prometheus_client import Counter
from redis.asyncio import Redis
from redis.exceptions import RedisError

from hub import deadline
from hub.sealed import Seal

log = logging.getLogger("hub.answers")

EPOCH = "hub:answers:epoch"
# The layout's version is part of the key: hubs of different versions sharing one Redis (a
# rolling upgrade) never read each other's answers.
PREFIX = "hub:ans:3:"

ANSWERS = Counter("hub_answer_cache_total", "Whole-answer cache lookups", ["result"])


async def data_changed(redis: Redis) -> None:
    """Retire every kept answer (graph or records changed)."""
    try:
        await redis.incr(EPOCH)
    except RedisError:  # nothing can be read from a cache that cannot be reached either
        log.warning("could not retire kept answers: Redis unreachable")


class AnswerCache:
    def __init__(
        self, redis: Redis, seal: Seal, keep_bytes: int = 1_000_000, timeout: float = 1.0
    ) -> None:
        self.redis = redis
        self.timeout = timeout  # a read or write, at most (cut to the request's time left)
        self.seal = seal
        self.keep_bytes = keep_bytes  # larger answers are not kept: they would crowd the rest

    async def get(self, key: str) -> tuple[dict[str, Any] | None, int]:
        """The kept answer under `key` if it is of the current epoch, and the current epoch
        (an answer computed now is stored with it)."""
        try:
            async with asyncio.timeout(deadline.budget(self.timeout)):
                raw, epoch = await self.redis.mget([PREFIX + key, EPOCH])
        except (RedisError, TimeoutError):
            return None, -1
        current = int(epoch or 0)
        plain = self.seal.open(PREFIX + key, raw) if raw is not None else None
        if plain is None:
            ANSWERS.labels("miss").inc()
            return None, current
        header, _, data = plain.partition(b"\n")
        stored = orjson.loads(header)
        if stored.get("epoch") != current:
            ANSWERS.labels("stale").inc()
            return None, current
        ANSWERS.labels("hit").inc()
        # The data goes back out as the JSON it was stored as, never parsed in between.
        return stored | {"data": orjson.Fragment(data)}, current

    async def put(
        self, key: str, epoch: int, data: Any, trail: dict[str, str], seconds: int
    ) -> None:
        if epoch < 0 or seconds <= 0:
            return
        value = orjson.dumps({"epoch": epoch, "trail": trail}) + b"\n" + orjson.dumps(data)
        if len(value) > self.keep_bytes:
            ANSWERS.labels("too_large").inc()
            return
        try:
            async with asyncio.timeout(deadline.budget(self.timeout)):
                await self.redis.set(PREFIX + key, self.seal.seal(PREFIX + key, value), ex=seconds)
        except (RedisError, TimeoutError):
            return
        ANSWERS.labels("stored").inc()
