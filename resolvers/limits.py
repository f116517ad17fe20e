"""A document's size and cost, judged against the caller's limits before anything else is done
with it (README "Limits").

Tokens are counted first, by a regular expression that stops at the caller's token limit, so
a document of a million `__typename` costs what its first few thousand tokens cost: ~0.4 µs a
token, where graphql-core's lexer takes ~5 µs (and its own `max_tokens` error locates itself
by scanning the whole text: 160 ms for 10 MB). Directives (`@`) are counted on the way. The
parser keeps `max_tokens` as a backstop, should the expression ever count fewer tokens.

The parsed document is then walked once, fragments spread out (each fragment's depth and
cost computed once, so fragments spreading each other twice over cannot make the walk
explode; a cycle counts nothing and validation refuses it).

The cost estimates how many values the answer holds, as GitHub and Shopify price queries: a
field is 1, a list or connection field is its page size (`first`, `top`, given or defaulted)
times what each item selects, and a list without a page size counts `list_size` items. The
`edges` of a connection were paid for by the connection's `first`.
"""

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    Visitor,
    get_named_type,
    get_nullable_type,
    parse,
    visit,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef
from strawberry.extensions import SchemaExtension

from hub.errors import ErrorCode
from hub.limits import Limits
from resolvers.context import Context

PAGE_ARGUMENTS = ("first", "top")


def too_complex(what: str, value: int, limit: int) -> GraphQLError:
    return GraphQLError(
        f"query too complex: {what} {value} exceeds the limit of {limit} for your role",
        extensions={"code": ErrorCode.QUERY_TOO_COMPLEX.value, "limit": what,
                    "value": value, "maximum": limit},
    )


def ambiguous(operations: int) -> GraphQLError:
    return GraphQLError(
        f"the document holds {operations} operations: name the one to run in operationName",
        extensions={"code": ErrorCode.BAD_REQUEST.value},
    )


def refusal(
    schema: GraphQLSchema,
    query: str,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    limits: Limits,
    list_size: int,
) -> GraphQLError | None:
    """Why this request is refused for a caller with `limits` (QUERY_TOO_COMPLEX), or why it
    cannot be run at all (BAD_REQUEST: several operations, none named); None when neither."""
    key = orjson.dumps(variables, option=orjson.OPT_SORT_KEYS) if variables else b""
    if len(query) > KEEP_CHARS:
        return _judge(schema, query, operation_name, key, limits, list_size)
    return _kept(schema, query, operation_name, key, limits, list_size)


def _judge(
    schema: GraphQLSchema,
    query: str,
    operation_name: str | None,
    variables: bytes,
    limits: Limits,
    list_size: int,
) -> GraphQLError | None:
    tokens, directives = _tokens(query, limits.tokens)
    if tokens > limits.tokens:
        return too_complex("tokens", tokens, limits.tokens)
    if directives > limits.directives:
        return too_complex("directives", directives, limits.directives)
    try:
        document = parse(query, no_location=True, max_tokens=limits.tokens)
    except GraphQLError as error:
        if "Parsing aborted" in error.message:
            return too_complex("tokens", limits.tokens + 1, limits.tokens)
        return None  # a syntax error: the execution reports it, with its location
    operations = sum(isinstance(d, OperationDefinitionNode) for d in document.definitions)
    if operation_name is None and operations > 1:
        return ambiguous(operations)
    counted = _count(document)
    for what, value in counted.items():
        if value > getattr(limits, what):
            return too_complex(what, value, getattr(limits, what))
    values = orjson.loads(variables) if variables else {}
    depth, cost = _Walk(schema, document, values, list_size).operations()
    if depth > limits.depth:
        return too_complex("depth", depth, limits.depth)
    if cost > limits.cost:
        return too_complex("cost", cost, limits.cost)
    return None


# Judgements of documents up to this long are kept (LRU): the same question asked again is
# judged by a look-up (a kept answer is served without parsing at all).
KEEP_CHARS = 20_000
_kept = functools.lru_cache(maxsize=512)(_judge)


# A GraphQL token as the lexer reads it (block string, string, comment, spread, number, name,
# punctuator); anything else counts as a token of its own. Commas and white space are none.
_TOKEN = re.compile(
    r'"""(?:\\"""|[^"]|"(?!""))*"""|"(?:[^"\\\n\r]|\\.)*"|#[^\n\r]*|\.\.\.'
    r"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[_A-Za-z][_0-9A-Za-z]*|[^\s,\ufeff]"
)


def _tokens(query: str, limit: int) -> tuple[int, int]:
    """The document's tokens, counted up to `limit + 1`, and its directives among them."""
    tokens = directives = 0
    for match in _TOKEN.finditer(query):
        text = match.group()
        if text[0] == "#":
            continue  # a comment, not a token
        tokens += 1
        directives += text == "@"
        if tokens > limit:
            break
    return tokens, directives


