"""Shared GraphQL building blocks: attribute fields, Relay connections, source references."""

import datetime
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import strawberry
from strawberry.scalars import JSON

from graph.model import Node
from hub.entities import Page
from hub.ids import check_first, decode_cursor, encode_cursor
from hub.standard import STANDARD_FIELDS, EntityKind, FieldType
from resolvers.context import Info

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
    """A field fetched live from the departments that map it (see hub.entities.attribute)."""

    async def resolve(root: Any, info: Info) -> Any:
        return await info.context.entities.attribute(root.node, field)

    resolve.__annotations__["return"] = PYTHON_TYPES[STANDARD_FIELDS[kind][field]] | None
    return strawberry.field(resolver=resolve, description=description)


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
    total_count: int


def connection(page: Page, wrap: Callable[[Node], T]) -> Connection[T]:
    edges = [
        Edge(cursor=encode_cursor(page.offset + i), node=wrap(n)) for i, n in enumerate(page.nodes)
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.offset + len(page.nodes) < page.total,
            has_previous_page=page.offset > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=page.total,
    )


def sources_of(node: Node) -> list[SourceRef]:
    return [
        SourceRef(connector=s.connector, record_type=s.record_type, key=s.key) for s in node.sources
    ]


@strawberry.interface(description="任何有枢纽编号的实体 (anything with a hub id)")
class Entity:
    node: strawberry.Private[Node]

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
    info: Info,
    kind: str,
    wrap: Callable[[Node], T],
    first: int,
    after: str | None,
    filters: dict[str, Any],
) -> Connection[T]:
    """A Relay connection over entities of one kind; bad sizes and cursors get BAD_PAGE."""
    limit = check_first(first, info.context.runtime.settings.max_page_size)
    page = await info.context.entities.page(kind, decode_cursor(after), limit, filters)
    return connection(page, wrap)
