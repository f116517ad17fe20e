"""人: a person, as every department that knows them describes them."""

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
from resolvers.traversals import related_connection

if TYPE_CHECKING:
    from resolvers.events.types import Event
    from resolvers.places.types import Place

PlaceRef = Annotated["Place", strawberry.lazy("resolvers.places.types")]
EventRef = Annotated["Event", strawberry.lazy("resolvers.events.types")]
P = EntityKind.PERSON


@strawberry.federation.type(keys=["id"], description="人：居民或相关人员")
class Person(Entity):
    name = attribute(P, "name", "姓名")
    gender = attribute(P, "gender", "性别")
    birth_date = attribute(P, "birthDate", "出生日期")
    id_number = attribute(P, "idNumber", "公民身份号码")
    ethnicity = attribute(P, "ethnicity", "民族")
    phone = attribute(P, "phone", "联系电话")
    hukou_address = attribute(P, "hukouAddress", "户籍地址")
    residence_address = attribute(P, "residenceAddress", "实际居住地址")
    household_no = attribute(P, "householdNo", "户号")
    relation_to_head = attribute(P, "relationToHead", "与户主关系")
    care_level = attribute(P, "careLevel", "照护等级（民政）")
    living_alone = attribute(P, "livingAlone", "是否独居（民政）")
    subsidy_type = attribute(P, "subsidyType", "补贴类型（民政）")
    subsidy_amount = attribute(P, "subsidyAmount", "补贴金额（元/月，民政）")
    disability_grade = attribute(P, "disabilityGrade", "残疾等级（民政）")

    @strawberry.field(description="实际居住的房屋")
    def residence(self, info: Info) -> PlaceRef | None:
        from resolvers.places.types import Place

        return related_one(info, self.node, "person_residence", Place)

    @strawberry.field(description="户籍登记地")
    def registered_at(self, info: Info) -> PlaceRef | None:
        from resolvers.places.types import Place

        return related_one(info, self.node, "person_registered", Place)

    @strawberry.field(description="同户成员")
    def household(self, info: Info, first: int = 20) -> list["Person"]:
        return related(info, self.node, "person_household", Person, first)

    @strawberry.field(description="同一楼栋的其他居民（分页）")
    async def neighbours(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection["Person"]:
        return await related_connection(info, self.node, "person_neighbours", Person, first, after)

    @strawberry.field(description="与此人有关的事件，新的在前")
    def events(self, info: Info, first: int = 20) -> list[EventRef]:
        from resolvers.events.types import Event

        return related(info, self.node, "person_events", Event, first)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Self | None:
        return await fetch_one(info, cls, str(id))
