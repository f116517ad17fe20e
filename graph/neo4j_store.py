"""Neo4j 5 over Bolt with the official async driver."""

import asyncio
import time
from collections.abc import Mapping, Sequence
from typing import Any

from neo4j import AsyncGraphDatabase
from neo4j.exceptions import ServiceUnavailable, SessionExpired

from graph.store import GRAPH_LATENCY, GRAPH_QUERIES, Row, call_timeout
from hub import tracing
from hub.errors import GraphUnavailable
from hub.share import store_call


class Neo4jStore:
    engine = "neo4j"
    scan_is_ordered = False  # Cypher leaves it unspecified; pages sort by the indexed id

    def __init__(
        self, uri: str, user: str, password: str, database: str | None = None,
        timeout: float = 3.0,
    ) -> None:
        self.url = uri
        self.timeout = timeout  # a call made for a request (hub/limits.toml [stores])
        self._driver = AsyncGraphDatabase.driver(uri, auth=(user, password))
        self._database = database

    async def _run(self, cypher: str, params: Mapping[str, Any] | None, mode: str) -> list[Row]:
        GRAPH_QUERIES.labels(self.engine, mode).inc()
        started = time.perf_counter()
        routing = "r" if mode == "read" else "w"
        try:
            with tracing.span(f"graph {mode}", **{"db.system": self.engine}):
                async with asyncio.timeout(call_timeout(self.timeout)), store_call():
                    records, _, _ = await self._driver.execute_query(
                        cypher, dict(params or {}), database_=self._database, routing_=routing
                    )
        except (ServiceUnavailable, SessionExpired, OSError) as exc:
            raise GraphUnavailable.of(self.engine, self.url, exc) from None
        finally:
            GRAPH_LATENCY.labels(self.engine).observe(time.perf_counter() - started)
        return [record.data() for record in records]

    async def setup(self, statements: Sequence[str]) -> None:
        for statement in statements:
            await self._run(statement, None, "write")

    async def bulk_load(self) -> None:
        """No bulk path: fresh loads go through Cypher CREATE."""
        return None

    async def bulk_done(self, load: Any) -> None:
        raise NotImplementedError

    async def read(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        return await self._run(cypher, params, "read")

    async def write(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        return await self._run(cypher, params, "write")

    async def clear(self) -> None:
        await self.write("MATCH (n) DETACH DELETE n")

    async def checkpoint(self) -> None:
        """Neo4j commits every transaction durably: nothing to do."""

    async def close(self) -> None:
        await self._driver.close()
