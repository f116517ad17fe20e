"""Indexes and constraints per engine, over the labels of the link model.

Only what a query looks up: every index is kept up by every write. People's linking keys
(idKey, phoneKey) are not: an incremental run reads all people once (hub.linking.state)."""

from graph.model import LABELS


def falkordb_statements() -> list[str]:
    statements = [f"CREATE INDEX FOR (n:{label}) ON (n.id)" for label in LABELS]
    statements += [
        "CREATE INDEX FOR (n:Source) ON (n.ref)",
        "CREATE INDEX FOR (n:Person) ON (n.jurisdiction)",
        "CREATE INDEX FOR (n:Place) ON (n.level)",
        "CREATE INDEX FOR (n:Event) ON (n.at)",
    ]
    return statements


def neo4j_statements() -> list[str]:
    statements = [
        f"CREATE CONSTRAINT {label.lower()}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE"
        for label in LABELS
    ]
    statements += [
        "CREATE CONSTRAINT source_ref IF NOT EXISTS FOR (n:Source) REQUIRE n.ref IS UNIQUE",
        "CREATE INDEX person_jurisdiction IF NOT EXISTS FOR (n:Person) ON (n.jurisdiction)",
        "CREATE INDEX place_level IF NOT EXISTS FOR (n:Place) ON (n.level)",
        "CREATE INDEX event_at IF NOT EXISTS FOR (n:Event) ON (n.at)",
    ]
    return statements
