"""Live updates through Redis pub/sub, so any hub process can deliver what another one did.

Messages are published only after the change is committed; a subscriber that misses one
still finds it in the records (Open311 status, `opinion(id)`): delivery is a convenience.
"""

import json
from collections.abc import AsyncIterator, Sequence
from typing import Any

from redis.asyncio import Redis

PREFIX = "civic"


def opinion_channel(opinion_id: str) -> str:
    return f"{PREFIX}:opinion:{opinion_id}"


def author_channel(author_key: str) -> str:
    return f"{PREFIX}:author:{author_key}"


def new_opinion_channel(jurisdiction: str | None) -> str:
    return f"{PREFIX}:new:{jurisdiction or '-'}"


async def publish(redis: Redis, channels: list[str], message: dict[str, Any]) -> None:
    payload = json.dumps(message, ensure_ascii=False, default=str)
    for channel in channels:
        await redis.publish(channel, payload)


async def listen(
    redis: Redis, channels: Sequence[str] = (), pattern: str | None = None
) -> AsyncIterator[dict[str, Any]]:
    """Messages on some channels or a pattern until the consumer stops iterating."""
    pubsub = redis.pubsub(ignore_subscribe_messages=True)
    try:
        if pattern:
            await pubsub.psubscribe(pattern)
        else:
            await pubsub.subscribe(*channels)
        async for message in pubsub.listen():
            if message.get("type") in ("message", "pmessage"):
                yield json.loads(message["data"])
    finally:
        await pubsub.aclose()
