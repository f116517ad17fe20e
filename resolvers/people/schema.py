"""Root fields for people."""

import strawberry

from resolvers.common import Connection, fetch_one, page_of
from resolvers.context import Info
from resolvers.people.types import Person


@strawberry.input(description="居民筛选条件；属性条件由持有该属性的部门系统执行")
class PersonFilter:
    jurisdiction: str | None = strawberry.field(default=None, description="辖区编码前缀")
    name: str | None = strawberry.field(default=None, description="姓名（精确）")
    gender: str | None = strawberry.field(default=None, description="性别")
    care_level: str | None = strawberry.field(default=None, description="照护等级")
    subsidy_type: str | None = strawberry.field(default=None, description="补贴类型")

    def as_dict(self) -> dict[str, str | None]:
        return {
            "jurisdiction": self.jurisdiction,
            "name": self.name,
            "gender": self.gender,
            "careLevel": self.care_level,
            "subsidyType": self.subsidy_type,
        }


@strawberry.type
class PeopleQuery:
    @strawberry.field(description="按枢纽编号查人；未知编号返回 null")
    async def person(self, info: Info, id: strawberry.ID) -> Person | None:
        return await fetch_one(info, Person, str(id))

    @strawberry.field(description="分页列出居民（每页最多 1000）")
    async def people(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        filter: PersonFilter | None = None,
    ) -> Connection[Person] | None:
        filters = filter.as_dict() if filter else {}
        return await page_of(info, "Person", Person, first, after, filters)
