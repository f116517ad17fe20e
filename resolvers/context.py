"""The per-request context every resolver receives as `info.context`."""

from dataclasses import dataclass
from typing import Any

from strawberry.types import Info as StrawberryInfo

from hub.entities import EntityService
from hub.loaders import Loaders
from hub.runtime import Runtime


@dataclass
class Context:
    runtime: Runtime
    loaders: Loaders
    entities: EntityService
    request: Any = None
    response: Any = None

    @classmethod
    def for_request(cls, runtime: Runtime, request: Any = None, response: Any = None) -> "Context":
        loaders = Loaders(runtime, scope=None)
        return cls(runtime, loaders, EntityService(loaders), request, response)


Info = StrawberryInfo[Context, None]
