"""Reading every department's records for a linking run: all sources at once, in key order."""

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hub.errors import ConnectorError

Record = dict[str, Any]
Progress = Callable[[str, int], None]
KINDS = ("Place", "Person", "Event", "Thing", "Organization")

log = logging.getLogger("hub.linking")


@dataclass
class Scanned:
    """One record type's records from this run; `complete` when nothing was filtered by time;
    `failed` (why) when its department could not be read: nothing of it is linked or unlinked."""

    connector: str
    record_type: str
    spec: Any
    kind: str
    complete: bool
    records: list[Record] = field(default_factory=list)
    failed: str | None = None

    @property
    def ref(self) -> str:
        return f"{self.connector}/{self.record_type}"


async def _scan_one(source: Any, since: datetime | None, progress: Progress | None) -> Scanned:
    found = Scanned(
        source.name, source.record_type, source.config, source.config.entity.value, since is None
    )
    try:
        async for batch in source.connector.scan(source.record_type, since):
            found.records.extend(batch)
            if progress:
                progress(found.ref, len(batch))
    except ConnectorError as exc:  # the other departments are linked all the same
        log.warning("%s not read: %s (%s)", found.ref, exc.message, exc.detail or "-")
        return Scanned(found.connector, found.record_type, found.spec, found.kind, False,
                       failed=exc.message)
    return found


async def scan_all(
    registry: Any, since: Mapping[str, datetime | None], progress: Progress | None
) -> list[Scanned]:
    """Every record type of every department, concurrently (they are separate systems), in
    the order linking needs: places, then people by priority, then events and things.

    `since` maps 'connector/type' to the time of its last run; absent means a full scan."""
    sources = [s for kind in KINDS for s in registry.sources(kind)
               if not getattr(s.connector, "streamed", False)]  # linked as they arrive
    found: dict[str, Scanned] = {}
    # Files are parsed on the event loop: read them first, so that no network scan waits
    # behind a long parse and times out; then the departments' servers, all at once.
    for source in sources:
        if source.connector.kind == "file":
            scanned = await _scan_one(source, since.get(_ref(source)), progress)
            found[scanned.ref] = scanned
    remote = [s for s in sources if _ref(s) not in found]
    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(_scan_one(s, since.get(_ref(s)), progress)) for s in remote]
    found |= {task.result().ref: task.result() for task in tasks}
    return [found[_ref(s)] for s in sources]


def _ref(source: Any) -> str:
    return f"{source.name}/{source.record_type}"
