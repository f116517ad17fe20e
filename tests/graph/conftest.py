"""One graph suite for every engine: FalkorDB always, Neo4j 5 whenever NEO4J_URI is set.

    NEO4J_URI=bolt://127.0.0.1:7687 NEO4J_USER=neo4j NEO4J_PASSWORD=... pytest tests/graph
"""

import os
from collections.abc import AsyncIterator

import pytest

from graph.falkordb_store import FalkorDBStore
from graph.neo4j_store import Neo4jStore
from graph.schema import falkordb_statements, neo4j_statements
from graph.store import GraphStore
from hub import embedded

ENGINES = ["falkordb"] + (["neo4j"] if os.environ.get("NEO4J_URI") else [])


@pytest.fixture(params=ENGINES)
async def store(
    request: pytest.FixtureRequest, falkordb: embedded.EmbeddedFalkorDB
) -> AsyncIterator[GraphStore]:
    """An empty, indexed graph on the engine of this parameter."""
    if request.param == "neo4j":
        graph: GraphStore = Neo4jStore(
            os.environ["NEO4J_URI"],
            os.environ.get("NEO4J_USER", "neo4j"),
            os.environ.get("NEO4J_PASSWORD", "neo4j"),
        )
        statements = neo4j_statements()
    else:
        graph = FalkorDBStore(falkordb.url, "graph_suite")
        statements = falkordb_statements()
    await graph.setup(statements)
    await graph.clear()
    yield graph
    await graph.clear()
    await graph.close()
