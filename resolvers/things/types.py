"""物: facilities, devices, vehicles, sensors."""

from typing import TYPE_CHECKING, Annotated, Self

import strawberry

from hub.standard import EntityKind
from resolvers.common import Entity, attribute, fetch_one, related_one
from resolvers.context import Info

if TYPE_CHECKING:
    from resolvers.places.types import Place

PlaceRef = Annotated["Place", strawberry.lazy("resolvers.places.types")]
K = EntityKind.THING


@strawberry.federation.type(keys=["id"], description="物：设施设备")
class Thing(Entity):
    name = attribute(K, "name", "名称")
    category = attribute(K, "category", "类别，如电梯、消防栓")
    status = attribute(K, "status", "状态")
    installed_at = attribute(K, "installedAt", "安装日期")
    last_inspected_at = attribute(K, "lastInspectedAt", "最近检查日期")

    @strawberry.field(description="所在地点")
    def place(self, info: Info) -> PlaceRef | None:
        from resolvers.places.types import Place

        return related_one(info, self.node, "thing_place", Place)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Self | None:
        return await fetch_one(info, cls, str(id))
