"""The baseline: a plain script that fetches given records from the demo systems in parallel.

It uses each system's own interface (SQL, REST batch endpoints, CSV files already read into
memory, as a long-running script would keep them) and none of the hub's code.
"""

import asyncio
import csv
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite
import httpx

Ref = tuple[str, str, str]

POLICE_TABLES = {"resident": ("residents", "person_no"), "gate_event": ("gate_events", "event_no")}
FILES = {  # (connector, record type) -> CSV export under demo/, key column
    ("property", "room_owner"): ("property/rooms.csv", "room_id"),
    ("property", "room"): ("property/rooms.csv", "room_id"),
    ("property", "repair_order"): ("property/repair_orders.csv", "order_no"),
    ("property", "building"): ("property/buildings.csv", "building_id"),
    ("property", "facility"): ("property/facilities.csv", "facility_id"),
    ("hotline", "work_order"): ("hotline/work_orders.csv", "order_no"),
}


def refs_in(body: Any) -> list[Ref]:
    """Every (connector, record type, key) named by `sources` anywhere in a GraphQL answer."""
    found: set[Ref] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for source in value.get("sources") or []:
                found.add((source["connector"], source["recordType"], source["key"]))
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(body)
    return sorted(found)


def _read_csv(path: Path, key: str) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {row[key]: row for row in csv.DictReader(handle)}


class DirectFetcher:
    """Fetches refs from the departments. Each run opens its own connections, as a script run
    per question would; inside `keep_connections()` they stay open across runs, as in a
    long-running program (the hub keeps its own)."""

    def __init__(self, data_dir: Path, urls: dict[str, str]) -> None:
        self.police = data_dir / "demo" / "police.sqlite"
        self.civil = urls["HUB_CIVIL_URL"]
        self.urban = urls["HUB_URBAN_URL"]
        self.files = {
            source: _read_csv(data_dir / "demo" / name, key)
            for source, (name, key) in FILES.items()
        }
        self._http: httpx.AsyncClient | None = None
        self._db: aiosqlite.Connection | None = None

    @asynccontextmanager
    async def keep_connections(self) -> AsyncIterator[None]:
        async with httpx.AsyncClient(timeout=30) as http, aiosqlite.connect(self.police) as db:
            db.row_factory = aiosqlite.Row
            self._http, self._db = http, db
            try:
                yield
            finally:
                self._http = self._db = None

    async def timed(self, refs: list[Ref]) -> float:
        started = time.perf_counter()
        found = await self.fetch(refs)
        elapsed = time.perf_counter() - started
        if len(found) < len(refs):
            raise RuntimeError(f"direct fetch found {len(found)} of {len(refs)} records")
        return elapsed

    async def fetch(self, refs: list[Ref]) -> dict[Ref, Any]:
        groups: dict[tuple[str, str], list[str]] = defaultdict(list)
        for connector, record_type, key in refs:
            groups[(connector, record_type)].append(key)
        if self._http is not None:
            parts = await self._gather(self._http, groups)
        else:
            async with httpx.AsyncClient(timeout=30) as http:
                parts = await self._gather(http, groups)
        return {ref: row for part in parts for ref, row in part.items()}

    async def _gather(
        self, http: httpx.AsyncClient, groups: dict[tuple[str, str], list[str]]
    ) -> list[dict[Ref, Any]]:
        return await asyncio.gather(
            *(self._group(http, c, t, keys) for (c, t), keys in groups.items())
        )

    async def _group(
        self, http: httpx.AsyncClient, connector: str, record_type: str, keys: list[str]
    ) -> dict[Ref, Any]:
        if connector == "police":
            rows = await self._sql(record_type, keys)
        elif connector == "civil":
            answer = await http.post(
                f"{self.civil}/api/v1/care-records/batch-query", json={"ids": keys}
            )
            rows = {r["record_id"]: r for r in answer.json()["items"]}
        elif connector == "urban":
            answer = await http.get(f"{self.urban}/api/cases/batch", params={"ids": ",".join(keys)})
            rows = {r["case_no"]: r for r in answer.json()["data"]}
        else:
            table = self.files[(connector, record_type)]
            rows = {k: table[k] for k in keys if k in table}
        return {(connector, record_type, k): v for k, v in rows.items()}

    async def _sql(self, record_type: str, keys: list[str]) -> dict[str, Any]:
        table, key = POLICE_TABLES[record_type]
        marks = ",".join("?" * len(keys))
        query = f"SELECT * FROM {table} WHERE {key} IN ({marks})"
        if self._db is not None:
            cursor = await self._db.execute(query, keys)
            return {row[key]: dict(row) for row in await cursor.fetchall()}
        async with aiosqlite.connect(self.police) as db:
            db.row_factory = aiosqlite.Row
            cursor = await db.execute(query, keys)
            return {row[key]: dict(row) for row in await cursor.fetchall()}
