"""Statistics: counts only, with small cells (1–4) suppressed."""

import strawberry

from hub.access import stats
from hub.access.objects import Action, Obj
from resolvers.context import Info


@strawberry.type(description="一个社区的统计（1–4 人的计数不显示）")
class CommunityCount:
    code: str = strawberry.field(description="社区编码")
    name: str = strawberry.field(description="社区名称")
    count: int | None = strawberry.field(description="人数；1–4 人时为 null（见 suppressed）")
    suppressed: bool = strawberry.field(description="人数为 1–4，不显示（小单元格保护）")


@strawberry.type(description="统计（只含计数，不含个人记录）")
class Stats:
    @strawberry.field(description="各社区居民人数（在本人辖区内）")
    async def residents_by_community(self, info: Info) -> list[CommunityCount]:
        info.context.require(Obj.STATS_RESIDENTS, Action.AGGREGATE)
        found = await stats.residents_by_community(info.context.runtime.links, info.context.view)
        return [CommunityCount(code=c.code, name=c.name, count=c.count, suppressed=c.suppressed)
                for c in found]


@strawberry.type
class StatsQuery:
    @strawberry.field(description="统计，供城市大脑等只看汇总的角色使用")
    def stats(self) -> Stats:
        return Stats()
