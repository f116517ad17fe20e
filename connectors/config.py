"""Department configuration: one TOML file per department system, validated at start-up.

Every problem becomes a `ConfigError` whose lines read `<file>: <field path>: <what is wrong>`.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Literal

import httpx
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationError,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from hub.errors import ConfigError
from hub.standard import STANDARD_FIELDS, EntityKind, FieldType

from .convert import convert_value
from .stream_config import StreamOptions, stream_problems

JURISDICTION = "_jurisdiction"
"""Pseudo field: the record's jurisdiction code (filtered by prefix)."""

Name = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
Scalar = bool | int | float | str
Kind = Literal["sql", "rest", "file", "mqtt", "webhook"]
STREAMED = ("mqtt", "webhook")
"""Kinds whose url is their event store (a SQL URL) and whose events arrive as they happen."""

# Synchronous SQLAlchemy drivers upgraded to their async sibling (the generator may share a URL).
_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+pysqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgresql+psycopg2": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RestOptions(_Strict):
    """How a REST record type is listed and batch-fetched."""

    pagination: Literal["page", "offset"] = "page"
    """`page`: ?page=1&page_size=N; `offset`: ?offset=0&limit=N."""
    items: Text = "items"
    total: Text = "total"
    max_page_size: int = Field(100, ge=1)
    since_param: Text | None = None
    batch_path: Text | None = None
    batch_method: Literal["post_json", "get_ids"] = "post_json"
    """`post_json`: POST {"<batch_param>": [...]}; `get_ids`: GET ?<batch_param>=a,b,c."""
    batch_param: Text = "ids"
    batch_items: Text | None = None
    """Items field of the batch response (default: `items`)."""
    batch_max: int = Field(100, ge=1)
    batch_idempotent: bool = True
    """A POST batch *query* reads only, so it may be retried."""
    item_path: Text | None = None
    """Single-record path with `{key}`, used for fetch when there is no batch endpoint."""


class TypeConfig(_Strict):
    """One record type of a department, mapped onto a standard entity kind."""

    entity: EntityKind
    source: Text
    """sql: table (`schema.table` allowed); rest: list path; file: CSV file name."""
    key: Text
    jurisdiction: Text | None = None
    """Column holding the jurisdiction code."""
    jurisdiction_via: Text | None = None
    """file only: standard reference field whose target record (see `refs`) gives the code."""
    updated: Text | None = None
    fields: dict[str, Text] = Field(default_factory=dict)
    constants: dict[str, Scalar] = Field(default_factory=dict)
    filters: dict[str, Text] = Field(default_factory=dict)
    refs: dict[str, Name] = Field(default_factory=dict)
    """Standard reference field -> record type of this department it points to."""
    link_keys: list[str] = Field(default_factory=list)
    rest: RestOptions | None = None

    @property
    def standard(self) -> dict[str, FieldType]:
        return STANDARD_FIELDS[self.entity]

    def field_type(self, field: str) -> FieldType:
        return self.standard[field]

    def provides(self, field: str) -> bool:
        return field in self.fields or field in self.constants


class ConnectorConfig(_Strict):
    """One department system."""

    name: Name
    title: Text
    kind: Kind
    url: Text
    url_env: Text | None = None
    cache_ttl: float = Field(60.0, ge=0)
    timeout: float = Field(5.0, gt=0)
    priority: int = 100
    """Lower wins when departments disagree."""
    retries: int = Field(2, ge=0, le=10)
    backoff: float = Field(0.2, ge=0)
    concurrency: int = Field(4, ge=1, le=64)
    scan_batch: int = Field(1000, ge=1)
    """Records per scan chunk (sql, file; rest scans page by `max_page_size`)."""
    types: Annotated[dict[Name, TypeConfig], Field(min_length=1)]
    stream: StreamOptions | None = None
    """mqtt and webhook departments: topics, payload mapping, where devices stand."""
    _source_file: str = PrivateAttr("")

    @property
    def source_file(self) -> str:
        """The file this config was loaded from ('' when built in code)."""
        return self._source_file


def load_departments(directory: Path | str, data_dir: Path | str) -> list[ConnectorConfig]:
    """Load and validate every `*.toml` in `directory`; any problem raises one ConfigError."""
    folder = Path(directory)
    files = sorted(folder.glob("*.toml")) if folder.is_dir() else []
    if not files:
        raise ConfigError(f"{_shown(folder)}: no department *.toml files found")
    configs: list[ConnectorConfig] = []
    problems: list[str] = []
    for path in files:
        try:
            configs.append(load_department(path, data_dir))
        except ConfigError as exc:
            problems.append(exc.message)
    problems.extend(_duplicate_names(configs))
    if problems:
        raise ConfigError("\n".join(problems))
    return sorted(configs, key=lambda c: (c.priority, c.name))


