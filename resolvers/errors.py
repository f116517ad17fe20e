"""Every GraphQL error carries `extensions.code` and says only what the caller may know.

Answers name a department or store, never where it runs (its address goes to the server log),
and never echo a variable's value: a variable of the wrong type may be an ID number typed into
the wrong box. Unexpected failures say nothing of their data.
"""

import logging
import re
from typing import Any

from graphql import GraphQLError, VariableDefinitionNode, print_ast
from strawberry.extensions import SchemaExtension

from hub.errors import ErrorCode, HubError

log = logging.getLogger("hub.errors")

INTERNAL = "INTERNAL"
GRAPHQL_VALIDATION = "GRAPHQL_VALIDATION_FAILED"
# URLs and IP addresses (with a port) that a driver's message may still carry
_ADDRESS = re.compile(r"\b[a-zA-Z][\w+.-]*://[^\s'\",;()]+|\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b")


def without_addresses(message: str) -> str:
    return _ADDRESS.sub("<address>", message)


def is_bad_variable(error: GraphQLError) -> bool:
    """A variable's value that did not coerce (graphql-core wraps the coercion's own error)."""
    return isinstance(error.original_error, GraphQLError) and error.path is None


def public(error: GraphQLError) -> GraphQLError:
    """The error as the caller sees it."""
    original = error.original_error
    if isinstance(original, HubError):
        return _hub_error(error, original)
    if original is None:  # validation, or a GraphQLError raised with its own code
        coded = {"code": GRAPHQL_VALIDATION, **(error.extensions or {})}
        return _located(error, error.message, coded)
    if is_bad_variable(error):
        return _located(error, _bad_variable(error), {"code": ErrorCode.BAD_INPUT.value})
    return _located(error, "internal error", {"code": INTERNAL})


def _hub_error(error: GraphQLError, original: HubError) -> GraphQLError:
    extensions = {"code": original.code.value}
    if original.suggestion:
        extensions["suggestion"] = original.suggestion
    connector = getattr(original, "connector", None)
    if connector:
        extensions["connector"] = connector
    return _located(error, without_addresses(original.message), extensions, original)


def _bad_variable(error: GraphQLError) -> str:
    node = error.nodes[0] if error.nodes else None
    if not isinstance(node, VariableDefinitionNode):
        return "a variable has an invalid value"
    expected = print_ast(node.type)
    return f"Variable '${node.variable.name.value}' has an invalid value: expected {expected}"


def _located(
    error: GraphQLError,
    message: str,
    extensions: dict[str, Any],
    original: Exception | None = None,
) -> GraphQLError:
    return GraphQLError(
        message, error.nodes, error.source, error.positions, error.path, original, extensions
    )


class ErrorCodes(SchemaExtension):
    def on_operation(self):  # type: ignore[no-untyped-def]
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [public(error) for error in result.errors]
