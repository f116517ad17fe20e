"""The GraphStore protocol: the only thing the hub knows about a graph engine."""

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from prometheus_client import Counter, Histogram

from hub import deadline

Row = dict[str, Any]

GRAPH_QUERIES = Counter("hub_graph_queries_total", "Cypher queries sent", ["engine", "mode"])
GRAPH_LATENCY = Histogram("hub_graph_latency_seconds", "Cypher query latency", ["engine"])


class GraphStore(Protocol):
    """Runs parameterised openCypher. Implementations convert driver errors to GraphUnavailable."""

    engine: str
    # Whether a label scan yields nodes in an order that is stable while the graph is unchanged
    # (FalkorDB: ascending internal id), so that pages can be cut from it without a sort.
    scan_is_ordered: bool

    async def setup(self, statements: Sequence[str]) -> None:
        """Create indexes and constraints; statements that already hold are ignored."""

    async def read(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        """A read-only query; rows as dicts keyed by the RETURN aliases."""
        ...

    async def write(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        """A write query (MERGE / SET / DELETE)."""
        ...

    async def clear(self) -> None:
        """Delete every node and relationship (tests, re-import)."""

    async def bulk_load(self) -> Any:
        """A loader that builds the graph anew (graph.bulk.BulkLoad) where the engine has one
        and the graph holds no linked node yet; None otherwise."""

    async def bulk_done(self, load: Any) -> None:
        """Finish a bulk load: the rest sent, indexes built."""

    async def checkpoint(self) -> None:
        """Persist what was written now (after a bulk load), where the engine persists only
        from time to time; a no-op where every transaction is durable."""

    async def close(self) -> None: ...


def call_timeout(request_timeout: float) -> float | None:
    """How long one graph call may take: within a request, its store timeout cut to the time
    the request has left (a store that does not answer fails the request, never holds it);
    outside one (linking, bulk writes) None: the connection's own long timeout."""
    if deadline.left() is None:
        return None
    return deadline.budget(request_timeout)
