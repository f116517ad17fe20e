"""Building connectors from department configs and finding who serves what."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

from hub.errors import ConfigError, ConnectorError
from hub.standard import EntityKind

from .base import BaseConnector, Connector, filter_columns
from .config import ConnectorConfig, TypeConfig, load_departments
from .file import FileConnector
from .rest import RestConnector
from .sql import SqlConnector
from .stream import StreamConnector

CONNECTORS_DIR_ENV = "HUB_CONNECTORS_DIR"

_KINDS: dict[str, type[BaseConnector]] = {
    "sql": SqlConnector,
    "rest": RestConnector,
    "file": FileConnector,
    "mqtt": StreamConnector,
    "webhook": StreamConnector,
}


def departments_dir() -> Path:
    """`$HUB_CONNECTORS_DIR`, else the department files shipped in this package."""
    configured = os.environ.get(CONNECTORS_DIR_ENV, "").strip()
    return Path(configured) if configured else Path(__file__).parent / "departments"


def build_connector(config: ConnectorConfig) -> Connector:
    try:
        return _KINDS[config.kind](config)
    except (ValueError, ImportError) as exc:  # e.g. an engine URL the driver rejects
        where = config.source_file or config.name
        raise ConfigError(f"{where}: url: cannot build a {config.kind} connector ({exc})") from exc


@dataclass(frozen=True)
class Source:
    """One record type of one connector that provides an entity kind."""

    connector: Connector
    record_type: str
    config: TypeConfig

    @property
    def name(self) -> str:
        return self.connector.name

    @property
    def priority(self) -> int:
        return self.connector.config.priority

    @property
    def ref(self) -> str:
        return f"{self.connector.name}/{self.record_type}"


class Registry:
    """All connectors by name, and the (connector, record type) pairs per entity kind."""

    def __init__(self, connectors: Iterable[Connector]) -> None:
        self._connectors: dict[str, Connector] = {}
        for connector in connectors:
            if connector.name in self._connectors:
                raise ConfigError(f"connector {connector.name!r} defined twice")
            self._connectors[connector.name] = connector

    @classmethod
    def from_configs(cls, configs: Iterable[ConnectorConfig]) -> Registry:
        return cls(build_connector(c) for c in configs)

    @classmethod
    def load(cls, data_dir: Path | str, directory: Path | str | None = None) -> Registry:
        """Load department files (default: `departments_dir()`) and build their connectors."""
        return cls.from_configs(load_departments(directory or departments_dir(), data_dir))

    def get(self, name: str) -> Connector:
        try:
            return self._connectors[name]
        except KeyError:
            raise ConnectorError(name, "no such connector", retriable=False) from None

    def __getitem__(self, name: str) -> Connector:
        return self.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._connectors

    def __iter__(self) -> Iterator[Connector]:
        return iter(self._ordered())

    def __len__(self) -> int:
        return len(self._connectors)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self._ordered()]

    def sources(self, kind: EntityKind | str, field: str | None = None) -> list[Source]:
        """Record types mapped to `kind` (and providing `field`), by priority then name."""
        kind = EntityKind(kind)
        return [
            s
            for s in self._all_sources()
            if s.config.entity == kind and (field is None or s.config.provides(field))
        ]

    def filterable(self, kind: EntityKind | str, field: str) -> list[Source]:
        """Record types of `kind` that can push a filter on `field` (or `_jurisdiction`)."""
        return [
            s
            for s in self.sources(kind)
            if field in filter_columns(s.connector.config.kind, s.config)
        ]

    async def close(self) -> None:
        await asyncio.gather(*(c.close() for c in self._connectors.values()))

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def _ordered(self) -> list[Connector]:
        return sorted(self._connectors.values(), key=lambda c: (c.config.priority, c.name))

    def _all_sources(self) -> Iterator[Source]:
        for connector in self._ordered():
            for record_type, tc in connector.config.types.items():
                yield Source(connector, record_type, tc)
