"""One request's share of the stores: at most so many of its graph and cache calls under way
at once, however many fields it asks in parallel (hub/limits.toml `[pool] per_request`).

The pools themselves are shared by every request of the process (hub.redis_pool): without a
share, a request of many aliased pages takes every connection and the others wait behind it.
The share travels with the request as a context variable, so the tasks a request starts (its
loaders' batches, its cache writes) count against it too.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar, Token

_SHARE: ContextVar[asyncio.Semaphore | None] = ContextVar("hub_store_share", default=None)


def take(calls: int) -> Token[asyncio.Semaphore | None]:
    """From here on (in this task and those it starts), `calls` store calls at a time."""
    return _SHARE.set(asyncio.Semaphore(calls))


def give_back(token: Token[asyncio.Semaphore | None]) -> None:
    _SHARE.reset(token)


@asynccontextmanager
async def store_call() -> AsyncIterator[None]:
    """Around one round trip to a store (never around calls that make others: no waiting on
    oneself). Outside a request (linking, start-up) nothing is counted."""
    share = _SHARE.get()
    if share is None:
        yield
        return
    async with share:
        yield
