"""Shared GraphQL building blocks: attribute fields, Relay connections, source references."""

import dataclasses
import datetime
from collections.abc import Awaitable, Sequence
from typing import Any, Generic, TypeVar

import strawberry
from graphql import FieldNode
from strawberry.scalars import JSON

from graph.model import Node
from hub.access.mask import mask
from hub.access.view import FieldRule
from hub.entities import Page
from hub.ids import check_first, decode_cursor, encode_cursor
from hub.standard import STANDARD_FIELDS, EntityKind, FieldType
from resolvers.context import Info
from resolvers.fast import ATTRIBUTE_MARK, requested, requested_fields, selected
from resolvers.prefetch import Started, prefetch

PYTHON_TYPES: dict[FieldType, Any] = {
    FieldType.STRING: str,
    FieldType.INT: int,
    FieldType.FLOAT: float,
    FieldType.BOOL: bool,
    FieldType.DATE: datetime.date,
    FieldType.DATETIME: datetime.datetime,
    FieldType.JSON: JSON,
}

T = TypeVar("T")


def attribute(kind: EntityKind, field: str, description: str) -> Any:
    """A department attribute, already fetched for the whole request level (see `wrap`)."""

    def resolve(root: Any) -> Any:  # replaced on the built schema by resolvers.fast
        value = root.values.get(field)
        if isinstance(value, Exception):
            raise value
        return value

    setattr(resolve, ATTRIBUTE_MARK, field)
    resolve.__annotations__["return"] = PYTHON_TYPES[STANDARD_FIELDS[kind][field]] | None
    return strawberry.field(resolver=resolve, description=description)


E = TypeVar("E", bound="Entity")


# kind -> its GraphQL class (filled by resolvers.schema): what the look-ahead wraps targets in
ENTITY_CLASSES: dict[str, type[Any]] = {}


async def wrap(info: Info, cls: type[E], nodes: Sequence[Node], *path: str) -> list[E]:
    """GraphQL objects for nodes, their requested attributes fetched in one go for all of them
    (`path`: where the nodes' fields are selected below the current field, e.g. edges, node).

    The access view's field rules apply here, once per request level rather than per field:
    absent attributes are never fetched, masked ones are masked before any resolver sees them,
    and the level's reads go to the request's trail in one step. The level's traversals start
    meanwhile and come back wrapped, ready for their resolvers (resolvers.prefetch).
    """
    return await _wrap(info, cls, nodes, requested_fields(info, *path))


async def _wrap(
    info: Info, cls: type[E], nodes: Sequence[Node], selected: Sequence[FieldNode]
) -> list[E]:
    fields = {field.name.value for field in selected}
    view, kind = info.context.view, cls.__name__
    started = prefetch(info, kind, nodes, selected)
    rules = view.attribute_rules(kind, fields)
    fetch = {f for f, rule in rules.items() if rule is not FieldRule.ABSENT}
    values = await info.context.entities.hydrate(nodes, fetch)
    masked = [f for f, rule in rules.items() if rule is FieldRule.MASK]
    for found in values:
        for f in masked:
            if not isinstance(found.get(f), Exception):
                found[f] = mask(f, found.get(f))
    info.context.trail.read_level(
        kind, [n.id for n in nodes], {f: r.value for f, r in rules.items()}
    )
    objects = [cls(node=node, values=found) for node, found in zip(nodes, values, strict=True)]
    for one in started:
        await _ready(info, nodes, one)
    return objects


async def _ready(info: Info, nodes: Sequence[Node], one: Started) -> None:
    """A look-ahead's targets wrapped, under `Context.ahead`, for their resolvers to answer at
    once: graphql-core then completes the level without a task per entity. Any failure leaves
    nothing there, and the resolver asks again (and reports it at its own field)."""
    context, look = info.context, one.look
    try:
        pages, targets = await one.task
        below = [
            s for field in one.fields if field.selection_set for s in field.selection_set.selections
        ]
        children = await _wrap(
            info, ENTITY_CLASSES[look.target], targets, list(selected(below, info._raw_info))
        )
    except Exception:
        return
    by_id = {child.node.id: child for child in children}
    for start, page in zip((node.id for node in nodes), pages, strict=True):
        ready = [by_id[i] for i in page if i in by_id]
        for field in one.fields:
            context.ahead[(start, look.traversal, one.first, id(field))] = ready


