"""Hot-path shortcuts, each contained here and each for a measured reason.

A GraphQL page of 100 people with their events resolves ~1,300 fields. Strawberry's per-field
resolver machinery cost more than the answer's source fetches (bench/federated_core.py), so
attribute fields (already hydrated per request level) and plain data fields are resolved by
plain functions on the built graphql-core schema, and selections are read from the AST.
"""

from collections.abc import Callable, Iterable
from operator import attrgetter
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    SelectionNode,
)

from hub.access.objects import ENTITY_TYPES
from resolvers.context import Info
from resolvers.leaves import PLAIN_GETTER

ATTRIBUTE_MARK = "_hub_attribute"


def _value(root: Any, field: str) -> Any:
    value = root.values.get(field)
    if isinstance(value, Exception):
        raise value
    return value


def _resolver(get: Callable[[Any], Any]) -> Any:
    """A graphql-core resolver for `get(root)`, which the executor may also call directly."""

    def resolve(root: Any, _info: GraphQLResolveInfo) -> Any:
        return get(root)

    setattr(resolve, PLAIN_GETTER, get)
    return resolve


def _attribute_resolver(field: str) -> Any:
    """Reads the value hydrated for the request level (absent fields were never fetched); a
    department's error stored as the value is raised by graphql-core's path (the executor's
    short path leaves exceptions to it)."""

    def resolve(root: Any, _info: GraphQLResolveInfo) -> Any:
        return _value(root, field)

    setattr(resolve, PLAIN_GETTER, lambda root: root.values.get(field))
    return resolve


def _plain_resolver(python_name: str) -> Any:
    return _resolver(attrgetter(python_name))


def _is_plain_method(resolver: Any) -> bool:
    """A sync method of the type that takes nothing but `self`."""
    return (
        resolver.self_parameter is not None
        and resolver.info_parameter is None
        and resolver.root_parameter is None
        and resolver.parent_parameter is None
        and not resolver.arguments
        and not resolver.is_async
        and not resolver.is_graphql_generic
    )


def is_attribute(field: Any) -> bool:
    """Whether a graphql-core field is a department attribute (see resolvers.common.attribute)."""
    definition = (field.extensions or {}).get("strawberry-definition")
    resolver = getattr(definition, "base_resolver", None)
    return getattr(getattr(resolver, "wrapped_func", None), ATTRIBUTE_MARK, None) is not None


def _fast_resolver(definition: Any) -> Any:
    """A direct resolver for attribute fields and plain data fields; None for everything else."""
    if definition is None or definition.permission_classes or definition.extensions:
        return None
    resolver = definition.base_resolver
    if resolver is None:
        return _plain_resolver(definition.python_name)
    name = getattr(resolver.wrapped_func, ATTRIBUTE_MARK, None)
    if name is not None:
        return _attribute_resolver(name)
    return _resolver(resolver.wrapped_func) if _is_plain_method(resolver) else None


def install_fast_resolvers(schema: GraphQLSchema) -> int:
    """Swap strawberry's per-field wrapper where it adds nothing; returns how many fields.

    Entity-type fields are then wrapped by the access guard (resolvers.access.install_guards).
    """
    swapped = 0
    for graphql_type in schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("_"):
            continue
        entity = graphql_type.name in ENTITY_TYPES
        for field in graphql_type.fields.values():
            definition = (field.extensions or {}).get("strawberry-definition")
            fast = _fast_resolver(definition)
            if entity and definition is not None and definition.base_resolver is None:
                fast = None  # plain entity fields keep strawberry's resolver (and its guard)
            if fast is not None:
                field.resolve = fast
                swapped += 1
    return swapped


def selected(selections: Iterable[SelectionNode], info: GraphQLResolveInfo) -> Iterable[FieldNode]:
    """The fields of a selection set, through fragments."""
    for selection in selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, FragmentSpreadNode):
            fragment = info.fragments[selection.name.value]
            yield from selected(fragment.selection_set.selections, info)
        elif selection.selection_set is not None:  # inline fragment
            yield from selected(selection.selection_set.selections, info)


def requested_fields(info: Info, *path: str) -> list[FieldNode]:
    """Fields selected below the current field, following `path` (e.g. "edges", "node")."""
    raw: GraphQLResolveInfo = info._raw_info
    level = [
        s for node in raw.field_nodes if node.selection_set for s in node.selection_set.selections
    ]
    for step in path:
        level = [
            inner
            for field in selected(level, raw)
            if field.name.value == step and field.selection_set
            for inner in field.selection_set.selections
        ]
    return list(selected(level, raw))


def requested(info: Info, *path: str) -> set[str]:
    """Names selected below the current field, following `path` (e.g. "edges", "node")."""
    return {field.name.value for field in requested_fields(info, *path)}
