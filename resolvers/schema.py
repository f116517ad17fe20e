"""The served schema: root Query assembled by inheritance, an Apollo Federation v2 subgraph."""

import strawberry

from hub.ids import kind_of
from resolvers.common import Entity
from resolvers.context import Info
from resolvers.errors import ErrorCodes
from resolvers.events.schema import EventsQuery
from resolvers.events.types import Event
from resolvers.linking.schema import LinkingMutation, LinkingQuery
from resolvers.organizations.schema import OrganizationsQuery
from resolvers.organizations.types import Organization
from resolvers.people.schema import PeopleQuery
from resolvers.people.types import Person
from resolvers.places.schema import PlacesQuery
from resolvers.places.types import Place
from resolvers.things.schema import ThingsQuery
from resolvers.things.types import Thing

TYPES: dict[str, type[Entity]] = {
    "Person": Person,
    "Place": Place,
    "Event": Event,
    "Thing": Thing,
    "Organization": Organization,
}


@strawberry.type
class NodeQuery:
    @strawberry.field(description="按枢纽编号查任意实体；未知编号返回 null")
    async def node(self, info: Info, id: strawberry.ID) -> Entity | None:
        kind = kind_of(str(id))
        found = await info.context.entities.get(kind, str(id))
        return TYPES[kind](node=found) if found else None  # type: ignore[call-arg]


@strawberry.type
class Query(
    NodeQuery,
    PeopleQuery,
    PlacesQuery,
    EventsQuery,
    ThingsQuery,
    OrganizationsQuery,
    LinkingQuery,
):
    pass


@strawberry.type
class Mutation(LinkingMutation):
    pass


def build_schema() -> strawberry.federation.Schema:
    return strawberry.federation.Schema(
        query=Query,
        mutation=Mutation,
        types=list(TYPES.values()),
        extensions=[ErrorCodes],
    )
