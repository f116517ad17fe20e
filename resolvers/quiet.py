"""Production answers suggest nothing: "Did you mean 'idNumber'?" would show the schema to a
caller for whom introspection is off. graphql-core leaves suggestions out of validation and
execution errors when asked (`hide_suggestions`); strawberry does not ask, so production
validates and executes through these two instead.
"""

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from graphql import DocumentNode, GraphQLError, GraphQLSchema, validate
from graphql.validation import ASTValidationRule
from strawberry.extensions import SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from resolvers.executor import HubExecutor


@lru_cache(maxsize=256)  # as strawberry's ValidationCache: validation is a pure function
def _validate(
    schema: GraphQLSchema, document: DocumentNode, rules: tuple[type[ASTValidationRule], ...]
) -> list[GraphQLError]:
    rules = (*rules, MaybeNullValidationRule, OneOfInputValidationRule)  # strawberry's own
    return validate(schema, document, rules, hide_suggestions=True)


class QuietValidationCache(SchemaExtension):
    """strawberry's ValidationCache, with suggestions hidden."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        context.pre_execution_errors = _validate(
            context.schema._schema, context.graphql_document, tuple(context.validation_rules)
        )
        yield


class QuietExecutor(HubExecutor):
    """The hub's executor, variable errors without suggestions (a misspelt enum value)."""

    @classmethod
    def build(cls, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        return super().build(*args, **{**kwargs, "hide_suggestions": True})
