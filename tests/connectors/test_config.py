"""Department files: the real ones validate; broken ones fail naming file and field path."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors import departments_dir, load_department, load_departments
from hub.errors import ConfigError
from hub.standard import STANDARD_FIELDS, EntityKind
from tests.connectors.conftest import DEPARTMENTS

URL_ENVS = ("HUB_POLICE_URL", "HUB_CIVIL_URL", "HUB_URBAN_URL", "HUB_PROPERTY_DIR")

REST = """
name = "civil"
title = "民政"
kind = "rest"
url = "http://127.0.0.1:8101"

[types.care_record]
entity = "Person"
source = "/api/v1/care-records"
key = "record_id"
jurisdiction = "community_code"

[types.care_record.rest]
batch_path = "/api/v1/care-records/batch-query"

[types.care_record.fields]
name = "name"
"""

SQL = """
name = "police"
title = "公安"
kind = "sql"
url = "sqlite+aiosqlite:///{data_dir}/police.sqlite"

[types.resident]
entity = "Person"
source = "residents"
key = "person_no"
jurisdiction = "grid_code"

[types.resident.fields]
name = "name"
"""


@pytest.fixture(autouse=True)
def _no_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*URL_ENVS, "HUB_CONNECTORS_DIR"):
        monkeypatch.delenv(name, raising=False)


def test_real_departments_load(tmp_path: Path) -> None:
    configs = {c.name: c for c in load_departments(DEPARTMENTS, tmp_path)}
    assert list(configs) == [  # by priority
        "police", "civil", "urban", "property", "hotline", "security", "property_iot", "lights"
    ]
    assert {c.kind for c in configs.values()} == {"sql", "rest", "file", "mqtt", "webhook"}
    assert set(configs["police"].types) == {"resident", "gate_event"}
    assert set(configs["property"].types) == {
        "building",
        "room",
        "room_owner",
        "repair_order",
        "facility",
    }
    data_dir = tmp_path.resolve().as_posix()
    assert configs["police"].url == f"sqlite+aiosqlite:///{data_dir}/demo/police.sqlite"
    assert configs["property"].url == f"{data_dir}/demo/property"
    assert configs["hotline"].url == f"{data_dir}/demo/hotline"
    assert configs["civil"].url == "http://127.0.0.1:8101"
    assert configs["urban"].url == "http://127.0.0.1:8102"
    for config in configs.values():
        assert config.title and not config.title.isascii()
        assert config.source_file.endswith(f"departments/{config.name}.toml")
        for tc in config.types.values():
            assert set(tc.fields) <= set(STANDARD_FIELDS[tc.entity])
    assert configs["police"].types["gate_event"].entity == EntityKind.EVENT
    assert configs["urban"].types["case"].constants == {"eventType": "urban_case"}


def test_default_directory_and_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert departments_dir() == DEPARTMENTS
    monkeypatch.setenv("HUB_CONNECTORS_DIR", str(tmp_path))
    assert departments_dir() == tmp_path


def test_url_env_overrides_and_sync_urls_become_async(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HUB_POLICE_URL", "postgresql://hub@db.example:5432/police")
    monkeypatch.setenv("HUB_CIVIL_URL", "http://civil.internal:9000")
    configs = {c.name: c for c in load_departments(DEPARTMENTS, tmp_path)}
    assert configs["police"].url == "postgresql+asyncpg://hub@db.example:5432/police"
    assert configs["civil"].url == "http://civil.internal:9000"


BROKEN = {
    "misspelt_field": (
        REST.replace('name = "name"', 'nmae = "name"'),
        "types.care_record.fields.nmae: not a standard Person field",
    ),
    "unknown_top_key": ('colour = "red"\n' + REST, "colour: unknown key"),
    "unknown_type_key": (
        REST.replace('key = "record_id"', 'key = "record_id"\nfieldz = 1'),
        "types.care_record.fieldz: unknown key",
    ),
    "bad_kind": (REST.replace('kind = "rest"', 'kind = "ftp"'), "kind: Input should be"),
    "bad_entity": (
        REST.replace('entity = "Person"', 'entity = "Persn"'),
        "types.care_record.entity: Input should be",
    ),
    "missing_key": (
        REST.replace('key = "record_id"\n', ""),
        "types.care_record.key: Field required",
    ),
    "bad_constant": (
        SQL + '[types.resident.constants]\nlivingAlone = "sometimes"\n',
        "types.resident.constants.livingAlone: not a valid bool",
    ),
    "constant_not_standard": (
        SQL + '[types.resident.constants]\ncolour = "red"\n',
        "types.resident.constants.colour: not a standard Person field",
    ),
    "rest_without_rest": (
        REST.replace(
            '[types.care_record.rest]\nbatch_path = "/api/v1/care-records/batch-query"\n', ""
        ),
        "types.care_record.rest: required for kind 'rest'",
    ),
    "rest_on_sql": (SQL + "[types.resident.rest]\n", "types.resident.rest: only for kind 'rest'"),
    "sync_only_driver": (
        SQL.replace("sqlite+aiosqlite:///{data_dir}/police.sqlite", "mysql+pymysql://h/db"),
        "url: driver 'mysql+pymysql' is not async",
    ),
    "rest_not_http": (
        REST.replace("http://127.0.0.1:8101", "ftp://127.0.0.1"),
        "url: a REST department needs an http(s) URL",
    ),
    "unknown_placeholder": (SQL.replace("{data_dir}", "{data_root}"), "url: unknown placeholder"),
    "bad_ref": (
        SQL + '[types.resident.refs]\nname = "household"\n',
        "types.resident.refs.name: no record type 'household' in this department",
    ),
    "unmapped_link_key": (
        SQL.replace(
            'jurisdiction = "grid_code"', 'jurisdiction = "grid_code"\nlink_keys = ["idNumber"]'
        ),
        "types.resident.link_keys.0: 'idNumber' is not mapped in fields",
    ),
    "filter_not_standard": (
        SQL + '[types.resident.filters]\nshoeSize = "shoe"\n',
        "types.resident.filters.shoeSize: not a standard Person field",
    ),
    "no_jurisdiction": (
        SQL.replace('jurisdiction = "grid_code"\n', ""),
        "types.resident.jurisdiction: give exactly one",
    ),
    "negative_timeout": ("timeout = -1\n" + SQL, "timeout: Input should be greater than 0"),
    "bad_type_name": (
        SQL.replace("types.resident", "types.Resident"),
        "types.Resident.[key]: String should",
    ),
    "no_types": (SQL.split("[types")[0], "types: Field required"),
    "invalid_toml": (SQL + "name = \n", "invalid TOML"),
    "circular_jurisdiction": (
        """name = "prop"\ntitle = "物业"\nkind = "file"\nurl = "{data_dir}"\n"""
        + "".join(
            f"""[types.{a}]\nentity = "Place"\nsource = "{a}.csv"\nkey = "id"\n"""
            f"""jurisdiction_via = "buildingKey"\nfields = {{ buildingKey = "ref" }}\n"""
            f"""refs = {{ buildingKey = "{b}" }}\n"""
            for a, b in (("room", "unit"), ("unit", "room"))
        ),
        "types.room.jurisdiction_via: circular reference",
    ),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_file_names_file_and_field(case: str, tmp_path: Path) -> None:
    text, expected = BROKEN[case]
    path = tmp_path / f"{case}.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_department(path, tmp_path)
    assert f"{case}.toml: {expected}" in caught.value.message


def test_every_broken_file_is_reported_at_once(tmp_path: Path) -> None:
    for case in ("misspelt_field", "bad_kind", "sync_only_driver"):
        (tmp_path / f"{case}.toml").write_text(BROKEN[case][0], encoding="utf-8")
    (tmp_path / "good.toml").write_text(SQL.replace('"police"', '"census"'), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_departments(tmp_path, tmp_path)
    lines = caught.value.message.splitlines()
    assert len(lines) == 3
    for case in ("misspelt_field", "bad_kind", "sync_only_driver"):
        assert any(
            line.startswith(f"{tmp_path.as_posix()}/{case}.toml: ") or f"{case}.toml: " in line
            for line in lines
        )


def test_duplicate_names_across_files(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text(SQL, encoding="utf-8")
    (tmp_path / "b.toml").write_text(SQL, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"b\.toml: name: 'police' already used by .*a\.toml"):
        load_departments(tmp_path, tmp_path)


def test_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no department"):
        load_departments(tmp_path, tmp_path)
