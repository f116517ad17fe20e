"""Appending to the access log, safely from many hub processes at once; retention.

Appends serialise on the chain's head: on PostgreSQL an advisory transaction lock; everywhere the
primary key on `seq`, so two writers that read the same head cannot both link to it (the loser
retries on the new head).

Within a process, appends are committed in groups: the requests that ask while a write is under
way are written together by the next one, in the order they asked, and each request still
returns only after its own entries are committed. A lone request writes at once; under load a
commit (and its fsync) serves many requests instead of one each.
"""

import asyncio
import contextlib
import json
import logging
import random
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from hub.audit.chain import GENESIS, link
from hub.audit.table import PAYLOAD, AccessEntry

log = logging.getLogger("hub.audit")

LOCK_KEY = 0x6875625F61756469  # "hub_audi": the advisory lock that serialises appends
RETENTION = "retention"


def now_text(at: datetime | None = None) -> str:
    return (at or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(value: Any) -> str:
    """A JSON column's text: keys sorted, no spaces, characters as they are."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def payload(**values: Any) -> dict[str, Any]:
    """An entry's payload with every column present, JSON columns encoded canonically."""
    out: dict[str, Any] = {name: "" for name in PAYLOAD}
    out["at"] = now_text()
    for name, value in values.items():
        if name not in out:
            raise ValueError(f"not an access log column: {name}")
        if not isinstance(value, str):
            value = canonical(value)
        out[name] = value
    return out


class AccessLog:
    """The hub's access log in its records database."""

    def __init__(self, engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.engine = engine
        self.sessions = sessions
        self._postgres = engine.dialect.name == "postgresql"
        self._lock = asyncio.Lock()  # one appender per process; others meet at the database
        # The chain's head as this process last wrote it: the next append links to it without
        # reading it back. Another process that appended meanwhile makes the insert collide
        # on `seq`; the head is then read again.
        self._head: tuple[int, str] | None = None
        self._retention: asyncio.Task[None] | None = None
        self._waiting: list[tuple[list[dict[str, Any]], asyncio.Future[int]]] = []
        self._writer: asyncio.Task[None] | None = None

    def keep(self, days: int, every_seconds: float = 24 * 3600, first_after: float = 60) -> None:
        """Prune past `days` now and then, in the background, until `close`."""

        async def loop() -> None:
            await asyncio.sleep(first_after)
            while True:
                try:
                    await self.prune(days)
                except Exception:  # retention retries tomorrow; appends are not affected
                    log.exception("access log retention failed")
                await asyncio.sleep(every_seconds)

        self._retention = asyncio.create_task(loop())

    async def close(self) -> None:
        if self._writer is not None:  # what was accepted is written before the engine goes
            await asyncio.gather(self._writer, return_exceptions=True)
        if self._retention is not None:
            self._retention.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._retention

    async def append(self, entries: Sequence[Mapping[str, Any]]) -> int:
        """Append `entries` (committed together with other requests' waiting then); returns
        the sequence number of the last of them, once committed."""
        if not entries:
            return 0
        done: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._waiting.append(([dict(e) for e in entries], done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_waiting())
        # shielded: a request that gives up still has its entries written, in order
        return await asyncio.shield(done)

    async def _write_waiting(self) -> None:
        while self._waiting:
            group, self._waiting = self._waiting, []
            try:
                last = await self._append_batch([e for entries, _ in group for e in entries])
            except Exception as error:  # every request of the group hears why
                for _, done in group:
                    if not done.done():
                        done.set_exception(error)
                continue
            remaining = sum(len(entries) for entries, _ in group)
            for entries, done in group:
                remaining -= len(entries)
                if not done.done():
                    done.set_result(last - remaining)

    async def _append_batch(self, entries: list[dict[str, Any]]) -> int:
        """Append one batch; returns the last sequence number."""
        async with self._lock:
            fast = self._postgres and self._head is not None
            if fast and await self._append_after_head(entries):
                return self._head[0]  # type: ignore[index]
            for attempt in range(50):
                try:
                    async with self.engine.begin() as connection:
                        rows = await self._append(connection, entries)
                    return self._wrote(rows)
                except (IntegrityError, OperationalError):
                    self._head = None
                    if attempt == 49:
                        raise
                    if attempt:
                        await asyncio.sleep(random.uniform(0.001, 0.02))  # another process won
        raise AssertionError("unreachable")

    async def _append_after_head(self, entries: list[dict[str, Any]]) -> bool:
        """One statement, one round trip (PostgreSQL; in a transaction it takes four: begin,
        lock, insert, commit): the batch linked to the head this process wrote, inserted in
        autocommit (a multi-row INSERT is atomic). False when another process appended
        meanwhile (the insert collides on `seq`): then the locked path reads the head."""
        assert self._head is not None
        rows = link(entries, *self._head)
        try:
            async with self.engine.connect() as connection:
                auto = await connection.execution_options(isolation_level="AUTOCOMMIT")
                await auto.execute(AccessEntry.__table__.insert().values(rows))
        except (IntegrityError, OperationalError):
            self._head = None
            return False
        self._wrote(rows)
        return True

    def _wrote(self, rows: list[dict[str, Any]]) -> int:
        """Note the new head (after the commit); its sequence number."""
        self._head = (int(rows[-1]["seq"]), str(rows[-1]["hash"]))
        return self._head[0]

    async def _append(
        self, db: AsyncSession | AsyncConnection, entries: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        if self._postgres:
            await db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
        head = self._head
        if head is None:
            found = (
                await db.execute(
                    select(AccessEntry.seq, AccessEntry.hash)
                    .order_by(AccessEntry.seq.desc())
                    .limit(1)
                )
            ).first()
            head = (found.seq, found.hash) if found else (0, GENESIS)
        rows = link(entries, *head)
        await db.execute(AccessEntry.__table__.insert(), rows)
        return rows

    async def prune(self, older_than_days: int, now: datetime | None = None) -> int:
        """Drop entries older than the retention; a `retention` entry anchors what remains."""
        cutoff = now_text((now or datetime.now(UTC)) - timedelta(days=older_than_days))
        async with self._lock, self.sessions.begin() as session:
            self._head = None  # read it here; the retention marker below moves it
            if self._postgres:
                await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
            last = (
                await session.execute(
                    select(AccessEntry.seq, AccessEntry.hash)
                    .where(AccessEntry.at < cutoff)
                    .order_by(AccessEntry.seq.desc())
                    .limit(1)
                )
            ).first()
            if last is None:
                return 0
            count = await session.scalar(
                select(func.count()).select_from(AccessEntry).where(AccessEntry.seq <= last.seq)
            )
            marker = payload(
                principal="hub",
                decision=RETENTION,
                detail={"through": last.seq, "anchor": last.hash, "removed": count},
            )
            await self._append(session, [marker])
            await session.execute(delete(AccessEntry).where(AccessEntry.seq <= last.seq))
        return int(count or 0)