async def wrap_one(info: Info, cls: type[E], node: Node | None) -> E | None:
    return (await wrap(info, cls, [node]))[0] if node is not None else None


async def fetch_one(info: Info, cls: type[E], hub_id: str) -> E | None:
    """One entity by hub id, hydrated; unknown and out-of-scope ids alike are None."""
    return await wrap_one(info, cls, await info.context.entities.get(cls.__name__, hub_id))


def related(
    info: Info, node: Node, traversal: str, cls: type[E], first: int
) -> list[E] | Awaitable[list[E]]:
    """A traversal's targets: ready from the look-ahead, or (awaitable) one graph query per
    request level, hydrated for the level. Resolvers return it as it is."""
    field = info._raw_info.field_nodes[0]
    ready = info.context.ahead.get((node.id, traversal, first, id(field)))
    if ready is not None:
        return ready
    return _related(info, node, traversal, cls, first)


async def _related(info: Info, node: Node, traversal: str, cls: type[E], first: int) -> list[E]:
    found = await info.context.entities.related(node, traversal, cls.__name__, first)
    return await wrap(info, cls, found)


def related_one(
    info: Info, node: Node, traversal: str, cls: type[E]
) -> E | Awaitable[E | None] | None:
    found = related(info, node, traversal, cls, 1)
    if isinstance(found, list):
        return found[0] if found else None
    return _first(found)


async def _first(found: Awaitable[list[E]]) -> E | None:
    items = await found
    return items[0] if items else None


@strawberry.type(description="一条部门系统记录的来源 (a record in a department system)")
class SourceRef:
    connector: str
    record_type: str
    key: str


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    total: strawberry.Private[int | None]

    @strawberry.field(description="符合条件的总数（仅在请求时计算）")
    def total_count(self) -> int:
        return self.total or 0


def connection(page: Page, objects: Sequence[T]) -> Connection[T]:
    edges = [Edge(cursor=encode_cursor(page.offset + i), node=o) for i, o in enumerate(objects)]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.offset > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total=page.total,
    )


def empty_connection() -> Connection[Any]:
    """A connection with nothing in it: what a traversal the caller may not follow answers."""
    return connection(Page([], 0, 0, False), [])


def sources_of(node: Node) -> list[SourceRef]:
    """The graph's own source refs: they carry the GraphQL type's fields (no copy per request)."""
    return list(node.sources)  # type: ignore[arg-type]


@strawberry.interface(description="任何有枢纽编号的实体 (anything with a hub id)")
class Entity:
    node: strawberry.Private[Node]
    values: strawberry.Private[dict[str, Any]] = dataclasses.field(default_factory=dict)

    @strawberry.field(description="枢纽编号 (stable hub id)")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.node.id)

    @strawberry.field(description="辖区编码 (jurisdiction code)")
    def jurisdiction(self) -> str | None:
        return self.node.jurisdiction

    @strawberry.field(description="在各部门系统中的记录 (records in department systems)")
    def sources(self) -> list[SourceRef]:
        return sources_of(self.node)


async def page_of(
    info: Info, kind: str, cls: type[E], first: int, after: str | None, filters: dict[str, Any]
) -> Connection[E]:
    """A Relay connection over entities of one kind; bad sizes and cursors get BAD_PAGE."""
    limit = check_first(first, info.context.runtime.settings.max_page_size)
    count = "totalCount" in requested(info)
    page = await info.context.entities.page(kind, decode_cursor(after), limit, filters, count)
    return connection(page, await wrap(info, cls, page.nodes, "edges", "node"))