def load_department(path: Path | str, data_dir: Path | str) -> ConnectorConfig:
    """Load one department file."""
    path = Path(path)
    shown = _shown(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{shown}: cannot read ({type(exc).__name__})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{shown}: invalid TOML: {exc}") from exc
    try:
        config = ConnectorConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError("\n".join(f"{shown}: {p}" for p in _pydantic_problems(exc))) from exc
    problems = list(_semantic_problems(config))
    url, url_problem = _resolve_url(config, Path(data_dir))
    if url_problem:
        problems.append(url_problem)
    if problems:
        raise ConfigError("\n".join(f"{shown}: {p}" for p in problems))
    config = config.model_copy(update={"url": url})
    config._source_file = shown
    return config


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _pydantic_problems(exc: ValidationError) -> Iterator[str]:
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        message = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
        yield f"{where}: {message}"


def _duplicate_names(configs: list[ConnectorConfig]) -> Iterator[str]:
    seen: dict[str, str] = {}
    for config in configs:
        other = seen.setdefault(config.name, config.source_file)
        if other != config.source_file:
            yield f"{config.source_file}: name: {config.name!r} already used by {other}"


def _semantic_problems(config: ConnectorConfig) -> Iterator[str]:
    for type_name, tc in config.types.items():
        for path, message in _type_problems(config.kind, tc, set(config.types)):
            yield f"types.{type_name}.{path}: {message}"
        if _circular_jurisdiction(config, type_name):
            yield f"types.{type_name}.jurisdiction_via: circular reference"
    yield from stream_problems(config.kind, config.stream, set(config.types))


def _circular_jurisdiction(config: ConnectorConfig, type_name: str) -> bool:
    seen: set[str] = set()
    current: str | None = type_name
    while current is not None and current in config.types:
        if current in seen:
            return True
        seen.add(current)
        tc = config.types[current]
        current = tc.refs.get(tc.jurisdiction_via) if tc.jurisdiction_via else None
    return False


def _type_problems(kind: Kind, tc: TypeConfig, type_names: set[str]) -> Iterator[tuple[str, str]]:
    entity = tc.entity.value
    for field in tc.fields:
        if field not in tc.standard:
            yield f"fields.{field}", f"not a standard {entity} field"
    for field, value in tc.constants.items():
        if field not in tc.standard:
            yield f"constants.{field}", f"not a standard {entity} field"
        elif field in tc.fields:
            yield f"constants.{field}", "already mapped in fields"
        elif not _converts(value, tc.field_type(field)):
            yield f"constants.{field}", f"not a valid {tc.field_type(field).value}"
    yield from _filter_problems(kind, tc)
    for field, target in tc.refs.items():
        if field not in tc.fields:
            yield f"refs.{field}", "not a mapped field of this type"
        if target not in type_names:
            yield f"refs.{field}", f"no record type {target!r} in this department"
    for i, field in enumerate(tc.link_keys):
        if not tc.provides(field):
            yield f"link_keys.{i}", f"{field!r} is not mapped in fields"
    yield from _jurisdiction_problems(kind, tc)
    if (kind == "rest") != (tc.rest is not None):
        yield "rest", "required for kind 'rest'" if kind == "rest" else "only for kind 'rest'"


def _filter_problems(kind: Kind, tc: TypeConfig) -> Iterator[tuple[str, str]]:
    for field, column in tc.filters.items():
        if field != JURISDICTION and field not in tc.standard:
            yield f"filters.{field}", f"not a standard {tc.entity.value} field"
        elif kind == "file" and field != JURISDICTION and tc.fields.get(field) != column:
            yield f"filters.{field}", "file sources filter on the mapped column (fields)"
        elif kind != "rest" and field == JURISDICTION:
            yield f"filters.{field}", "only for kind 'rest' (sql/file use `jurisdiction`)"


def _jurisdiction_problems(kind: Kind, tc: TypeConfig) -> Iterator[tuple[str, str]]:
    if (tc.jurisdiction is None) == (tc.jurisdiction_via is None):
        yield "jurisdiction", "give exactly one of `jurisdiction` or `jurisdiction_via`"
    if tc.jurisdiction_via is not None:
        if kind != "file":
            yield "jurisdiction_via", "only for kind 'file'"
        elif tc.jurisdiction_via not in tc.refs:
            yield "jurisdiction_via", "must name a field listed in `refs`"


def _converts(value: Scalar, field_type: FieldType) -> bool:
    try:
        convert_value(value, field_type)
    except ValueError:
        return False
    return True


def _resolve_url(config: ConnectorConfig, data_dir: Path) -> tuple[str, str | None]:
    """Apply `url_env` and `{data_dir}`; check the URL fits the kind. Returns (url, problem)."""
    url = config.url
    if config.url_env and os.environ.get(config.url_env, "").strip():
        url = os.environ[config.url_env].strip()
    url = url.replace("{data_dir}", data_dir.resolve().as_posix())
    where = f"url (from ${config.url_env})" if url != config.url and config.url_env else "url"
    if "{" in url or "}" in url:
        return url, f"{where}: unknown placeholder (only {{data_dir}} is supported)"
    if config.kind == "sql" or config.kind in STREAMED:
        return _sql_url(url, where)
    if config.kind == "rest":
        scheme = httpx.URL(url).scheme if "://" in url else ""
        if scheme not in ("http", "https"):
            return url, f"{where}: a REST department needs an http(s) URL"
    return url, None


def _sql_url(url: str, where: str) -> tuple[str, str | None]:
    try:
        parsed = make_url(url)
        parsed = parsed.set(drivername=_ASYNC_DRIVERS.get(parsed.drivername, parsed.drivername))
        dialect = parsed.get_dialect()
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        return url, f"{where}: not a SQLAlchemy URL ({type(exc).__name__})"
    if not getattr(dialect, "is_async", False):
        return url, f"{where}: driver {parsed.drivername!r} is not async (use e.g. +asyncpg)"
    return parsed.render_as_string(hide_password=False), None
