"""One graph suite for every engine: FalkorDB always, Neo4j 5 whenever NEO4J_URI is set.

    NEO4J_URI=bolt://127.0.0.1:7687 NEO4J_USER=neo4j NEO4J_PASSWORD=... pytest tests/graph
"""

import os
from collections.abc import AsyncIterator, Callable

import pytest

from graph.falkordb_store import FalkorDBStore
from graph.neo4j_store import Neo4jStore
from graph.schema import falkordb_statements, neo4j_statements
from graph.store import GraphStore
from hub import embedded

ENGINES = ["falkordb"] + (["neo4j"] if os.environ.get("NEO4J_URI") else [])


GRAPH = "graph_suite"


def _open(engine: str, falkordb: embedded.EmbeddedFalkorDB) -> GraphStore:
    """A new connection to the suite's graph on `engine`."""
    if engine == "neo4j":
        return Neo4jStore(
            os.environ["NEO4J_URI"],
            os.environ.get("NEO4J_USER", "neo4j"),
            os.environ.get("NEO4J_PASSWORD", "neo4j"),
        )
    return FalkorDBStore(falkordb.url, GRAPH)


@pytest.fixture(params=ENGINES)
async def store(
    request: pytest.FixtureRequest, falkordb: embedded.EmbeddedFalkorDB
) -> AsyncIterator[GraphStore]:
    """An empty, indexed graph on the engine of this parameter."""
    graph = _open(request.param, falkordb)
    statements = neo4j_statements() if request.param == "neo4j" else falkordb_statements()
    await graph.setup(statements)
    await graph.clear()
    yield graph
    await graph.clear()
    await graph.close()


@pytest.fixture
def reopen(falkordb: embedded.EmbeddedFalkorDB) -> Callable[[str], GraphStore]:
    """Opens another connection to the suite's graph on an engine (the caller closes it)."""
    return lambda engine: _open(engine, falkordb)
