"""Alembic's environment for the hub records (hub.records.migrate runs it on a connection)."""

from typing import Any

from alembic import context
from alembic.autogenerate.api import AutogenContext

from hub.records import tables  # noqa: F401  (every domain's tables on Base)
from hub.records.db import Base


def render_item(kind: str, item: Any, autogen_context: AutogenContext) -> str | bool:
    """Our own column types render with their module's full name, which the revision imports."""
    module = type(item).__module__
    if kind == "type" and module.startswith("hub."):
        autogen_context.imports.add(f"import {module}")
    return False  # Alembic's own rendering


context.configure(
    connection=context.config.attributes["connection"],
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite alters a table by copying it
    compare_type=True,
    render_item=render_item,
)
with context.begin_transaction():
    context.run_migrations()
