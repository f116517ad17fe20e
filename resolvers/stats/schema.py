"""Statistics: counts only, with small cells suppressed (`<5`)."""

import strawberry

from hub.access import stats
from hub.access.objects import Action, Obj
from resolvers.context import Info


@strawberry.type(description="一个社区的统计（小于5的计数显示为“<5”）")
class CommunityCount:
    code: str = strawberry.field(description="社区编码")
    name: str = strawberry.field(description="社区名称")
    count: str = strawberry.field(description="人数；1–4 显示为 <5")


@strawberry.type(description="统计（只含计数，不含个人记录）")
class Stats:
    @strawberry.field(description="各社区居民人数（在本人辖区内）")
    async def residents_by_community(self, info: Info) -> list[CommunityCount]:
        info.context.require(Obj.STATS_RESIDENTS, Action.AGGREGATE)
        found = await stats.residents_by_community(info.context.runtime.links, info.context.view)
        return [CommunityCount(code=c.code, name=c.name, count=c.count) for c in found]


@strawberry.type
class StatsQuery:
    @strawberry.field(description="统计，供城市大脑等只看汇总的角色使用")
    def stats(self) -> Stats:
        return Stats()
