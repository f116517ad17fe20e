"""Enforcement in the GraphQL layer: every field of every entity type passes one guard.

Attribute fields pass it per request level in `resolvers.common.wrap` (rules applied to the
hydrated values, the trail written once per level); every other entity field per field here.

The guard is installed on the built schema's entity-type fields (not as a per-field extension
hook, which would run for every field of every type: see bench/federated_core.py).

The guard applies the request's access view (allow / mask / absent: an absent field is never
fetched), records what was read for the access log, and writes that log in one batch when the
operation ends. Subscriptions resolve their payloads through the same types, so through the same
guard; their event sources must also admit only nodes the view's row scope admits
(`AccessView.rows`, as the loaders do).
"""

import inspect
from collections.abc import AsyncIterator, Callable
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLResolveInfo,
    GraphQLSchema,
    default_field_resolver,
)
from strawberry.extensions import SchemaExtension

from hub.access.mask import mask
from hub.access.objects import ALWAYS, ENTITY_TYPES, Action, Obj
from hub.access.view import FieldRule
from hub.errors import AccessDenied, ErrorCode
from resolvers.common import empty_connection
from resolvers.context import Context
from resolvers.fast import is_attribute
from resolvers.walk import GUARDED

_ENTITY_TYPES = frozenset(ENTITY_TYPES)


def _empty(info: GraphQLResolveInfo) -> Any:
    """What an absent field answers: [] for a list, an empty page for a connection, else null."""
    kind = info.return_type
    if isinstance(kind, GraphQLNonNull):
        kind = kind.of_type
    if isinstance(kind, GraphQLList):
        return []
    if getattr(kind, "name", "").endswith("Connection"):
        return empty_connection()
    return None


async def _masked(result: Any, name: str) -> Any:
    return mask(name, await result)


def guard_field(resolve: Callable[..., Any]) -> Callable[..., Any]:
    """`resolve` of one entity-type field behind the request's field rule, its read recorded."""

    def guarded(root: Any, info: GraphQLResolveInfo, *args: Any, **kw: Any) -> Any:
        context: Context = info.context
        name = info.field_name
        rule = context.view.field(info.parent_type.name, name)
        context.trail.read(info.parent_type.name, root.node.id, name, rule.value)
        if rule is FieldRule.ALLOW:
            return resolve(root, info, *args, **kw)
        if rule is FieldRule.ABSENT:
            return _empty(info)
        result = resolve(root, info, *args, **kw)
        if inspect.isawaitable(result):
            return _masked(result, name)
        return mask(name, result)

    setattr(guarded, GUARDED, resolve)  # resolvers.walk applies the same rule when it walks
    return guarded


def guard_schema_sdl(resolve: Callable[..., Any]) -> Callable[..., Any]:
    """In production the SDL (`_service`) is only for roles that may read the schema."""

    def guarded(root: Any, info: GraphQLResolveInfo, *args: Any, **kw: Any) -> Any:
        info.context.require(Obj.SCHEMA, Action.READ)
        return resolve(root, info, *args, **kw)

    return guarded


def install_guards(schema: GraphQLSchema, production: bool) -> None:
    """Every field of every entity type passes `guard_field` (installed once, at build time)."""
    for type_name in _ENTITY_TYPES:
        for name, field in schema.type_map[type_name].fields.items():  # type: ignore[union-attr]
            if name not in ALWAYS and not is_attribute(field):  # attributes: resolvers.common.wrap
                field.resolve = guard_field(field.resolve or default_field_resolver)
    if production:
        service = schema.query_type.fields["_service"]  # type: ignore[union-attr]
        service.resolve = guard_schema_sdl(service.resolve or default_field_resolver)


class AccessLog(SchemaExtension):
    """Writes the request's reads to the access log in one batch when the operation ends."""

    async def on_operation(self) -> AsyncIterator[None]:  # type: ignore[override]
        yield
        execution = self.execution_context
        await log_access(
            execution.context, execution.query, execution.operation_name, execution.result
        )


async def log_access(
    context: Context, query: str | None, operation_name: str | None, result: Any
) -> None:
    """The request's reads as one access log entry. No record, no answer: when the log cannot
    be written, `result` loses its data and says so."""
    errors = (result.errors or []) if result is not None else []
    codes = sorted({_code(e) for e in errors} - {""})
    denied = ErrorCode.FORBIDDEN.value in codes
    entry = context.trail.entry(
        query, operation_name, "deny" if denied else "allow", {"errors": codes} if codes else ""
    )
    try:
        await context.runtime.audit.append([entry])
    except Exception:
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
