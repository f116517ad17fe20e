"""The answer below an object, built in one walk when everything it needs is in hand.

By the time a root field's resolver returns, `wrap` has hydrated each level's attributes and the
look-ahead has put each level's traversals under `Context.ahead`: what is left is building
~5,000 values, and graphql-core's per-field machinery (a resolve info, a path, a chain of
completion calls and awaitable checks for every field) cost more than the graph and the
departments together (bench/RESULTS.md). The walk plans each selection once per request and
then only reads values: plain leaves, `__typename`, fields whose resolvers are plain getters,
guarded fields the caller may read in full (the read recorded as the guard would), and
traversals the look-ahead has ready.

Anything else (an error stored as a value, null for a non-null field, a masked or absent field,
a field with arguments or a resolver of its own, an abstract type, a deferred or streamed part,
a traversal not ready) abandons the walk (`Unwalkable`), and the object takes graphql-core's
own path, where results and errors come out exactly as without the walk.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from graphql import (
    FieldNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    is_leaf_type,
)

from hub.access.view import FieldRule
from resolvers.leaves import PLAIN_GETTER, TAKE, LeafPlan, complete_leaf, leaf_plan, value_plan
from resolvers.prefetch import AHEAD, page_size

if TYPE_CHECKING:
    from resolvers.executor import HubExecutor

GUARDED = "_hub_guarded"  # the resolver a guard wraps (set by resolvers.access)

Complete = Callable[[Any], Any]
Step = Callable[[Any], Any]


class Unwalkable(Exception):
    """The walk cannot build this part the way graphql-core would: graphql-core builds it."""


def walk(executor: "HubExecutor", object_type: GraphQLObjectType, source: Any, fields: Any) -> Any:
    """The completed value of `source` for the grouped `fields`; raises Unwalkable."""
    steps = _steps(executor, object_type, fields)
    return {name: step(source) for name, step in steps}


def _steps(
    executor: "HubExecutor", object_type: GraphQLObjectType, fields: Any
) -> list[tuple[str, Step]]:
    plans: dict[int, Any] = executor.__dict__.setdefault("_hub_walks", {})
    found = plans.get(id(fields))
    if found is None or found[0] is not fields or found[1] is not object_type:
        try:
            steps: list[tuple[str, Step]] | None = [
                (name, _step(executor, object_type, details)) for name, details in fields.items()
            ]
        except Unwalkable:
            steps = None
        found = plans[id(fields)] = (fields, object_type, steps)
    if found[2] is None:
        raise Unwalkable
    return found[2]  # type: ignore[no-any-return]


def _step(executor: "HubExecutor", parent: GraphQLObjectType, details: Any) -> Step:
    """How one response field is read from its object (planned once per request)."""
    node: FieldNode = details[0].node
    name = node.name.value
    if name == "__typename":
        type_name = parent.name
        return lambda _source: type_name
    if _has_directive(details, "stream", "defer"):
        raise Unwalkable
    field = parent.fields.get(name)
    if field is None:
        raise Unwalkable
    inner = getattr(field.resolve, GUARDED, None)
    read = _reader(executor, parent.name, name) if inner is not None else None
    look = AHEAD.get((parent.name, name))
    if look is not None and _plain_strawberry_field(field):
        first = _first(node, executor.variable_values.coerced, look.first)
        key, single = (look.traversal, first, id(node)), not _is_list(field.type)
        complete = _completer(executor, field.type, details)
        ahead = executor.context_value.ahead

        def traversal(source: Any) -> Any:
            ready = ahead.get((source.node.id, *key))
            if ready is None:
                raise Unwalkable
            if read is not None:
                read(source)
            return complete((ready[0] if ready else None) if single else ready)

        return traversal
    get = getattr(inner or field.resolve, PLAIN_GETTER, None)
    if get is None or field.args or node.arguments:
        raise Unwalkable
    plan = leaf_plan(field) if read is None else None
    if plan is not None:
        return lambda source: _leaf(plan, source)
    complete = _completer(executor, field.type, details)
    if read is None:
        return lambda source: complete(get(source))

    def guarded_field(source: Any) -> Any:
        read(source)
        return complete(get(source))

    return guarded_field


def _leaf(plan: LeafPlan, source: Any) -> Any:
    completed = complete_leaf(plan, source)
    if completed is TAKE:
        raise Unwalkable
    return completed


def _reader(executor: "HubExecutor", type_name: str, name: str) -> Callable[[Any], None]:
    """What the guard records for a field the caller may read in full; Unwalkable otherwise
    (masks and absent fields are the guard's to apply)."""
    context = executor.context_value
    if context.view.field(type_name, name) is not FieldRule.ALLOW:
        raise Unwalkable
    trail, rule = context.trail, FieldRule.ALLOW.value
    return lambda source: trail.read(type_name, source.node.id, name, rule)


def _completer(executor: "HubExecutor", kind: Any, details: Any) -> Complete:
    """The completion of a value of GraphQL type `kind`, as graphql-core would, or Unwalkable."""
    if isinstance(kind, GraphQLNonNull):
        inner = _completer(executor, kind.of_type, details)

        def non_null(value: Any) -> Any:
            if value is None:
                raise Unwalkable
            return inner(value)

        return non_null
    if isinstance(kind, GraphQLList):
        item = _completer(executor, kind.of_type, details)

        def items(value: Any) -> Any:
            if value is None:
                return None
            if not isinstance(value, list | tuple):
                raise Unwalkable
            return [item(one) for one in value]

        return items
    if is_leaf_type(kind):
        plan = value_plan(kind)
        return lambda value: _leaf(plan, value)
    if not isinstance(kind, GraphQLObjectType):
        raise Unwalkable  # interfaces and unions: graphql-core resolves the concrete type
    below, deferred, _ = executor.collect_subfields(kind, details)
    if deferred:
        raise Unwalkable
    check = kind.is_type_of

    def an_object(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, Exception) or (check is not None and check(value, None) is not True):
            raise Unwalkable
        return walk(executor, kind, value, below)

    return an_object


def _plain_strawberry_field(field: Any) -> bool:
    """No permission classes or field extensions: its resolver only follows the traversal."""
    definition = (field.extensions or {}).get("strawberry-definition")
    return (
        definition is not None and not definition.permission_classes and not definition.extensions
    )


def _is_list(kind: Any) -> bool:
    return isinstance(kind.of_type if isinstance(kind, GraphQLNonNull) else kind, GraphQLList)


def _has_directive(details: Any, *names: str) -> bool:
    return any(
        directive.name.value in names
        for detail in details
        for directive in detail.node.directives or ()
    )


def _first(node: FieldNode, variables: dict[str, Any], default: int) -> int:
    """The page size the look-ahead read for this field; Unwalkable for any other argument or
    a size it could not read (the resolver's to check)."""
    if any(argument.name.value != "first" for argument in node.arguments or ()):
        raise Unwalkable
    first = page_size(node, variables, default)
    if first is None:
        raise Unwalkable
    return first
