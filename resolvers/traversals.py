"""Paginated traversals as Relay connections: one Cypher query per request level."""

import datetime

from graph.model import Node
from hub.errors import BadInput, ErrorCode
from hub.ids import decode_cursor
from resolvers.common import Connection, E, connection, wrap
from resolvers.context import Info


def window(
    since: datetime.datetime | None, until: datetime.datetime | None
) -> tuple[int | None, int | None]:
    """A time window in epoch seconds; BAD_FILTER when it is empty."""
    start = int(since.timestamp()) if since else None
    end = int(until.timestamp()) if until else None
    if start is not None and end is not None and start >= end:
        raise BadInput("since must be earlier than until", ErrorCode.BAD_FILTER)
    return start, end


async def related_connection(
    info: Info,
    node: Node,
    traversal: str,
    cls: type[E],
    first: int,
    after: str | None,
    time_window: tuple[int | None, int | None] = (None, None),
) -> Connection[E]:
    """A page of a traversal, its requested attributes hydrated for the whole page at once."""
    page = await info.context.entities.related_page(
        node, traversal, cls.__name__, first, decode_cursor(after), time_window
    )
    return connection(page, await wrap(info, cls, page.nodes, "edges", "node"))
