"""Alerts announced through Redis pub/sub, so every hub process delivers what any one raised.

One channel per recipient (role and jurisdiction): a subscriber listens on the patterns of the
(role, jurisdiction) pairs that may read alerts, and reads each alert again, in its scope,
before delivering it. A message names an alert and what happened; nothing else.
"""

import json
from collections.abc import AsyncIterator, Iterable

from redis.asyncio import Redis

PREFIX = "alerts:to"


def channel(role: str, jurisdiction: str) -> str:
    return f"{PREFIX}:{role}:{jurisdiction}"


def pattern(role: str, jurisdiction: str) -> str:
    """Every channel of `role` at or below `jurisdiction` (codes nest by prefix)."""
    return f"{PREFIX}:{role}:{jurisdiction}*"


async def announce(redis: Redis, alert_id: int, change: str,
                   recipients: Iterable[tuple[str, str]]) -> None:
    payload = json.dumps({"alertId": alert_id, "change": change})
    for role, code in sorted(set(recipients)):
        await redis.publish(channel(role, code), payload)


async def listen(redis: Redis, patterns: list[str]) -> AsyncIterator[dict[str, object]]:
    pubsub = redis.pubsub(ignore_subscribe_messages=True)
    try:
        await pubsub.psubscribe(*patterns)
        async for message in pubsub.listen():
            if message.get("type") != "pmessage":
                continue
            try:
                found = json.loads(message["data"])
            except ValueError:
                continue
            if isinstance(found, dict):
                yield found
    finally:
        await pubsub.aclose()
