"""Leaf fields completed inline: a plain getter's value, serialized as graphql-core would.

Fields whose resolver carries a getter (`PLAIN_GETTER`, set by resolvers.fast on resolvers that
need neither info nor arguments) and whose type is a scalar or enum are read and serialized
here; anything unusual (the getter fails, an error as the value, null for non-null, a value the
scalar refuses) answers TAKE, and graphql-core resolves the field itself, reporting exactly as it
would.
"""

from collections.abc import Callable
from typing import Any, NamedTuple

from graphql import (
    GraphQLField,
    GraphQLID,
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLString,
    is_leaf_type,
)
from graphql.pyutils import Undefined

PLAIN_GETTER = "_hub_plain_getter"
_STRINGS = (GraphQLString, GraphQLID)


class LeafPlan(NamedTuple):
    get: Callable[[Any], Any]
    leaf: GraphQLLeafType
    non_null: bool
    as_is: bool  # a str for a String or ID: no coercion needed


def value_plan(leaf: GraphQLLeafType) -> LeafPlan:
    """The completion of a value already in hand (the getter is the identity)."""
    return LeafPlan(_itself, leaf, False, any(leaf is s for s in _STRINGS))


def _itself(value: Any) -> Any:
    return value


def leaf_plan(field: GraphQLField) -> LeafPlan | None:
    get = getattr(field.resolve, PLAIN_GETTER, None)
    if get is None or field.args:
        return None
    kind = field.type
    non_null = isinstance(kind, GraphQLNonNull)
    leaf = kind.of_type if non_null else kind
    if not is_leaf_type(leaf):
        return None
    return LeafPlan(get, leaf, non_null, any(leaf is s for s in _STRINGS))


TAKE = object()  # graphql-core takes the field: the getter failed, null for non-null, …


def complete_leaf(plan: LeafPlan, source: Any) -> Any:
    """The completed value, or TAKE when graphql-core must resolve the field itself (and so
    raise or report exactly as it would)."""
    try:
        value = plan.get(source)
    except Exception:
        return TAKE
    if value is None:
        return TAKE if plan.non_null else None
    if plan.as_is and type(value) is str:
        return value
    if isinstance(value, Exception):
        return TAKE
    try:
        coerced = plan.leaf.coerce_output_value(value)
    except Exception:
        return TAKE
    return TAKE if coerced is None or coerced is Undefined else coerced
