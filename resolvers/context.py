"""The per-request context every resolver receives as `info.context`."""

from dataclasses import dataclass, field
from typing import Any

from strawberry.types import Info as StrawberryInfo

from hub.access.principal import ANONYMOUS
from hub.access.view import AccessView, FieldRule, RowScope
from hub.audit.trail import Trail
from hub.entities import EntityService
from hub.errors import AccessDenied
from hub.loaders import Loaders
from hub.runtime import Runtime


def closed_view(version: str = "") -> AccessView:
    """Nothing readable: what a context gets when no view was computed for it."""
    return AccessView(ANONYMOUS, version, RowScope({}))


@dataclass
class Context:
    runtime: Runtime
    loaders: Loaders
    entities: EntityService
    request: Any = None
    response: Any = None
    view: AccessView = field(default_factory=closed_view)
    trail: Trail = field(default_factory=lambda: Trail(ANONYMOUS))
    # (start id, traversal, page size, id of the field's node) -> the targets, wrapped, when the
    # look-ahead got them ready with the start's level (resolvers.prefetch): their resolvers
    # answer without waiting. Per field node: aliases and other levels select other fields.
    ahead: dict[tuple[str, str, int, int], list[Any]] = field(default_factory=dict)
    # answer key -> data epoch, for kept answers looked up (and missed) before execution
    answers_looked_up: dict[str, int] = field(default_factory=dict)
    connection_params: Any = None  # a WebSocket's connection_init payload (strawberry sets it)
    judged: str | None = None  # the text last held against the caller's limits (resolvers.limits)

    @classmethod
    def for_request(
        cls,
        runtime: Runtime,
        request: Any = None,
        response: Any = None,
        view: AccessView | None = None,
    ) -> "Context":
        """Loaders and services cut to `view` (a closed view when none is given)."""
        view = view or closed_view(runtime.policies.version)
        loaders = Loaders(runtime, scope=view.rows)

        def readable(kind: str, name: str) -> bool:
            return view.field(kind, name) is FieldRule.ALLOW

        entities = EntityService(loaders, readable)
        return cls(runtime, loaders, entities, request, response, view, Trail(view.principal))

    def rebind(self, view: AccessView) -> None:
        """The connection now acts for another principal (a token in connection_init): its
        loaders, services and trail are cut to that principal's view."""
        fresh = Context.for_request(self.runtime, self.request, self.response, view)
        self.view, self.loaders, self.entities, self.trail = (
            view, fresh.loaders, fresh.entities, fresh.trail
        )

    def release(self) -> None:
        """The operation is answered: free what it loaded now rather than at the next pass of
        the cycle collector (see Loaders.release)."""
        self.loaders.release()
        self.ahead.clear()

    def require(self, obj: str, act: str) -> None:
        """FORBIDDEN unless the policy grants `act` on `obj` (mutations, statistics, the log)."""
        if not self.view.allows(obj, act):
            raise AccessDenied(f"your role may not {act} {obj}")


Info = StrawberryInfo[Context, None]
