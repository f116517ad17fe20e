"""Root fields for things."""

import strawberry

from resolvers.common import Connection, page_of, wrap_one
from resolvers.context import Info
from resolvers.things.types import Thing


@strawberry.type
class ThingsQuery:
    @strawberry.field(description="按枢纽编号查设施设备")
    async def thing(self, info: Info, id: strawberry.ID) -> Thing | None:
        node = await info.context.entities.get("Thing", str(id))
        return await wrap_one(info, Thing, node)

    @strawberry.field(description="分页列出设施设备")
    async def things(
        self, info: Info, first: int = 20, after: str | None = None, jurisdiction: str | None = None
    ) -> Connection[Thing]:
        filters = {"jurisdiction": jurisdiction}
        return await page_of(info, "Thing", Thing, first, after, filters)
