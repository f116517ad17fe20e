"""Kept answers: the same entity read by the same caller, answered again without resolving it.

Dashboards and apps ask the same questions again and again. An answer is kept when the
operation is a query whose root fields all read entities (`people`, `place`, `node`, …: data
from the graph and the departments, nothing of the hub's own records that mutations change),
it has no errors, and every department it read allows caching. It is kept under the exact
query, operation and variables and the caller's identity, roles, jurisdictions and policy
version (what the caller may see is part of the answer), for the shortest cache TTL of the
departments it read, at most `answer_cache_seconds`. A linking run, a review decision or an
explicit record-cache invalidation retires every kept answer (hub/answers.py). An answer served
again is written to the access log exactly as the first one: same entities, same fields.

Over HTTP a kept answer is served before the operation is executed at all (`serve_kept`, from
hub.web): it was stored after a successful execution of this very text, variables and caller,
so nothing the execution checks could turn out differently.
"""

import functools
import hashlib
from collections.abc import AsyncIterator
from typing import Any

import orjson
from graphql import (
    ExecutionResult,
    FieldNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    parse,
)
from strawberry.extensions import SchemaExtension

from resolvers.access import log_access
from resolvers.context import Context

ENTITY_ROOTS = frozenset(
    {
        "node",
        "person",
        "people",
        "place",
        "places",
        "event",
        "events",
        "thing",
        "things",
        "organization",
        "organizations",
        "__typename",
    }
)


async def serve_kept(
    context: Context, query: str | None, operation_name: str | None, variables: Any
) -> ExecutionResult | None:
    """The kept answer to this request, logged as read again; None when there is none (the
    request is then executed, and its lookup is not repeated)."""
    key = answer_key(context, query, operation_name, variables)
    if key is None:
        return None
    kept, epoch = await context.runtime.answers.get(key)
    context.answers_looked_up[key] = epoch
    if kept is None:
        return None
    result = _served(context, kept)
    if context.runtime.settings.enforce_access:
        await log_access(context, query, operation_name, result)
    return result


def _served(context: Context, kept: dict[str, Any]) -> ExecutionResult:
    """A kept answer as this request's result, its reads on this request's trail."""
    context.trail.restore(kept["trail"])
    return ExecutionResult(data=kept["data"])


class AnswerCache(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:  # type: ignore[override]
        execution = self.execution_context
        context: Context = execution.context
        key = answer_key(context, execution.query, execution.operation_name, execution.variables)
        if key is None:
            yield
            return
        epoch = context.answers_looked_up.pop(key, None)
        if epoch is None:
            kept, epoch = await context.runtime.answers.get(key)
            if kept is not None:
                execution.result = _served(context, kept)
                yield
                return
        yield
        result = execution.result
        if not isinstance(result, ExecutionResult) or result.errors or result.data is None:
            return
        seconds = _seconds(context)
        await context.runtime.answers.put(key, epoch, result.data, context.trail.dump(), seconds)


def answer_key(
    context: Context, query: str | None, operation_name: str | None, variables: Any
) -> str | None:
    """The cache key of this operation for this caller, or None when it must not be kept."""
    if context.runtime.settings.answer_cache_seconds <= 0:
        return None
    if not query or not keepable(query, operation_name):
        return None
    view = context.view
    principal = view.principal
    identity = [principal.subject, sorted(principal.roles), sorted(principal.jurisdictions)]
    caller = [identity, view.policy_version, view.enforced]
    text = orjson.dumps(
        [query, operation_name, variables, caller],
        option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS,
        default=str,
    )
    return hashlib.sha256(text).hexdigest()


@functools.lru_cache(maxsize=512)
def keepable(query: str, operation_name: str | None) -> bool:
    """Whether answers to this operation may be kept: a query whose root fields all read
    entities. Text that does not parse is not (its execution reports why)."""
    try:
        document = parse(query)
    except GraphQLError:
        return False
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [
        o
        for o in operations
        if operation_name is None or (o.name and o.name.value == operation_name)
    ]
    if len(chosen) != 1 or chosen[0].operation is not OperationType.QUERY:
        return False
    selections = chosen[0].selection_set.selections
    return all(isinstance(s, FieldNode) and s.name.value in ENTITY_ROOTS for s in selections)


def _seconds(context: Context) -> int:
    """At most the setting, and no longer than any department read lets its records be kept."""
    registry = context.runtime.registry
    ttls = [int(registry.get(c).config.cache_ttl) for c in context.loaders.connectors_read()]
    return min([context.runtime.settings.answer_cache_seconds, *ttls])
