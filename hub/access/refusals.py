"""Refused tokens on record, without letting a flood of them flood the access log.

Each client address has up to `burst` refusals recorded one by one per `window`; past that, its
refused requests are answered 429 with Retry-After and only counted. The count goes on record
as one entry once that client's window has closed (at the next refusal from anyone, or when the
hub stops). Valid tokens are never held back: only refusals are limited, so a colleague behind
the same address as a misbehaving client is not locked out.

The burst is shared by every hub process: windows are fixed slices of the wall clock, and the
refusals recorded in one are counted in Redis under the limit's own key, so N workers applying
one limit record `burst`, not N × `burst`. Each process puts its own count of the rest on
record. Without Redis the count is the process's own (a refusal stands either way).
"""

import logging
import time
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from hub.audit.log import now_text, payload
from hub.errors import ErrorCode

log = logging.getLogger("hub.access")
PREFIX = "hub:refusals:"


def _now() -> float:
    return time.time()


@dataclass
class _Window:
    opened: float
    opened_at: str  # wall clock, for the record
    recorded: int = 0
    suppressed: int = 0


class RefusalLimiter:
    def __init__(self, burst: int = 20, window: float = 60.0) -> None:
        self.burst = burst
        self.window = window
        self._clients: dict[str, _Window] = {}
        self._closed: list[tuple[str, _Window]] = []

    async def note(self, client: str, redis: Redis | None = None) -> float | None:
        """Count one refusal: None when it is to be recorded, else seconds to wait (429)."""
        now = _now()
        opened = now - now % self.window
        current = self._clients.get(client)
        if current is None or current.opened != opened:
            if current is not None and current.suppressed:
                self._closed.append((client, current))
            current = self._clients[client] = _Window(opened, now_text())
        current.recorded += 1
        if await self._recorded_everywhere(redis, client, opened, current.recorded) <= self.burst:
            return None
        current.recorded -= 1
        current.suppressed += 1
        return max(1.0, self.window - (now - opened))

    async def _recorded_everywhere(
        self, redis: Redis | None, client: str, opened: float, here: int
    ) -> int:
        """This refusal's number in its window, counted by all processes."""
        if redis is None:
            return here
        key = f"{PREFIX}{self.window:g}:{self.burst}:{int(opened)}:{client}"
        try:
            async with redis.pipeline(transaction=True) as pipe:
                count, _ = await pipe.incr(key).expire(key, int(2 * self.window)).execute()
            return int(count)
        except RedisError as exc:
            log.warning("refusals counted by this process alone: %s", exc)
            return here

    def summaries(self, everything: bool = False) -> list[dict[str, Any]]:
        """Access log entries for the refusals counted but not recorded, of windows that have
        closed (`everything`: of all windows, as the hub stops)."""
        now = _now()
        for client, window in list(self._clients.items()):
            if everything or now - window.opened >= self.window:
                del self._clients[client]
                if window.suppressed:
                    self._closed.append((client, window))
        closed, self._closed = self._closed, []
        return [
            payload(
                principal="unauthenticated",
                decision="unauthenticated",
                detail={
                    "reason": "refused tokens beyond the limit, counted, not recorded one by one",
                    "client": client,
                    "count": window.suppressed,
                    "since": window.opened_at,
                    "code": ErrorCode.UNAUTHENTICATED.value,
                },
            )
            for client, window in closed
        ]
