"""Entries of the event stream (`hub:stream:events`, see STREAMS.md) as the rules read them,
and their store: one row per (source, key), so an entry delivered twice is heard once."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from hub.alerts.records import Signal
from hub.alerts.rules import EVENT_TYPES

STREAM = "hub:stream:events"
GROUP = "hub-alerts"


class BadEntry(ValueError):
    """A stream entry the rules cannot read (counted and acknowledged, never retried)."""


@dataclass(frozen=True)
class Heard:
    source: str
    key: str
    type: str
    at: datetime
    place_id: str
    thing_id: str
    person_id: str
    jurisdiction: str
    value: float | None

    @property
    def ref(self) -> str:
        return f"{self.source}/{self.key}"


def parse(fields: Mapping[bytes | str, bytes | str]) -> Heard:
    """One entry's fields (strings, as STREAMS.md lists them)."""
    text = {_s(k): _s(v) for k, v in fields.items()}
    kind = text.get("type", "")
    if kind not in EVENT_TYPES:
        raise BadEntry(f"unknown event type {kind[:24]!r}")
    if not text.get("source") or not text.get("key"):
        raise BadEntry("an entry needs source and key")
    try:
        at = datetime.fromisoformat(text.get("at", ""))
    except ValueError:
        raise BadEntry("at is not ISO 8601") from None
    if at.tzinfo is None:
        raise BadEntry("at has no offset")
    value = text.get("value") or None
    try:
        number = float(value) if value is not None else None
    except ValueError:
        raise BadEntry("value is not a number") from None
    return Heard(text["source"][:48], text["key"][:128], kind, at.astimezone(UTC),
                 text.get("place", "")[:24], text.get("thing", "")[:24],
                 text.get("person", "")[:24], text.get("jurisdiction", "")[:14], number)


def _s(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


async def store(
    session: AsyncSession, heard: Sequence[Heard], buildings: Mapping[str, tuple[str, str]]
) -> list[Signal]:
    """Keep what was not heard before; returns the new rows (flushed, not committed)."""
    if not heard:
        return []
    rows = [_row(h, buildings) for h in heard]
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(Signal).on_conflict_do_nothing(index_elements=["source", "key"])
    result = await session.execute(statement.returning(Signal.id), rows)
    ids = [row[0] for row in result]
    if not ids:
        return []
    return list(await session.scalars(select(Signal).where(Signal.id.in_(ids))))


def _row(heard: Heard, buildings: Mapping[str, tuple[str, str]]) -> dict[str, object]:
    building, jurisdiction = buildings.get(heard.place_id, ("", ""))
    return {
        "source": heard.source, "key": heard.key, "type": heard.type, "at": heard.at,
        "place_id": heard.place_id, "building_id": building, "thing_id": heard.thing_id,
        "person_id": heard.person_id, "jurisdiction": heard.jurisdiction or jurisdiction,
        "value": heard.value,
    }
