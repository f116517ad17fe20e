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
"""

import hashlib
from collections.abc import AsyncIterator
from typing import Any

import orjson
from graphql import ExecutionResult, FieldNode, OperationDefinitionNode
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

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


class AnswerCache(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:  # type: ignore[override]
        execution = self.execution_context
        context: Context = execution.context
        key = _key(execution, context)
        if key is None:
            yield
            return
        kept, epoch = await context.runtime.answers.get(key)
        if kept is not None:
            context.trail.restore(kept["trail"])
            execution.result = ExecutionResult(data=kept["data"])
            yield
            return
        yield
        result = execution.result
        if not isinstance(result, ExecutionResult) or result.errors or result.data is None:
            return
        seconds = _seconds(context)
        await context.runtime.answers.put(key, epoch, result.data, context.trail.dump(), seconds)


def _key(execution: Any, context: Context) -> str | None:
    """The cache key of this operation for this caller, or None when it must not be kept."""
    if context.runtime.settings.answer_cache_seconds <= 0:
        return None
    if execution.operation_type is not OperationType.QUERY or not _reads_entities_only(execution):
        return None
    view = context.view
    principal = view.principal
    identity = [principal.subject, sorted(principal.roles), sorted(principal.jurisdictions)]
    caller = [identity, view.policy_version, view.enforced]
    text = orjson.dumps(
        [execution.query, execution.operation_name, execution.variables, caller],
        option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS,
        default=str,
    )
    return hashlib.sha256(text).hexdigest()


def _reads_entities_only(execution: Any) -> bool:
    document = execution.graphql_document
    if document is None:
        return False
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    name = execution.operation_name
    chosen = [o for o in operations if name is None or (o.name and o.name.value == name)]
    if len(chosen) != 1:
        return False
    selections = chosen[0].selection_set.selections
    return all(isinstance(s, FieldNode) and s.name.value in ENTITY_ROOTS for s in selections)


def _seconds(context: Context) -> int:
    """At most the setting, and no longer than any department read lets its records be kept."""
    registry = context.runtime.registry
    ttls = [int(registry.get(c).config.cache_ttl) for c in context.loaders.connectors_read()]
    return min([context.runtime.settings.answer_cache_seconds, *ttls])
