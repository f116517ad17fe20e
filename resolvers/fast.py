"""Hot-path shortcuts, each contained here and each for a measured reason.

A GraphQL page of 100 people with their events resolves ~1,000 attribute fields. Strawberry's
per-field resolver machinery costs more than the whole answer's source fetches, so attribute
fields (already hydrated per request level) are resolved by plain functions on the built
graphql-core schema, and selections are read from the request's AST directly.
"""

from collections.abc import Iterable
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    SelectionNode,
)

from resolvers.context import Info

ATTRIBUTE_MARK = "_hub_attribute"


def _attribute_resolver(field: str) -> Any:
    def resolve(root: Any, _info: GraphQLResolveInfo) -> Any:
        value = root.values.get(field)
        if isinstance(value, Exception):
            raise value
        return value

    return resolve


def install_attribute_resolvers(schema: GraphQLSchema) -> int:
    """Swap strawberry's wrapper for a direct function on every attribute field; returns count."""
    swapped = 0
    for graphql_type in schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType):
            continue
        for field in graphql_type.fields.values():
            definition = (field.extensions or {}).get("strawberry-definition")
            resolver = getattr(definition, "base_resolver", None)
            name = getattr(getattr(resolver, "wrapped_func", None), ATTRIBUTE_MARK, None)
            if name is not None:
                field.resolve = _attribute_resolver(name)
                swapped += 1
    return swapped


def _names(selections: Iterable[SelectionNode], info: GraphQLResolveInfo) -> Iterable[FieldNode]:
    for selection in selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, FragmentSpreadNode):
            fragment = info.fragments[selection.name.value]
            yield from _names(fragment.selection_set.selections, info)
        elif selection.selection_set is not None:  # inline fragment
            yield from _names(selection.selection_set.selections, info)


def requested(info: Info, *path: str) -> set[str]:
    """Names selected below the current field, following `path` (e.g. "edges", "node")."""
    raw: GraphQLResolveInfo = info._raw_info
    level = [
        s for node in raw.field_nodes if node.selection_set for s in node.selection_set.selections
    ]
    for step in path:
        level = [
            inner
            for field in _names(level, raw)
            if field.name.value == step and field.selection_set
            for inner in field.selection_set.selections
        ]
    return {field.name.value for field in _names(level, raw)}
