"""FalkorDB through its native async client (its Bolt endpoint cannot take list-of-map params)."""

import asyncio
import logging
import time
from collections.abc import Mapping, Sequence
from typing import Any

from falkordb.asyncio import FalkorDB
from falkordb.asyncio.query_result import QueryResult
from redis import Redis as SyncRedis
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from graph import compact
from graph.bulk import BulkLoad
from graph.params import params_header
from graph.store import GRAPH_LATENCY, GRAPH_QUERIES, Row, call_timeout
from hub import tracing
from hub.errors import GraphUnavailable
from hub.limits import Pool
from hub.redis_pool import packing_pool
from hub.share import store_call

log = logging.getLogger("graph.falkordb")

_ALREADY = ("already indexed", "already exists", "already created")

CHECKPOINT_TIMEOUT = 120.0  # seconds
QUERY_TIMEOUT = 600.0  # seconds: the longest a single graph statement may take to answer
CONNECT_TIMEOUT = 5.0
INDEX_WAIT = 600  # seconds: the longest we wait for the indexes of a bulk-loaded graph


def _already(exc: ResponseError) -> bool:
    """A set-up statement refused because what it makes is there already."""
    return any(text in str(exc) for text in _ALREADY)


class FalkorDBStore:
    engine = "falkordb"
    # Label scans walk the label matrix by internal id; tests/graph checks pages against it.
    scan_is_ordered = True

    def __init__(
        self, url: str, graph_name: str, pool: Pool | None = None, timeout: float = 3.0
    ) -> None:
        self.url = url
        self.timeout = timeout  # a call made for a request (hub/limits.toml [stores])
        # Our own pool: the client does not close a pool it was handed, so we do. The Redis
        # client's default 5 s read timeout is far too short for a bulk write or a full
        # re-link's sweep over millions of relations; connecting stays quick to fail.
        self._pool = packing_pool(
            url,
            decode_responses=True,
            socket_timeout=QUERY_TIMEOUT,
            socket_connect_timeout=CONNECT_TIMEOUT,
            max_connections=(pool or Pool()).connections,
            wait_seconds=(pool or Pool()).wait_seconds,
        )
        self._db = FalkorDB(connection_pool=self._pool)
        self._graph = self._db.select_graph(graph_name)
        self._setup: list[str] = []

    async def _run(self, cypher: str, params: Mapping[str, Any] | None, mode: str) -> list[Row]:
        GRAPH_QUERIES.labels(self.engine, mode).inc()
        started = time.perf_counter()
        try:
            command = "GRAPH.RO_QUERY" if mode == "read" else "GRAPH.QUERY"
            query = params_header(params) + cypher
            with tracing.span(f"graph {mode}", **{"db.system": self.engine}):
                async with asyncio.timeout(call_timeout(self.timeout)), store_call():
                    response = await self._graph.execute_command(
                        command, self._graph.name, query, "--compact"
                    )
            compact.check(response)
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            raise GraphUnavailable.of(self.engine, self.url, exc) from None
        except ResponseError as exc:
            if "empty key" in str(exc):  # no graph written yet: nothing is linked
                return []
            raise
        finally:
            GRAPH_LATENCY.labels(self.engine).observe(time.perf_counter() - started)
        found = compact.records(response)
        if found is None:  # nodes, edges or other values the client knows how to name
            result = QueryResult(self._graph)
            await result.parse(response)
            found = [column[1] for column in result.header], result.result_set
        names, rows = found
        return [dict(zip(names, row, strict=True)) for row in rows]

    async def setup(self, statements: Sequence[str]) -> None:
        self._setup = list(statements)
        for statement in statements:
            try:
                await self._graph.query(statement)
            except ResponseError as exc:
                if not _already(exc):
                    raise

    async def bulk_load(self) -> BulkLoad | None:
        """A loader that builds this graph anew, when it holds nothing but the link model's
        marker: the graph (its indexes too) is dropped first, GRAPH.BULK only builds a new one.
        None when it holds anything else. The graph is indexed once the first command made it."""
        rows = await self.read("MATCH (n) WHERE NOT n:LinkModel RETURN 1 AS found LIMIT 1")
        if rows or not await self._takes_bulk():
            return None
        await self._drop()
        redis = SyncRedis.from_url(
            self.url, socket_timeout=QUERY_TIMEOUT, socket_connect_timeout=CONNECT_TIMEOUT
        )
        return BulkLoad(redis, self._graph.name, once_begun=self._index_now)

    async def _takes_bulk(self) -> bool:
        """Whether the server takes GRAPH.BULK from us (an ACL or a build may refuse it): an
        empty probe graph is made, then dropped."""
        probe = f"{self._graph.name}__bulk_probe"
        redis = Redis(connection_pool=self._pool)
        try:
            await redis.delete(probe)
            await redis.execute_command("GRAPH.BULK", probe, "BEGIN", 0, 0, 0, 0)
            await redis.delete(probe)
        except ResponseError as exc:
            log.info("graph at %s: no bulk loader (%s); linking through Cypher", self.url, exc)
            return False
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            raise GraphUnavailable.of(self.engine, self.url, exc) from None
        return True

    def _index_now(self, redis: SyncRedis) -> None:
        for statement in self._setup:
            try:
                redis.execute_command("GRAPH.QUERY", self._graph.name, statement)
            except ResponseError as exc:
                if not _already(exc):
                    raise

    async def bulk_done(self, load: BulkLoad) -> None:
        """Send the rest of a load and wait until the indexes serve (created again here should
        the load have stopped before its first command was answered)."""
        try:
            await asyncio.to_thread(load.close)
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            raise GraphUnavailable.of(self.engine, self.url, exc) from None
        finally:
            load.redis.close()
            await self.setup(self._setup)
        for _ in range(int(INDEX_WAIT / 0.05)):
            rows = await self.read("CALL db.indexes() YIELD status RETURN status")
            if all(row["status"] == "OPERATIONAL" for row in rows):
                return
            await asyncio.sleep(0.05)
        log.warning("graph at %s: indexes still being built after %d s", self.url, INDEX_WAIT)

    async def read(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        return await self._run(cypher, params, "read")

    async def write(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        return await self._run(cypher, params, "write")

    async def clear(self) -> None:
        """Drop the whole graph (far faster than deleting node by node), then re-index it."""
        await self._drop()
        await self.setup(self._setup)

    async def _drop(self) -> None:
        try:
            await self._graph.delete()
        except ResponseError as exc:
            if "empty key" not in str(exc) and "Invalid graph operation" not in str(exc):
                raise
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            raise GraphUnavailable.of(self.engine, self.url, exc) from None

    async def checkpoint(self) -> None:
        """A background snapshot (BGSAVE) now, if the server keeps snapshots at all (its
        `save` rule is not empty): a server set up without persistence is left so. A snapshot
        already running was forked before our last writes: wait for it, then take ours.

        Its own connection, with a long timeout: the server prepares the fork before it
        answers, over 5 s (the client's default timeout) for a graph of a million residents."""
        server = Redis.from_url(self.url, decode_responses=True, socket_timeout=CHECKPOINT_TIMEOUT)
        try:
            rules = await server.config_get("save")
            if not rules.get("save"):
                return
            for _ in range(3000):
                try:
                    await server.bgsave(schedule=True)  # after an AOF rewrite, if one runs
                    return
                except ResponseError as exc:
                    if "already in progress" not in str(exc):
                        raise
                await asyncio.sleep(0.1)
            log.warning("graph at %s: a snapshot has run for 5 minutes; not taking ours", self.url)
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            raise GraphUnavailable.of(self.engine, self.url, exc) from None
        finally:
            await server.aclose()

    async def close(self) -> None:
        await self._db.aclose()
        await self._pool.disconnect()
