"""Root fields of the service catalogue and target groups (thin: hub/services does the work)."""

import strawberry

from hub.errors import BadInput, ErrorCode
from hub.services.access import GROUP, MODULE
from hub.services.catalogue import ModuleSpec, check_community
from hub.services.records import Module
from resolvers.context import Info
from resolvers.services.access import caller, group_counts, group_prefix, shown
from resolvers.services.types import ModuleStatus, ServiceModule, TargetGroupSize


def to_int(value: object, what: str) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise BadInput(f"'{str(value)[:20]}' is not a {what} id", ErrorCode.BAD_ID) from None


@strawberry.input(description="服务模块或自选项目；缺省值取自服务目录配置（modules.toml）")
class ServiceModuleInput:
    community: str = strawberry.field(description="社区编码（12 位）")
    code: str = strawberry.field(description="模块编码，如 meals；新自选项目用新编码并给名称")
    name: str | None = None
    parent: str | None = strawberry.field(default=None, description="所属预设模块编码")
    target_group: str | None = strawberry.field(default=None, description="目标人群编码")
    providers: list[str] = strawberry.field(default_factory=list, description="服务提供单位")
    capacity: int | None = strawberry.field(default=None, description="服务能力（须有单位）")
    unit: str | None = None
    hours: str = strawberry.field(default="", description="开放时间，如 周一至周五 11:00–12:30")
    takes_requests: bool | None = None


@strawberry.input(description="修改服务模块：只改给出的项")
class ServiceModuleUpdate:
    name: str | None = None
    target_group: str | None = None
    providers: list[str] = strawberry.field(default_factory=list)
    capacity: int | None = None
    unit: str | None = None
    hours: str = ""


async def managed_module(info: Info, module_id: strawberry.ID) -> Module:
    """A module the caller manages: FORBIDDEN outside its jurisdiction, before any write."""
    services = info.context.runtime.services
    async with info.context.runtime.sessions() as session:
        row = await services.catalogue.get(session, to_int(module_id, "module"))
    caller(info).require(MODULE, "write", row.community)
    return row


@strawberry.type
class ServicesQuery:
    @strawberry.field(description="服务目录：辖区内各社区的服务模块（居民只见运行中的）")
    async def service_modules(
        self, info: Info, jurisdiction: str | None = None, status: ModuleStatus | None = None
    ) -> list[ServiceModule]:
        who = caller(info)
        prefixes = who.prefixes(MODULE, "read", jurisdiction)
        manages = bool(who.scopes(MODULE, "write")) and (
            jurisdiction is not None and who.covers(MODULE, "write", jurisdiction))
        wanted = status.value if status else None
        if not manages:
            if wanted not in (None, "active"):
                raise BadInput("only staff managing the catalogue see modules not active")
            wanted = "active"
        services = info.context.runtime.services
        async with info.context.runtime.sessions() as session:
            rows = await services.catalogue.modules(session, prefixes, wanted)
        return [ServiceModule(row=r) for r in rows]

    @strawberry.field(description="一个服务模块")
    async def service_module(self, info: Info, id: strawberry.ID) -> ServiceModule | None:
        async with info.context.runtime.sessions() as session:
            row = await session.get(Module, to_int(id, "module"))
        if row is None:
            return None
        who = caller(info)
        who.require(MODULE, "read", row.community)
        if row.status != "active" and not who.covers(MODULE, "write", row.community):
            return None
        return ServiceModule(row=row)

    @strawberry.field(
        description="目标人群人数：各社区 × 人群（民政、工作人员看本辖区；城市大脑看汇总）"
    )
    async def target_groups(self, info: Info, jurisdiction: str) -> list[TargetGroupSize]:
        who = caller(info)
        if not (who.covers(GROUP, "read", jurisdiction)
                or who.covers(GROUP, "aggregate", jurisdiction)):
            who.require(GROUP, "read", jurisdiction)
        prefix = group_prefix(who, jurisdiction) if len(jurisdiction) >= 12 else jurisdiction
        counts = await group_counts(info, prefix or jurisdiction)
        groups = info.context.runtime.services.vocabulary.groups
        out = []
        for code, group in groups.items():
            for community, n in sorted(counts.get(code, {}).items()):
                if community.startswith(jurisdiction):
                    out.append(TargetGroupSize(code=code, name=group.name, community=community,
                                               count=shown(n), suppressed=shown(n) is None,
                                               withheld=False))
        return out


@strawberry.type
class ServicesMutation:
    @strawberry.mutation(description="建立社区服务目录：补齐规定动作模块（幂等），返回新增的")
    async def set_up_service_catalogue(self, info: Info, community: str) -> list[ServiceModule]:
        who = caller(info)
        who.require(MODULE, "write", check_community(community))
        services = info.context.runtime.services
        async with info.context.runtime.sessions() as session:
            rows = await services.catalogue.setup(session, community, who.name)
        return [ServiceModule(row=r) for r in rows]

    @strawberry.mutation(description="新增自选模块或预设模块内的自选项目（状态：拟设）")
    async def add_service_module(
        self, info: Info, input: ServiceModuleInput, note: str = ""
    ) -> ServiceModule:
        who = caller(info)
        who.require(MODULE, "write", check_community(input.community))
        spec = ModuleSpec(input.code, input.name, input.parent, input.target_group,
                          input.providers, input.capacity, input.unit, input.hours,
                          input.takes_requests)
        services = info.context.runtime.services
        async with info.context.runtime.sessions() as session:
            row = await services.catalogue.add(session, input.community, spec, who.name,
                                               note=note)
        return ServiceModule(row=row)

    @strawberry.mutation(description="修改服务模块（提供单位、服务能力、开放时间…），记入历史")
    async def update_service_module(
        self, info: Info, id: strawberry.ID, input: ServiceModuleUpdate, note: str = ""
    ) -> ServiceModule:
        row = await managed_module(info, id)
        spec = ModuleSpec(row.code, input.name, None, input.target_group, input.providers,
                          input.capacity, input.unit, input.hours)
        services = info.context.runtime.services
        async with info.context.runtime.sessions() as session:
            row = await services.catalogue.get(session, row.id)
            row = await services.catalogue.update(session, row, spec, caller(info).name, note)
        return ServiceModule(row=row)

    @strawberry.mutation(description="改变模块状态：拟设→运行→暂停→运行…→撤销，记入历史")
    async def set_service_module_status(
        self, info: Info, id: strawberry.ID, status: ModuleStatus, note: str = ""
    ) -> ServiceModule:
        row = await managed_module(info, id)
        services = info.context.runtime.services
        async with info.context.runtime.sessions() as session:
            row = await services.catalogue.get(session, row.id)
            row = await services.catalogue.move(session, row, status.value, caller(info).name,
                                                note)
        return ServiceModule(row=row)
