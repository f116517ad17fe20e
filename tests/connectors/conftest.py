"""Real fixture sources for the connector contract suite: a SQLite file (and PostgreSQL), a
uvicorn-served stand-in for the civil and urban REST systems, and CSV exports in tmp_path.
Connectors are built from the real department files with the `url_env` overrides."""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

import connectors
from connectors import Connector, ConnectorConfig, build_connector, load_departments
from tests.connectors import data
from tests.connectors.server import FixtureServer
from tests.support.fixtures import postgres  # noqa: F401  (session PostgreSQL server)
from tests.support.postgres import PostgresServer

DEPARTMENTS = Path(connectors.__file__).parent / "departments"
SCOPE = ["330105004001", "330105005"]


@dataclass(frozen=True)
class Case:
    """What one connector must return from the fixture rows in tests/connectors/data.py."""

    connector: str
    record_type: str
    keys: list[str]
    malformed: str
    malformed_field: str
    sample_key: str
    sample: dict[str, Any]
    filters: dict[str, object]
    filtered: list[str]
    scoped: list[str]
    since_keys: list[str]
    backend: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def good(self) -> list[str]:
        return [k for k in self.keys if k != self.malformed]

    @property
    def kind(self) -> str:
        return {"police": "sql", "civil": "rest", "urban": "rest", "property": "file"}[
            self.connector
        ]


def _keys(rows: list[dict[str, Any]], key: str) -> list[str]:
    return sorted(r[key] for r in rows)


POLICE = Case(
    connector="police",
    record_type="resident",
    keys=_keys(data.RESIDENTS, "person_no"),
    malformed=data.MALFORMED_RESIDENT,
    malformed_field="birthDate",
    sample_key="GA00000001",
    sample={
        "name": "王伟",
        "gender": "男",
        "birthDate": date(1980, 1, 1),
        "phone": "13800000001",
        "householdNo": "HH0001",
        "_jurisdiction": data.G1,
    },
    filters={"gender": "女"},
    filtered=[f"GA{n:08d}" for n in (2, 4, 6, 8, 10, 12)],
    scoped=[f"GA{n:08d}" for n in (1, 2, 3, 4, 5, 6, 7, 11, 12)],
    since_keys=[f"GA{n:08d}" for n in range(8, 13)],
)
CIVIL = Case(
    connector="civil",
    record_type="care_record",
    keys=_keys(data.CARE_RECORDS, "record_id"),
    malformed=data.MALFORMED_CARE,
    malformed_field="subsidyAmount",
    sample_key="MZ0000004",
    sample={
        "livingAlone": True,
        "subsidyAmount": 400.0,
        "careLevel": "半失能",
        "disabilityGrade": "二级",
        "_jurisdiction": "330105004001",
    },
    filters={"name": "王芳"},
    filtered=["MZ0000003", "MZ0000009"],
    scoped=[f"MZ{n:07d}" for n in (1, 2, 3, 4, 8, 9, 10)],
    since_keys=[f"MZ{n:07d}" for n in range(7, 11)],
)
URBAN = Case(
    connector="urban",
    record_type="case",
    keys=_keys(data.CASES, "case_no"),
    malformed=data.MALFORMED_CASE,
    malformed_field="occurredAt",
    sample_key="CG000003",
    sample={
        "eventType": "urban_case",
        "occurredAt": datetime(2024, 1, 3, 10, 0),
        "closedAt": datetime(2024, 1, 3, 18, 0),
        "status": "已结案",
        "reporterPhone": "13900000003",
        "timeline": [{"at": "2024-01-03T10:00:00", "action": "受理", "by": "网格员"}],
        "_jurisdiction": data.G1,
    },
    filters={"status": "已结案"},
    filtered=["CG000003", "CG000006", "CG000009"],
    scoped=[f"CG{n:06d}" for n in (1, 2, 3, 4, 5, 9, 10)],
    since_keys=[f"CG{n:06d}" for n in range(6, 11)],
)
PROPERTY = Case(
    connector="property",
    record_type="room_owner",
    keys=_keys(data.ROOMS, "room_id"),
    malformed=data.MALFORMED_ROOM,
    malformed_field="areaSqm",
    sample_key="R002",
    sample={
        "name": "张强",
        "phone": "13700000002",
        "roomKey": "R002",
        "areaSqm": 82.5,
        "_jurisdiction": data.G1,
    },
    filters={"phone": "13700000003"},
    filtered=["R003"],
    scoped=["R001", "R002", "R003", "R007", "R008", "R009"],
    since_keys=[k for k in _keys(data.ROOMS, "room_id") if k != data.MALFORMED_ROOM],
)
CASES = {
    "police-sqlite": POLICE,
    "police-postgres": Case(**{**POLICE.__dict__, "backend": "postgres"}),
    "civil": CIVIL,
    "urban": URBAN,
    "property": PROPERTY,
}


# --- sources -------------------------------------------------------------------------------


