"""Root fields for things."""

import strawberry

from resolvers.common import Connection, fetch_one, page_of
from resolvers.context import Info
from resolvers.things.types import Thing


@strawberry.type
class ThingsQuery:
    @strawberry.field(description="按枢纽编号查设施设备")
    async def thing(self, info: Info, id: strawberry.ID) -> Thing | None:
        return await fetch_one(info, Thing, str(id))

    @strawberry.field(description="分页列出设施设备")
    async def things(
        self, info: Info, first: int = 20, after: str | None = None, jurisdiction: str | None = None
    ) -> Connection[Thing] | None:
        filters = {"jurisdiction": jurisdiction}
        return await page_of(info, "Thing", Thing, first, after, filters)
