"""地点名录 for the residents' place picker: the estates, buildings and units of the caller's
own street, by name and level only (policy object places.directory)."""

import strawberry

from hub.access.objects import Action, Obj
from hub.civic import directory
from hub.errors import AccessDenied
from resolvers.context import Info

STREET = 9  # digits of a street code


@strawberry.type(description="地点名录中的一项：只有名称和层级")
class DirectoryPlace:
    id: strawberry.ID | None = strawberry.field(
        description="地点编号；小区为 null（小区是楼幢共有的名称）")
    name: str
    level: str = strawberry.field(description="estate 小区 · building 楼幢 · unit 单元")


async def _street(info: Info) -> str:
    """The street of the caller's own registered residence: a resident picks places there."""
    view = info.context.view
    if not view.allows(Obj.PLACE_DIRECTORY.value, Action.READ.value):
        raise AccessDenied("the place directory is for residents choosing a place")
    subject = view.principal.subject or ""
    found = await info.context.runtime.civic.person_jurisdiction(subject)
    if not found or len(found) < STREET:
        raise AccessDenied("the place directory lists the street one is registered in",
                           suggestion="sign in as a resident registered in the street")
    return found[:STREET]


@strawberry.type
class PlaceDirectoryQuery:
    @strawberry.field(description=(
        "本人所在街道的地点名录（居民选择地点）：不给参数为小区；给 estate 为该小区的楼幢；"
        "给 building 为该楼幢的单元。只有名称和层级，不含地址和其他属性"))
    async def place_directory(
        self, info: Info, estate: str | None = None, building: strawberry.ID | None = None
    ) -> list[DirectoryPlace]:
        street = await _street(info)
        links = info.context.runtime.links
        if building is not None:
            found = await directory.units(links, street, str(building))
        elif estate is not None:
            found = await directory.buildings(links, street, estate)
        else:
            found = await directory.estates(links, street)
        return [DirectoryPlace(id=strawberry.ID(e.id) if e.id else None, name=e.name,
                               level=e.level) for e in found]
