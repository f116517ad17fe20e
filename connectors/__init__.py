"""Config-driven readers of department systems. Knows nothing of GraphQL, graph or policy."""

from .base import Connector, QueryPage, Record, round_trips
from .config import ConnectorConfig, TypeConfig, load_department, load_departments
from .registry import Registry, Source, build_connector, departments_dir

__all__ = [
    "Connector",
    "ConnectorConfig",
    "QueryPage",
    "Record",
    "Registry",
    "Source",
    "TypeConfig",
    "build_connector",
    "departments_dir",
    "load_department",
    "load_departments",
    "round_trips",
]
