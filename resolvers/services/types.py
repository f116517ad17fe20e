"""Precise services: catalogue modules, target groups, and their history."""

import datetime
from enum import Enum
from typing import Any

import strawberry

from hub.services import records
from resolvers.civic.types import column
from resolvers.context import Info
from resolvers.services.access import caller, group_counts, group_prefix, shown


@strawberry.enum(description="服务模块状态：拟设 → 运行 → 暂停 → 撤销")
class ModuleStatus(Enum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    PAUSED = "paused"
    RETIRED = "retired"


@strawberry.type(description="目标人群的人数（由部门数据实时计算；1–4 人不显示）")
class TargetGroupSize:
    code: str
    name: str
    community: str
    count: int | None = strawberry.field(description="人数；1–4 人或无权查看时为 null")
    suppressed: bool = strawberry.field(description="人数为 1–4，不显示（小单元格保护）")
    withheld: bool = strawberry.field(description="本角色不可查看此辖区的人群人数")


@strawberry.type(description="服务模块的一次变更")
class ModuleChange:
    row: strawberry.Private[records.ModuleChange]
    action = column("action", str, "created、updated 或新状态")

    @strawberry.field(description="变更后的状态")
    def status_after(self) -> ModuleStatus:
        return ModuleStatus(self.row.status_after)

    note = column("note", str)
    actor = column("actor", str, "操作人")
    created_at = column("created_at", datetime.datetime)


async def size_of(info: Info, group: str, community: str) -> TargetGroupSize:
    names = info.context.runtime.services.vocabulary.groups
    name = names[group].name if group in names else group
    prefix = group_prefix(caller(info), community)
    if prefix is None:
        return TargetGroupSize(code=group, name=name, community=community, count=None,
                               suppressed=False, withheld=True)
    count = (await group_counts(info, prefix)).get(group, {}).get(community, 0)
    return TargetGroupSize(code=group, name=name, community=community, count=shown(count),
                           suppressed=shown(count) is None, withheld=False)


@strawberry.type(description="社区服务目录中的一个模块或自选项目")
class ServiceModule:
    row: strawberry.Private[records.Module]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    community = column("community", str, "社区编码")
    code = column("code", str, "模块编码（需求分类）")
    name = column("name", str)
    mandatory = column("mandatory", bool, "规定动作（true）或自选动作（false）")
    parent = column("parent", str | None, "自选项目所属的预设模块")
    providers = column("providers", list[str], "服务提供单位")
    capacity = column("capacity", int | None, "服务能力")
    unit = column("unit", str, "服务能力的单位，如 份/周")
    hours = column("hours", str, "开放时间")
    takes_requests = column("takes_requests", bool, "是否受理居民服务申请（Open311）")

    @strawberry.field(description="状态")
    def status(self) -> ModuleStatus:
        return ModuleStatus(self.row.status)

    updated_at = column("updated_at", datetime.datetime)

    @strawberry.field(description="目标人群及其人数")
    async def target_group(self, info: Info) -> TargetGroupSize:
        return await size_of(info, self.row.target_group, self.row.community)

    @strawberry.field(description="变更历史，最早在前")
    async def history(self, info: Info) -> list[ModuleChange]:
        services = info.context.runtime.services
        async with info.context.runtime.sessions() as session:
            rows = await services.catalogue.history(session, self.row.id)
        return [ModuleChange(row=r) for r in rows]


def module_of(row: Any) -> ServiceModule:
    return ServiceModule(row=row)
