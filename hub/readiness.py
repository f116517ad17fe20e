"""Readiness (`GET /ready`): may this process take requests now? The graph and the cache each
answer a PING within about a second, the access policy is loaded; the departments' breakers
are reported (an open breaker fails only its fields, so the hub stays ready)."""

import asyncio
from collections.abc import Awaitable
from typing import Any

from hub.runtime import Runtime

PING_SECONDS = 1.0


async def check(runtime: Runtime) -> dict[str, Any]:
    graph, cache = await asyncio.gather(
        _ping(runtime.store.read("RETURN 1 AS ok")), _ping(runtime.redis.ping())
    )
    stores = {"graph": graph, "cache": cache}
    policy = "ok" if runtime.policies.version and not runtime.policies.error else "not loaded"
    breakers = {
        c.name: c.breaker.label for c in runtime.registry if getattr(c, "breaker", None)
    }
    fine = all(v == "ok" for v in stores.values()) and policy == "ok"
    return {
        "status": "ready" if fine else "not ready",
        "stores": stores,
        "policy": policy,
        "breakers": breakers,
    }


async def _ping(call: Awaitable[Any]) -> str:
    """"ok", or why not: never where the store runs (this answer is not behind a token)."""
    try:
        async with asyncio.timeout(PING_SECONDS):
            await call
    except TimeoutError:
        return f"no answer within {PING_SECONDS:.0f}s"
    except Exception as exc:  # a store refusing or unreachable: named by its kind only
        return f"unavailable ({type(exc).__name__})"
    return "ok"
