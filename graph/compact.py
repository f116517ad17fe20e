"""FalkorDB's compact replies read in one pass when every value in them is a plain one.

The client parses a reply value by value, awaiting a coroutine for each (a node or an edge may
need the server to name its labels and properties). Our reads return properties: strings,
numbers, booleans, lists and maps, which need nothing from the server; a page of 100 people
with their events is ~2,000 of them, ~1.5 ms of the client's parsing per request. A reply with
anything else (a node, an edge, a path, a point, a vector, a temporal value) is left to the
client's own parser.
"""

from typing import Any

from redis.exceptions import ResponseError

NULL, STRING, INTEGER, BOOLEAN, DOUBLE, ARRAY, MAP = 1, 2, 3, 4, 5, 6, 10

Records = tuple[list[str], list[list[Any]]]


class NotPlain(Exception):
    """A value our decoding leaves to the client."""


def _value(cell: list[Any]) -> Any:
    kind, value = cell
    if kind in (STRING, INTEGER):  # the connection decodes strings; integers arrive as ints
        return value
    if kind == ARRAY:
        return [_value(item) for item in value]
    if kind == NULL:
        return None
    if kind == BOOLEAN:
        return value == "true"
    if kind == DOUBLE:
        return float(value)
    if kind == MAP:
        return {value[i]: _value(value[i + 1]) for i in range(0, len(value), 2)}
    raise NotPlain


def check(response: list[Any]) -> None:
    """Raise the error a reply carries, as the client does: a refused query answers with the
    error alone, one failing while it ran ends its reply with it."""
    for part in (response[0], response[-1]):
        if isinstance(part, ResponseError):
            raise part


def records(response: list[Any]) -> Records | None:
    """Column names and rows of a checked compact reply, or None when a value in it is not
    plain. A reply of statistics alone (a write returning nothing) has no columns."""
    if len(response) == 1 or not response[0]:
        return [], []
    try:
        rows = [[_value(cell) for cell in row] for row in response[1]]
    except NotPlain:
        return None
    return [column[1] for column in response[0]], rows
