"""The policy in force in this process, and how changes reach every hub process.

A change is noticed two ways: this process polls the files' modification times, and any process
(or `hub policy reload`) publishes a notice on Redis that every process listens to. Each reloads
from its policy directory; a policy that does not load or check keeps the last good one.
"""

import asyncio
import contextlib
import logging
from pathlib import Path

from redis.asyncio import Redis
from redis.exceptions import RedisError

from hub.access.policy import MODEL_FILE, POLICY_FILE, Policy
from hub.errors import ConfigError

log = logging.getLogger("hub.access")

CHANNEL = "hub:policy:changed"


class PolicyStore:
    """`current` is always a policy that loaded and checked; `error` says why a change was not."""

    def __init__(self, directory: Path, poll_seconds: float = 2.0) -> None:
        self.directory = directory
        self.poll_seconds = poll_seconds
        self.current = Policy.from_dir(directory)  # no good policy at start-up: refuse to start
        self.error: str | None = None
        self._stamp = self._mtimes()
        self._tasks: list[asyncio.Task[None]] = []

    def _mtimes(self) -> tuple[float, ...]:
        stamps = []
        for name in (MODEL_FILE, POLICY_FILE):
            with contextlib.suppress(OSError):
                stamps.append((self.directory / name).stat().st_mtime_ns)
        return tuple(stamps)

    def reload(self) -> bool:
        """Load the files again; True when a new version is now in force."""
        self._stamp = self._mtimes()
        try:
            policy = Policy.from_dir(self.directory)
        except ConfigError as exc:
            self.error = exc.message
            log.error("policy change refused, %s stays in force: %s", self.version, exc.message)
            return False
        self.error = None
        if policy.version == self.current.version:
            return False
        log.info("policy %s in force (was %s)", policy.version, self.current.version)
        self.current = policy
        return True

    @property
    def version(self) -> str:
        return self.current.version

    async def start(self, redis: Redis) -> None:
        """Listen for notices and poll the files, until `close`."""
        pubsub = redis.pubsub()
        await pubsub.subscribe(CHANNEL)
        self._tasks.append(asyncio.create_task(self._listen(pubsub)))
        if self.poll_seconds > 0:
            self._tasks.append(asyncio.create_task(self._poll(redis)))

    async def _listen(self, pubsub) -> None:  # type: ignore[no-untyped-def]
        try:
            async for message in pubsub.listen():
                if message.get("type") == "message":
                    self.reload()
        except (RedisError, OSError) as exc:  # the poll still catches local file changes
            log.warning("policy notices stopped: %s", exc)
        finally:
            with contextlib.suppress(RedisError, OSError):
                await pubsub.aclose()

    async def _poll(self, redis: Redis) -> None:
        while True:
            await asyncio.sleep(self.poll_seconds)
            if self._mtimes() != self._stamp and self.reload():
                await announce(redis, self.version)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()


async def announce(redis: Redis, version: str) -> int:
    """Tell every hub process to reload its policy; returns how many listened."""
    return int(await redis.publish(CHANNEL, version))
