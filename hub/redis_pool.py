"""Redis connection pools whose commands hiredis packs.

redis-py's asyncio connection packs each command in Python, argument by argument (its sync
connection can use hiredis, the asyncio one cannot): ~16 commands of a cold request, among
them the batches of records cached, cost ~0.8 ms of CPU to pack, against ~0.25 ms in hiredis's
C packer (bench/RESULTS.md). hiredis is installed anyway, as the reply parser.

A pool that is full makes the next call wait for a connection (`wait_seconds` at most) rather
than fail at once: a burst of requests queues instead of answering GRAPH_UNAVAILABLE.
"""

from typing import Any

import hiredis
from redis.asyncio import BlockingConnectionPool, ConnectionPool


class _HiredisPacking:
    def pack_command(self, *args: Any) -> list[bytes]:
        # As redis-py does: a command name of several words ("CONFIG GET") goes as words
        first, words = args[0], args
        if isinstance(first, str):
            words = (*first.encode().split(), *args[1:])
        elif b" " in first:
            words = (*first.split(), *args[1:])
        try:
            return [hiredis.pack_command(words)]
        except TypeError:
            # a memoryview, or a bool or None (which redis-py refuses with its DataError)
            return super().pack_command(*args)  # type: ignore[misc]


def packing_pool(
    url: str, max_connections: int = 100, wait_seconds: float = 5.0, **options: Any
) -> ConnectionPool:
    """`BlockingConnectionPool.from_url(url, **options)`, its connections packing with hiredis
    (TCP, TLS and Unix-socket connections alike)."""
    pool = BlockingConnectionPool.from_url(
        url, max_connections=max_connections, timeout=wait_seconds, **options
    )
    base = pool.connection_class
    pool.connection_class = type(f"Hiredis{base.__name__}", (_HiredisPacking, base), {})
    return pool
