"""组织: departments, property companies, social organisations, merchants."""

from typing import TYPE_CHECKING, Annotated, Self

import strawberry

from resolvers.common import Entity, fetch_one, related
from resolvers.context import Info

if TYPE_CHECKING:
    from resolvers.places.types import Place

PlaceRef = Annotated["Place", strawberry.lazy("resolvers.places.types")]


@strawberry.federation.type(keys=["id"], description="组织：政府部门、物业服务企业、社会组织")
class Organization(Entity):
    @strawberry.field(description="名称")
    def name(self) -> str | None:
        return self.node.name

    @strawberry.field(description="类别")
    def category(self) -> str | None:
        return self.node.category

    @strawberry.field(description="管理的地点")
    def places(self, info: Info, first: int = 100) -> list[PlaceRef]:
        from resolvers.places.types import Place

        return related(info, self.node, "organization_places", Place, first)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Self | None:
        return await fetch_one(info, cls, str(id))
