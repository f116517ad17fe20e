"""地: the place hierarchy 区 › 街道 › 社区 › 网格 › 楼栋 › 单元 › 室, and points of interest."""

import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Self

import strawberry

from hub.standard import EntityKind
from resolvers.common import (
    Connection,
    Entity,
    attribute,
    fetch_one,
    related,
    related_one,
)
from resolvers.context import Info
from resolvers.traversals import related_connection, window

if TYPE_CHECKING:
    from resolvers.events.types import Event
    from resolvers.organizations.types import Organization
    from resolvers.people.types import Person
    from resolvers.things.types import Thing

PersonRef = Annotated["Person", strawberry.lazy("resolvers.people.types")]
EventRef = Annotated["Event", strawberry.lazy("resolvers.events.types")]
ThingRef = Annotated["Thing", strawberry.lazy("resolvers.things.types")]
OrganizationRef = Annotated["Organization", strawberry.lazy("resolvers.organizations.types")]
L = EntityKind.PLACE


@strawberry.enum(description="地点层级")
class PlaceLevel(Enum):
    DISTRICT = "district"
    STREET = "street"
    COMMUNITY = "community"
    GRID = "grid"
    BUILDING = "building"
    UNIT = "unit"
    ROOM = "room"
    POI = "poi"


@strawberry.federation.type(keys=["id"], description="地：行政区划、网格、楼栋、单元、房屋")
class Place(Entity):
    @strawberry.field(description="层级")
    def level(self) -> str | None:
        return self.node.level

    @strawberry.field(description="名称，如“和睦社区”“3幢”“502室”")
    def name(self) -> str | None:
        return self.node.name

    address = attribute(L, "address", "地址（物业登记）")
    estate_name = attribute(L, "estateName", "小区名称")
    floors = attribute(L, "floors", "楼层数")
    units = attribute(L, "units", "单元数")
    built_year = attribute(L, "builtYear", "建成年份")
    property_company = attribute(L, "propertyCompany", "物业服务企业")
    area_sqm = attribute(L, "areaSqm", "建筑面积（平方米）")

    @strawberry.field(description="上一级地点")
    def parent(self, info: Info) -> Self | None:
        return related_one(info, self.node, "place_parent", type(self))

    @strawberry.field(description="下一级地点")
    def children(self, info: Info, first: int = 100) -> list["Place"]:
        return related(info, self.node, "place_children", Place, first)

    @strawberry.field(description="居住在此地点及其下级的居民")
    def residents(self, info: Info, first: int = 100) -> list[PersonRef]:
        from resolvers.people.types import Person

        return related(info, self.node, "place_residents", Person, first)

    @strawberry.field(description="发生在此地点及其下级的事件，新的在前")
    def events(self, info: Info, first: int = 100) -> list[EventRef]:
        from resolvers.events.types import Event

        return related(info, self.node, "place_events", Event, first)

    @strawberry.field(
        description="居住在此地点及其下级的居民（分页，含总数）；社区下按网格逐级查询"
    )
    async def residents_connection(
        self, info: Info, first: int = 100, after: str | None = None
    ) -> Connection[PersonRef]:
        from resolvers.people.types import Person

        return await related_connection(info, self.node, "place_residents", Person, first, after)

    @strawberry.field(description="发生在此地点及其下级的事件（分页，新的在前），可限定时间窗")
    async def events_connection(
        self,
        info: Info,
        first: int = 100,
        after: str | None = None,
        since: datetime.datetime | None = None,
        until: datetime.datetime | None = None,
    ) -> Connection[EventRef]:
        from resolvers.events.types import Event

        return await related_connection(
            info,
            self.node,
            "place_events",
            Event,
            first,
            after,
            window(since, until),
        )

    @strawberry.field(description="此地点及其下级的设施设备")
    def things(self, info: Info, first: int = 100) -> list[ThingRef]:
        from resolvers.things.types import Thing

        return related(info, self.node, "place_things", Thing, first)

    @strawberry.field(description="管理此地点的组织（如物业服务企业）")
    def managers(self, info: Info) -> list[OrganizationRef]:
        from resolvers.organizations.types import Organization

        return related(info, self.node, "place_managers", Organization, 20)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Self | None:
        return await fetch_one(info, cls, str(id))
