"""Departments whose devices push events (kinds `mqtt`, `webhook`).

Their records are read like a SQL department's, from the department's bounded event store
(its `url`): the device register and the events' payloads stay there and are fetched live;
hub.streams writes what arrives into it and links each event into the graph as it comes.
The linker does not scan them (`streamed`): a full linking run must neither re-derive nor
unlink what the stream linked.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from .config import ConnectorConfig
from .sql import SqlConnector


class StreamConnector(SqlConnector):
    streamed = True

    def __init__(self, config: ConnectorConfig, engine: AsyncEngine | None = None) -> None:
        super().__init__(config, engine)
        self.kind = config.kind