def police_tables() -> tuple[sa.MetaData, sa.Table, sa.Table]:
    meta = sa.MetaData()
    text = [sa.Column(c, sa.String) for c in data.RESIDENTS[0] if c not in ("updated_at",)]
    residents = sa.Table(
        "residents",
        meta,
        *text,
        sa.Column("updated_at", sa.DateTime),
        sa.PrimaryKeyConstraint("person_no"),
    )
    gate = [sa.Column(c, sa.String) for c in data.GATE_EVENTS[0] if c != "occurred_at"]
    gate_events = sa.Table("gate_events", meta, *gate, sa.Column("occurred_at", sa.DateTime))
    return meta, residents, gate_events


async def write_police(url: str) -> None:
    meta, residents, gate_events = police_tables()
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(meta.drop_all)
            await conn.run_sync(meta.create_all)
            await conn.execute(residents.insert(), data.RESIDENTS)
            await conn.execute(gate_events.insert(), data.GATE_EVENTS)
    finally:
        await engine.dispose()


def write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def write_property(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(folder / "buildings.csv", data.BUILDINGS)
    write_csv(folder / "rooms.csv", data.ROOMS)
    write_csv(folder / "repair_orders.csv", data.REPAIR_ORDERS)
    write_csv(folder / "facilities.csv", data.FACILITIES)
    return folder


@pytest.fixture(scope="session")
def fixture_server() -> Iterator[FixtureServer]:
    server = FixtureServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def server(fixture_server: FixtureServer) -> FixtureServer:
    fixture_server.state.reset()
    return fixture_server


@pytest_asyncio.fixture
async def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{(tmp_path / 'police.sqlite').as_posix()}"
    await write_police(url)
    return url


@pytest.fixture
def property_dir(tmp_path: Path) -> Path:
    return write_property(tmp_path / "property")


@pytest.fixture
def hotline_dir(tmp_path: Path) -> Path:
    """Two 12345 work orders, as the hotline exports them (UTF-8 with BOM)."""
    folder = tmp_path / "hotline"
    folder.mkdir()
    (folder / "work_orders.csv").write_text(
        "order_no,received_at,caller_phone,address,content,category,community_code,status,"
        "replied_at,closed_at,satisfaction\r\n"
        "GD2024010100001,2024-01-01T09:00:00+08:00,13800000001,和睦新村3幢,电梯坏了,"
        "住房保障与物业,330105004001,已办结,2024-01-01T10:00:00+08:00,"
        "2024-01-03T10:00:00+08:00,满意\r\n"
        "GD2024010100002,2024-01-01T11:00:00+08:00,,和睦新村5幢,路灯不亮,市容环卫,"
        "330105004001,处理中,,,\r\n",
        encoding="utf-8-sig",
    )
    return folder


@pytest.fixture
def departments(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    server: FixtureServer,
    property_dir: Path,
    hotline_dir: Path,
    sqlite_url: str,
) -> dict[str, ConnectorConfig]:
    """The real department files, pointed at the fixture sources through their url_env."""
    monkeypatch.setenv("HUB_POLICE_URL", sqlite_url)
    monkeypatch.setenv("HUB_CIVIL_URL", server.url)
    monkeypatch.setenv("HUB_URBAN_URL", server.url)
    monkeypatch.setenv("HUB_PROPERTY_DIR", str(property_dir))
    monkeypatch.setenv("HUB_HOTLINE_DIR", str(hotline_dir))
    return {c.name: c for c in load_departments(DEPARTMENTS, tmp_path)}


def shrink(config: ConnectorConfig, size: int) -> ConnectorConfig:
    """Small pages and scan chunks, so a few fixture rows span several of them."""
    types = {
        name: tc.model_copy(update={"rest": tc.rest.model_copy(update={"max_page_size": size})})
        if tc.rest
        else tc
        for name, tc in config.types.items()
    }
    return config.model_copy(update={"scan_batch": size, "types": types})


Make = Callable[..., Awaitable[Connector]]


@pytest_asyncio.fixture
async def make(
    departments: dict[str, ConnectorConfig], request: pytest.FixtureRequest
) -> AsyncIterator[Make]:
    """`await make("civil", page=3, backend="postgres")` builds a connector; all are closed."""
    built: list[Connector] = []

    async def factory(name: str, page: int | None = None, backend: str = "") -> Connector:
        config = departments[name]
        if backend == "postgres":
            server: PostgresServer = request.getfixturevalue("postgres")
            await write_police(server.async_url)
            config = config.model_copy(update={"url": server.async_url})
        if page is not None:
            config = shrink(config, page)
        connector = build_connector(config)
        built.append(connector)
        return connector

    try:
        yield factory
    finally:
        for connector in built:
            await connector.close()


@pytest.fixture(params=list(CASES))
def case(request: pytest.FixtureRequest) -> Case:
    return CASES[request.param]


def retype(
    config: ConnectorConfig,
    record_type: str,
    rest: dict[str, Any] | None = None,
    **updates: Any,
) -> ConnectorConfig:
    """A copy of `config` with one record type (and its `rest` options) changed."""
    tc = config.types[record_type]
    if rest is not None:
        assert tc.rest is not None
        updates["rest"] = tc.rest.model_copy(update=rest)
    types = {**config.types, record_type: tc.model_copy(update=updates)}
    return config.model_copy(update={"types": types})
