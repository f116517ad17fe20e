"""Root fields for places."""

import strawberry

from resolvers.common import Connection, fetch_one, page_of
from resolvers.context import Info
from resolvers.places.types import Place, PlaceLevel


@strawberry.input(description="地点筛选条件")
class PlaceFilter:
    jurisdiction: str | None = strawberry.field(default=None, description="辖区编码前缀")
    level: PlaceLevel | None = strawberry.field(default=None, description="层级")


@strawberry.type
class PlacesQuery:
    @strawberry.field(description="按枢纽编号查地点；未知编号返回 null")
    async def place(self, info: Info, id: strawberry.ID) -> Place | None:
        return await fetch_one(info, Place, str(id))

    @strawberry.field(description="分页列出地点")
    async def places(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        filter: PlaceFilter | None = None,
    ) -> Connection[Place] | None:
        filters = {}
        if filter:
            level = filter.level.value if filter.level else None
            filters = {"jurisdiction": filter.jurisdiction, "level": level}
        return await page_of(info, "Place", Place, first, after, filters)
