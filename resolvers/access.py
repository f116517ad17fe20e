"""Enforcement in the GraphQL layer: every field of every entity type passes one guard.

The guard applies the request's access view (allow / mask / absent: an absent field is never
fetched), records what was read for the access log, and writes that log in one batch when the
operation ends. Subscriptions resolve their payloads through the same types, so through the same
guard; their event sources must also admit only nodes the view's row scope admits
(`AccessView.rows`, as the loaders do).
"""

import inspect
from collections.abc import AsyncIterator, Callable
from typing import Any

from graphql import GraphQLError, GraphQLList, GraphQLNonNull, GraphQLResolveInfo
from strawberry.extensions import SchemaExtension

from hub.access.mask import mask
from hub.access.objects import ALWAYS, ENTITY_TYPES, Action, Obj
from hub.access.view import FieldRule
from hub.errors import AccessDenied, ErrorCode
from resolvers.context import Context

_ENTITY_TYPES = frozenset(ENTITY_TYPES)


def _empty(info: GraphQLResolveInfo) -> Any:
    """What an absent field answers: [] for a list the schema promises, else null."""
    kind = info.return_type
    if isinstance(kind, GraphQLNonNull):
        kind = kind.of_type
    return [] if isinstance(kind, GraphQLList) else None


async def _masked(result: Any, name: str) -> Any:
    return mask(name, await result)


class AccessGuard(SchemaExtension):
    """Field rules and the access log for every operation."""

    production = False  # ProductionGuard: the SDL (`_service`) only for roles that may read it

    def resolve(
        self, _next: Callable[..., Any], root: Any, info: GraphQLResolveInfo, *args: Any, **kw: Any
    ) -> Any:
        # Runs for every field of every answer: keep the common path to a few lookups.
        type_name = info.parent_type.name
        if type_name in _ENTITY_TYPES:
            name = info.field_name
            if name not in ALWAYS:
                context: Context = info.context
                rule = context.view.field(type_name, name)
                context.trail.read(type_name, root.node.id, name, rule.value)
                if rule is FieldRule.ALLOW:
                    return _next(root, info, *args, **kw)
                if rule is FieldRule.ABSENT:
                    return _empty(info)
                result = _next(root, info, *args, **kw)
                if inspect.isawaitable(result):
                    return _masked(result, name)
                return mask(name, result)
        elif self.production and info.field_name == "_service" and type_name == "Query":
            info.context.require(Obj.SCHEMA, Action.READ)
        return _next(root, info, *args, **kw)

    async def on_operation(self) -> AsyncIterator[None]:  # type: ignore[override]
        yield
        context: Context = self.execution_context.context
        result = self.execution_context.result
        errors = (result.errors or []) if result is not None else []
        codes = sorted({_code(e) for e in errors} - {""})
        denied = ErrorCode.FORBIDDEN.value in codes
        entry = context.trail.entry(
            self.execution_context.query,
            self.execution_context.operation_name,
            "deny" if denied else "allow",
            {"errors": codes} if codes else "",
        )
        try:
            await context.runtime.audit.append([entry])
        except Exception:  # no record, no answer: an access that cannot be logged is refused
            if result is not None:
                result.data = None
                result.errors = [
                    GraphQLError("the access log is unavailable", extensions={"code": "INTERNAL"})
                ]


def _code(error: GraphQLError) -> str:
    original = error.original_error
    if isinstance(original, AccessDenied):
        return ErrorCode.FORBIDDEN.value
    code = getattr(original, "code", None) or (error.extensions or {}).get("code")
    return str(getattr(code, "value", code or ""))


class ProductionGuard(AccessGuard):
    production = True
