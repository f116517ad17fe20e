"""Every GraphQL error carries `extensions.code`; unexpected failures say nothing of their data."""

import logging

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from hub.errors import HubError

log = logging.getLogger("hub.errors")

INTERNAL = "INTERNAL"
GRAPHQL_VALIDATION = "GRAPHQL_VALIDATION_FAILED"


def _with_code(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if isinstance(original, HubError):
        extensions = {"code": original.code.value}
        if original.suggestion:
            extensions["suggestion"] = original.suggestion
        connector = getattr(original, "connector", None)
        if connector:
            extensions["connector"] = connector
        return GraphQLError(
            original.message,
            error.nodes,
            error.source,
            error.positions,
            error.path,
            original,
            extensions,
        )
    if original is None:
        error.extensions = {**(error.extensions or {}), "code": GRAPHQL_VALIDATION}
        return error
    log.exception("unexpected error at %s", error.path, exc_info=original)
    return GraphQLError(
        "internal error",
        error.nodes,
        error.source,
        error.positions,
        error.path,
        None,
        {"code": INTERNAL},
    )


class ErrorCodes(SchemaExtension):
    def on_operation(self):  # type: ignore[no-untyped-def]
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [_with_code(error) for error in result.errors]
