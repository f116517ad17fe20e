"""事: cases, tickets, access events, repair orders."""

import datetime
from typing import TYPE_CHECKING, Annotated, Self

import strawberry

from hub.standard import EntityKind
from resolvers.common import Entity, attribute, fetch_one, related, related_one, wrap
from resolvers.context import Info

if TYPE_CHECKING:
    from resolvers.organizations.types import Organization
    from resolvers.people.types import Person
    from resolvers.places.types import Place

PersonRef = Annotated["Person", strawberry.lazy("resolvers.people.types")]
PlaceRef = Annotated["Place", strawberry.lazy("resolvers.places.types")]
OrganizationRef = Annotated["Organization", strawberry.lazy("resolvers.organizations.types")]
E = EntityKind.EVENT


@strawberry.federation.type(keys=["id"], description="事：案件、工单、门禁通行、报修")
class Event(Entity):
    @strawberry.field(description="事件类型，如 urban_case、gate_access、repair_order")
    def event_type(self) -> str | None:
        return self.node.event_type

    @strawberry.field(description="发生时间")
    def occurred_at(self) -> datetime.datetime | None:
        at = self.node.at
        return datetime.datetime.fromtimestamp(at, datetime.UTC) if at is not None else None

    category = attribute(E, "category", "类别")
    title = attribute(E, "title", "标题")
    description = attribute(E, "description", "描述")
    status = attribute(E, "status", "状态")
    address = attribute(E, "address", "地址")
    closed_at = attribute(E, "closedAt", "办结时间")
    direction = attribute(E, "direction", "通行方向（进/出）")
    timeline = attribute(E, "timeline", "处置经过")
    value = attribute(E, "value", "读数，如用水量（升）")

    @strawberry.field(description="发生地点")
    def place(self, info: Info) -> PlaceRef | None:
        from resolvers.places.types import Place

        return related_one(info, self.node, "event_place", Place)

    @strawberry.field(description="涉及的人员")
    def people(self, info: Info, first: int = 20) -> list[PersonRef]:
        from resolvers.people.types import Person

        return related(info, self.node, "event_people", Person, first)

    @strawberry.field(description="相关组织：记录此事件的部门、管理发生地的物业服务企业")
    async def organizations(self, info: Info) -> list[OrganizationRef]:
        from resolvers.organizations.types import Organization

        entities = info.context.entities
        found = await entities.related(self.node, "event_departments", "Organization", 20)
        found += await entities.related(self.node, "event_managers", "Organization", 20)
        return await wrap(info, Organization, list(dict.fromkeys(found)))

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Self | None:
        return await fetch_one(info, cls, str(id))
