"""A stream department's event store: its device register, its events (bounded) and the
messages kept aside (dead letters). In the demo the hub keeps it for the platform; in
production the platform's own store, reached by the department's `url`, answers the reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

metadata = sa.MetaData()

devices = sa.Table(
    "devices", metadata,
    sa.Column("device_id", sa.Text, primary_key=True),
    sa.Column("name", sa.Text),
    sa.Column("category", sa.Text),
    sa.Column("status", sa.Text),
    sa.Column("installed_at", sa.Text),
    sa.Column("building_id", sa.Text),
    sa.Column("room_id", sa.Text),
    sa.Column("jurisdiction", sa.Text),
)

events = sa.Table(
    "events", metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_key", sa.Text, nullable=False, unique=True),
    sa.Column("device_id", sa.Text, nullable=False),
    sa.Column("event_type", sa.Text, nullable=False),
    sa.Column("category", sa.Text),
    sa.Column("title", sa.Text),
    sa.Column("detail", sa.Text),
    sa.Column("occurred_at", sa.Text, nullable=False),
    sa.Column("value", sa.Float),
    sa.Column("room_id", sa.Text),
    sa.Column("jurisdiction", sa.Text),
    sa.Column("streamed", sa.Boolean, nullable=False, default=False),
)

dead_letters = sa.Table(
    "dead_letters", metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("received_at", sa.Text, nullable=False),
    sa.Column("topic", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("payload", sa.LargeBinary, nullable=False),
)


@dataclass(frozen=True)
class Device:
    key: str
    building: str | None
    room: str | None
    jurisdiction: str | None


class EventStore:
    def __init__(self, engine: AsyncEngine, keep: int) -> None:
        self.engine = engine
        self.keep = keep

    async def create(self) -> None:
        url = self.engine.url
        if url.get_backend_name() == "sqlite" and url.database:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        async with self.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)

    async def devices(self, keys: Sequence[str] | None = None) -> list[Device]:
        stmt = sa.select(devices.c.device_id, devices.c.building_id, devices.c.room_id,
                         devices.c.jurisdiction)
        if keys is not None:
            stmt = stmt.where(devices.c.device_id.in_(list(keys)))
        async with self.engine.connect() as conn:
            rows = (await conn.execute(stmt)).all()
        return [Device(r[0], r[1], r[2], r[3]) for r in rows]

    async def store(self, rows: list[dict[str, Any]]) -> set[str]:
        """Insert the events not stored yet; returns the keys of those not yet streamed (the
        new ones, and earlier ones whose linking a crash cut short): one transaction."""
        keys = [r["event_key"] for r in rows]
        async with self.engine.begin() as conn:
            known = dict((await conn.execute(
                sa.select(events.c.event_key, events.c.streamed)
                .where(events.c.event_key.in_(keys)))).all())
            new = [r for r in rows if r["event_key"] not in known]
            if new:
                await conn.execute(events.insert(), new)
        return {r["event_key"] for r in new} | {k for k, done in known.items() if not done}

    async def mark_streamed(self, keys: Sequence[str]) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(events.update().where(events.c.event_key.in_(list(keys)))
                               .values(streamed=True))

    async def set_aside(self, letters: list[dict[str, Any]]) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(dead_letters.insert(), letters)

    async def bound(self) -> int:
        """Drop the oldest events beyond `keep`; returns how many went."""
        async with self.engine.begin() as conn:
            top = (await conn.execute(sa.select(sa.func.max(events.c.seq)))).scalar()
            if top is None or top <= self.keep:
                return 0
            done = await conn.execute(events.delete().where(events.c.seq <= top - self.keep))
        return done.rowcount or 0

    async def counts(self) -> dict[str, int]:
        async with self.engine.connect() as conn:
            stored = (await conn.execute(sa.select(sa.func.count()).select_from(events))).scalar()
            aside = (await conn.execute(
                sa.select(sa.func.count()).select_from(dead_letters))).scalar()
        return {"events": int(stored or 0), "dead_letters": int(aside or 0)}

    async def dead(self, limit: int = 100) -> list[dict[str, Any]]:
        stmt = sa.select(dead_letters).order_by(dead_letters.c.seq.desc()).limit(limit)
        async with self.engine.connect() as conn:
            return [dict(r._mapping) for r in (await conn.execute(stmt)).all()]