class _Counter(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.aliases = 0
        self.directives = 0

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        self.aliases += node.alias is not None

    def enter_directive(self, *_: Any) -> None:
        self.directives += 1


def _count(document: DocumentNode) -> dict[str, int]:
    counter = _Counter()
    visit(document, counter)
    roots = max(
        (len(d.selection_set.selections) for d in document.definitions
         if isinstance(d, OperationDefinitionNode)),
        default=0,
    )
    return {"aliases": counter.aliases, "directives": counter.directives, "root_fields": roots}


@dataclass
class _Walk:
    schema: GraphQLSchema
    document: DocumentNode
    variables: dict[str, Any]
    list_size: int

    def __post_init__(self) -> None:
        self.fragments = {
            d.name.value: d for d in self.document.definitions
            if isinstance(d, FragmentDefinitionNode)
        }
        self.done: dict[str, tuple[int, int]] = {}  # fragment -> (depth, cost)

    def operations(self) -> tuple[int, int]:
        """The deepest and the costliest operation of the document."""
        found = [(0, 0)]
        for definition in self.document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                root = self.schema.get_root_type(definition.operation)
                found.append(self.selections(root, definition.selection_set))
        return max(d for d, _ in found), max(c for _, c in found)

    def selections(
        self, parent: GraphQLNamedType | None, selection_set: SelectionSetNode | None
    ) -> tuple[int, int]:
        depth, cost = 0, 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                d, c = self.field(parent, selection)
            elif isinstance(selection, InlineFragmentNode):
                d, c = self.selections(self._condition(parent, selection), selection.selection_set)
            else:
                d, c = self.fragment(selection)
            depth, cost = max(depth, d), cost + c
        return depth, cost

    def fragment(self, spread: FragmentSpreadNode) -> tuple[int, int]:
        name = spread.name.value
        if name not in self.done:
            self.done[name] = (0, 0)  # a cycle comes back to it as nothing
            definition = self.fragments.get(name)
            if definition is not None:
                condition = self.schema.get_type(definition.type_condition.name.value)
                self.done[name] = self.selections(condition, definition.selection_set)
        return self.done[name]

    def field(self, parent: GraphQLNamedType | None, node: FieldNode) -> tuple[int, int]:
        definition = _field(self.schema, parent, node.name.value)
        if node.selection_set is None:
            return 1, 1
        target = get_named_type(definition.type) if definition else None
        depth, cost = self.selections(target, node.selection_set)
        return depth + 1, 1 + self.items(parent, definition, node) * cost

    def items(
        self, parent: GraphQLNamedType | None, definition: GraphQLField | None, node: FieldNode
    ) -> int:
        """How many values of its type the field may answer."""
        if definition is None:
            return 1
        for argument in node.arguments or ():
            if argument.name.value in PAGE_ARGUMENTS:
                return self._int(argument.value, self.list_size)
            if argument.name.value == "representations":
                return self._length(argument.value)
        for name in PAGE_ARGUMENTS:
            given = definition.args.get(name)
            if given is not None and isinstance(given.default_value, int):
                return given.default_value
        if not isinstance(get_nullable_type(definition.type), GraphQLList):
            return 1
        if parent is not None and parent.name.endswith("Connection"):
            return 1  # a connection's edges: its `first` counted them
        return self.list_size

    def _int(self, value: Any, otherwise: int) -> int:
        if isinstance(value, IntValueNode):
            return max(int(value.value), 0)
        if isinstance(value, VariableNode):
            given = self.variables.get(value.name.value)
            if isinstance(given, int) and not isinstance(given, bool):
                return max(given, 0)
        return otherwise

    def _length(self, value: Any) -> int:
        if isinstance(value, ListValueNode):
            return len(value.values)
        if isinstance(value, VariableNode):
            given = self.variables.get(value.name.value)
            return len(given) if isinstance(given, list) else 1
        return 1

    def _condition(
        self, parent: GraphQLNamedType | None, fragment: InlineFragmentNode
    ) -> GraphQLNamedType | None:
        if fragment.type_condition is None:
            return parent
        return self.schema.get_type(fragment.type_condition.name.value)


def _field(
    schema: GraphQLSchema, parent: GraphQLNamedType | None, name: str
) -> GraphQLField | None:
    if name == "__schema":
        return SchemaMetaFieldDef
    if name == "__type":
        return TypeMetaFieldDef
    if isinstance(parent, GraphQLObjectType) or hasattr(parent, "fields"):
        return parent.fields.get(name)  # type: ignore[union-attr]
    return None


def judge(
    context: Context, schema: GraphQLSchema, query: str | None, operation_name: str | None,
    variables: dict[str, Any] | None,
) -> GraphQLError | None:
    """`refusal` for the caller of `context`."""
    context.judged = query
    book = context.runtime.limits
    limits = book.of(context.view.principal)
    return refusal(schema, query or "", operation_name, variables, limits, book.list_size)


class QueryLimits(SchemaExtension):
    """Judges what comes by another way than HTTP (subscriptions over a WebSocket); HTTP
    requests were judged by hub.web before anything else, kept answers included."""

    def on_parse(self) -> Iterator[None]:
        execution = self.execution_context
        context = execution.context
        if isinstance(context, Context) and context.judged is not execution.query:
            variables = execution.variables
            error = judge(context, execution.schema._schema, execution.query,
                          execution.operation_name, variables)
            if error is not None:
                raise error
        yield
