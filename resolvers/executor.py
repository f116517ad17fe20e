"""graphql-core's executor with short paths for object values and plain leaf fields.

A page of 100 people with their events completes ~5,000 values, most of them scalars already in
hand (hydrated attributes, ids, source keys). graphql-core builds a ResolveInfo, a path and a
chain of completion calls for each: more time than the page's graph and cache reads together
(bench/federated_core.py). An object value in hand is built in one walk when everything below
it is in hand too (resolvers.walk); otherwise it goes straight to its fields, where plain leaf
fields (resolvers.leaves) are resolved and serialized inline. Everything else, and every error,
takes graphql-core's own path, so results and error locations stay the same.
"""

from typing import Any

from graphql import GraphQLNonNull, GraphQLObjectType
from graphql.pyutils import Path, Undefined, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from resolvers.leaves import TAKE, LeafPlan, complete_leaf, leaf_plan
from resolvers.walk import Unwalkable, walk

# (id of the type, field) -> (the type, its plan). Holding the type keeps its id from being
# reused by another schema's type while the entry exists (tests build many schemas).
_PLANS: dict[tuple[int, str], tuple[GraphQLObjectType, LeafPlan | None]] = {}


def _plan(parent_type: GraphQLObjectType, name: str) -> LeafPlan | None:
    key = (id(parent_type), name)
    found = _PLANS.get(key)
    if found is None:
        field = parent_type.fields.get(name)
        found = _PLANS[key] = (parent_type, leaf_plan(field) if field is not None else None)
    return found[1]


class HubExecutor(StrawberryGraphQLCoreExecutionContext):
    def execute_fields(  # type: ignore[override]
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        results: dict[str, Any] = {}
        awaitable_fields: list[str] = []
        try:
            for response_name, details, plan in self._steps(parent_type, grouped_field_set):
                if plan is not None:
                    value = complete_leaf(plan, source_value)
                    if value is not TAKE:
                        results[response_name] = value
                        continue
                result = self.execute_field(
                    parent_type,
                    source_value,
                    details,
                    Path(path, response_name, parent_type.name),
                    position_context,
                )
                if result is not Undefined:
                    results[response_name] = result
                    if self.is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[f] for f in awaitable_fields])
            raise
        if not awaitable_fields:
            return results
        return self._gather(results, awaitable_fields)

    def build_response(self, data: dict[str, Any] | None) -> Any:
        # The request's plans and walks refer back to this executor: dropped here, they go
        # with it instead of waiting, with all they hold, for the cycle collector.
        self.__dict__.pop("_hub_steps", None)
        self.__dict__.pop("_hub_walks", None)
        return super().build_response(data)

    def _steps(self, parent_type: GraphQLObjectType, grouped_field_set: Any) -> list[Any]:
        """The fields of a selection with their plans, worked out once per request: graphql-core
        hands the same grouped field set for every item of a list."""
        cache: dict[int, tuple[Any, Any, list[Any]]] = self.__dict__.setdefault("_hub_steps", {})
        found = cache.get(id(grouped_field_set))
        if found is None or found[0] is not grouped_field_set or found[1] is not parent_type:
            steps = [
                (name, details, _plan(parent_type, details[0].node.name.value))
                for name, details in grouped_field_set.items()
            ]
            found = cache[id(grouped_field_set)] = (grouped_field_set, parent_type, steps)
        return found[2]

    def complete_value(  # type: ignore[override]
        self,
        return_type: Any,
        field_details_list: Any,
        info: Any,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        """An object (or non-null object) value is walked, or else goes straight to its
        fields: graphql-core's chain of completion calls per object (a page of people with
        events and sources completes ~1,100) adds nothing when the value is there, of the right
        type, and no part of the selection is deferred. Anything else takes graphql-core's own
        path."""
        if result is not None and position_context is None and not isinstance(result, Exception):
            found = self._objects(return_type, field_details_list)
            if found is not None:
                object_type, grouped_field_set = found
                check = object_type.is_type_of
                if check is None or check(result, info) is True:
                    try:
                        return walk(self, object_type, result, grouped_field_set)
                    except Unwalkable:
                        pass
                    return self.execute_fields(
                        object_type, result, path, grouped_field_set, position_context
                    )
        return super().complete_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _objects(self, return_type: Any, field_details_list: Any) -> tuple[Any, Any] | None:
        """(object type, its grouped subfields) when `return_type` is a plain object type or
        a non-null one and nothing below is deferred; None otherwise. Once per request and
        selection, like _steps."""
        cache: dict[tuple[int, int], Any] = self.__dict__.setdefault("_hub_objects", {})
        key = (id(return_type), id(field_details_list))
        found = cache.get(key)
        if found is None:
            inner = return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type
            plan = None
            if isinstance(inner, GraphQLObjectType):
                grouped_field_set, new_defer_usages, _ = self.collect_subfields(
                    inner, field_details_list
                )
                if not new_defer_usages:
                    plan = (inner, grouped_field_set)
            found = cache[key] = (return_type, field_details_list, plan)
        return found[2]  # type: ignore[no-any-return]

    async def _gather(self, results: dict[str, Any], names: list[str]) -> dict[str, Any]:
        if len(names) == 1:
            results[names[0]] = await results[names[0]]
            return results
        values = await gather_with_cancel(*(results[name] for name in names))
        results.update(zip(names, values, strict=True))
        return results
